"""One host model for every tool that reaches the devices: the Ansible inventory plugin, the Nornir inventory
plugin (wardnet.nornir_inventory) and the deploy/audit targets (wardnet.deploy.targets) all adapt from it, so
names, groups, addresses and driver names are decided here once."""

from __future__ import annotations

from dataclasses import dataclass

from wardnet.design import SiteDesign
from wardnet.design.config import AnyDeviceConfig
from wardnet.platforms import PLATFORMS


@dataclass(frozen=True)
class Host:
    name: str
    site: str  # the site code
    role: str
    platform: str  # wardnet's platform name (wardnet/platforms/)
    address: str  # the management address

    @property
    def napalm_driver(self) -> str:
        return PLATFORMS[self.platform].napalm_driver

    @property
    def ansible_network_os(self) -> str:
        return PLATFORMS[self.platform].ansible_network_os

    @property
    def groups(self) -> tuple[str, str, str]:
        """The groups both inventory plugins give a device: site, role and platform."""
        return (f"site_{self.site}", f"role_{self.role}", f"platform_{self.platform}")


def device_host(config: AnyDeviceConfig) -> Host:
    """The host of one device's structured config; an unregistered platform is refused here."""
    if config.platform not in PLATFORMS:
        raise ValueError(f"wardnet: no platform '{config.platform}' registered (wardnet/platforms/)")
    return Host(
        name=config.hostname,
        site=config.site.code,
        role=config.role,
        platform=config.platform,
        address=config.management.address,
    )


def site_hosts(design: SiteDesign) -> list[Host]:
    """Every network device of one site, in the design's order (firewall, core, access)."""
    return [device_host(config) for config in design.devices.values()]
