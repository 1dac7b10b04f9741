"""The design stage: pure functions from validated inventory to one structured config per device."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wardnet.design.firewall import firewall
from wardnet.design.servers import server
from wardnet.design.site import SitePlan, plan_site
from wardnet.design.switches import access_switch, core_switch, port_plan
from wardnet.models import Baseline, Site


@dataclass(frozen=True)
class SiteDesign:
    plan: SitePlan
    devices: dict[str, dict[str, Any]]  # hostname -> structured config, in firewall/core/access order
    ports: dict[str, list[dict[str, Any]]]
    servers: dict[str, dict[str, Any]]  # hostname -> what the server roles need (no device config)


def design_site(site: Site, baseline: Baseline) -> SiteDesign:
    plan = plan_site(site, baseline)
    ports = port_plan(plan, baseline)
    devices: dict[str, dict[str, Any]] = {}
    for device in plan.devices:
        if device.role == "firewall":
            devices[device.hostname] = firewall(device, plan, baseline)
        elif device.role == "core":
            devices[device.hostname] = core_switch(device, plan, baseline)
        else:
            devices[device.hostname] = access_switch(device, plan, baseline, ports[device.hostname])
    servers = {s.hostname: server(s, plan, baseline) for s in plan.servers}
    return SiteDesign(plan=plan, devices=devices, ports=ports, servers=servers)
