"""Per-platform names other tools use. A new vendor is one row here plus a template set."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformInfo:
    extension: str  # rendered file: build/intended/<site>/<host>.<extension>
    ansible_network_os: str
    napalm_driver: str  # the lab platform's driver ships in plugins/ (issue: deploy)


PLATFORMS: dict[str, PlatformInfo] = {
    "cisco_iosxe": PlatformInfo("cfg", "cisco.ios.ios", "wardnet_ios"),
    "fortios": PlatformInfo("conf", "fortinet.fortios.fortios", "fortinet"),
    "frr": PlatformInfo("frr", "frr", "frr"),
}
