"""One home per platform: each platform is one class (wardnet/platforms/<name>.py) and this registry.

A new vendor is one module here, one line in PLATFORMS, a template set (wardnet/templates/<name>/device.j2),
its level-2 rule set (wardnet/checks/rules_<name>.py) and a NAPALM driver; the stages look platforms up
by name and never branch on one.
"""

from __future__ import annotations

from wardnet.platforms.base import REDACTED, PlatformDriver, Texts
from wardnet.platforms.cisco_iosxe import CiscoIOSXE
from wardnet.platforms.fortios import FortiOS
from wardnet.platforms.frr import Frr

PLATFORMS: dict[str, PlatformDriver] = {p.name: p for p in (CiscoIOSXE(), FortiOS(), Frr())}
NAMES: tuple[str, ...] = tuple(PLATFORMS)


def get_platform(name: str) -> PlatformDriver:
    """The platform object for a name (hier_config's get_hconfig_driver); KeyError names the known ones."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise KeyError(f"unknown platform {name!r}: use one of {', '.join(NAMES)}") from None


__all__ = ["NAMES", "PLATFORMS", "REDACTED", "PlatformDriver", "Texts", "get_platform"]
