"""The design stage: pure functions from validated inventory to one typed structured config per device
(wardnet.design.config)."""

from __future__ import annotations

from dataclasses import dataclass

from wardnet.design.config import (
    AnyDeviceConfig,
    DhcpPool,
    EdgePort,
    FirewallConfig,
    ServerConfig,
    SwitchConfig,
)
from wardnet.design.firewall import firewall
from wardnet.design.servers import server
from wardnet.design.site import SitePlan, plan_site
from wardnet.design.switches import access_switch, core_switch, port_plan
from wardnet.models import Baseline, Site


@dataclass(frozen=True)
class SiteDesign:
    plan: SitePlan
    devices: dict[str, AnyDeviceConfig]  # hostname -> structured config, in firewall/core/access order
    ports: dict[str, list[EdgePort]]  # access switch hostname -> its edge ports
    servers: dict[str, ServerConfig]  # hostname -> what the server roles need (no device config)

    @property
    def firewall(self) -> FirewallConfig:
        return next(c for c in self.devices.values() if isinstance(c, FirewallConfig))

    @property
    def core(self) -> SwitchConfig:
        return next(c for c in self.devices.values() if isinstance(c, SwitchConfig) and c.role == "core")

    @property
    def access_switches(self) -> list[SwitchConfig]:
        return [c for c in self.devices.values() if isinstance(c, SwitchConfig) and c.role == "access"]

    def served_pools(self) -> list[tuple[str, DhcpPool]]:
        """Every client DHCP pool with the host that serves it: the firewall, or the ward server's Kea."""
        served = [(self.firewall.hostname, pool) for pool in self.firewall.dhcp_servers]
        return served + [(s.hostname, pool) for s in self.servers.values() for pool in s.dhcp_pools]


def design_site(site: Site, baseline: Baseline) -> SiteDesign:
    plan = plan_site(site, baseline)
    ports = port_plan(plan, baseline)
    devices: dict[str, AnyDeviceConfig] = {}
    for device in plan.devices:
        if device.role == "firewall":
            devices[device.hostname] = firewall(device, plan, baseline)
        elif device.role == "core":
            devices[device.hostname] = core_switch(device, plan, baseline)
        else:
            devices[device.hostname] = access_switch(device, plan, baseline, ports[device.hostname])
    servers = {s.hostname: server(s, plan, baseline) for s in plan.servers}
    return SiteDesign(plan=plan, devices=devices, ports=ports, servers=servers)
