"""NAPALM driver for wardnet's white-box platform (Linux + FRR + nftables + Open vSwitch).

    napalm.get_network_driver("frr")

It talks to the device agent `wardnet-node` over SSH (Netmiko opens the session: ssh_config, ProxyCommand,
keys) and runs each command on its own exec channel, so exit codes are real and no prompt is scraped.
"""

from napalm_frr.driver import FrrDriver

__all__ = ["FrrDriver"]
