"""NAPALM driver for Cisco IOS-XE as wardnet deploys it: napalm `ios`, its replace fitted to rendered configs.

    napalm.get_network_driver("wardnet_ios")   # napalm imports the module napalm_wardnet_ios

Candidate copied with SCP (napalm's default; the device needs `ip scp server enable`), or inline through
TCL with optional_args={"inline_transfer": True}.
"""

from napalm_wardnet_ios.driver import WardnetIOSDriver

__all__ = ["WardnetIOSDriver"]
