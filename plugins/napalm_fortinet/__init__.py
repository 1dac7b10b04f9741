"""NAPALM driver for FortiGate (FortiOS 7.x) over Netmiko's `fortinet` SSH class.

    napalm.get_network_driver("fortinet")   # napalm imports the module napalm_fortinet

Replace and merge are turned into CLI per `config` block (wardnet/platforms/fortios_config.py); commit
with revert_in uses `cfg-save revert`; backup with get_config(full=True) (`show full-configuration`).
"""

from napalm_fortinet.driver import FortinetDriver

__all__ = ["FortinetDriver"]
