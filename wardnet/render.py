"""The render stage: structured config → text, one template set per platform. Templates only format.

Inventory values reach templates only as data: nothing from the inventory is ever compiled as a template.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from wardnet.canonical import canonical_text
from wardnet.design import SiteDesign
from wardnet.platforms import PLATFORMS
from wardnet.resources import TEMPLATES
from wardnet.templating import environment

SITE_DOC = "README.md"


def site_folder(design: SiteDesign) -> str:
    return f"{design.plan.site.code}-{design.plan.site.slug}"


def device_file(config: dict[str, Any]) -> str:
    return f"{config['hostname']}.{PLATFORMS[config['platform']].extension}"


@dataclass(frozen=True)
class Rendered:
    site: str  # folder name, e.g. 26743-ben-thanh
    name: str  # file name inside the folder
    text: str
    hostname: str | None = None
    platform: str | None = None


class Renderer:
    def __init__(self, templates: Path = TEMPLATES) -> None:
        self.env = environment(templates)
        self._device_templates: dict[str, jinja2.Template] = {}

    def device(self, config: dict[str, Any]) -> str:
        platform = config["platform"]
        if platform not in self._device_templates:
            self._device_templates[platform] = self.env.get_template(f"{platform}/device.j2")
        return canonical_text(platform, self._device_templates[platform].render(device=config))

    def site(self, design: SiteDesign) -> Iterator[Rendered]:
        folder = site_folder(design)
        for hostname, config in design.devices.items():
            yield Rendered(folder, device_file(config), self.device(config), hostname, config["platform"])
        doc = self.env.get_template("docs/site.md.j2").render(site=site_context(design))
        yield Rendered(folder, SITE_DOC, doc)


def site_context(design: SiteDesign) -> dict[str, Any]:
    """Plain data for the generated site page."""
    plan = design.plan
    return {
        "code": plan.site.code,
        "name": plan.site.name,
        "type": plan.site.type,
        "concurrent_users": plan.site.concurrent_users,
        "block": str(plan.block),
        "asn": plan.asn,
        "transit": str(plan.infra.transit),
        "city_core_side": str(plan.infra.city_core_side),
        "vlans": [
            {
                "id": v.id,
                "name": v.name,
                "zone": v.zone,
                "purpose": v.purpose,
                "subnet": str(v.subnet),
                "gateway": str(v.gateway),
                "peak": v.peak_clients,
                "needed": v.pool_needed,
                "pool": f"{v.pool_start} - {v.pool_end}" if v.pool_start else "static",
                "pool_size": v.pool_size,
                "lease_minutes": v.lease_minutes,
            }
            for v in plan.vlans
        ],
        "devices": [
            {
                "hostname": h,
                "role": c["role"],
                "platform": c["platform"],
                "model": c["model"],
                "members": c["members"],
                "management": c["management"]["address"],
                "file": device_file(c),
            }
            for h, c in design.devices.items()
        ],
        "servers": [
            {
                "hostname": h,
                "address": s["address"],
                "vlan": s["vlan"],
                "services": ", ".join(s["services"]) or "-",
            }
            for h, s in design.servers.items()
        ],
        "demand": {
            "wired": plan.demand.wired,
            "access_points": plan.demand.access_points,
            "endpoints": plan.demand.endpoints,
            "ports_needed": plan.demand.ports_needed,
        },
        "ports": design.ports,
        "parking_vlan": plan.parking_vlan,
    }


def write(outputs: list[Rendered], out: Path) -> tuple[int, int]:
    """Write only files whose bytes changed; returns (written, unchanged)."""
    written = unchanged = 0
    for item in outputs:
        path = out / item.site / item.name
        data = item.text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
        written += 1
    return written, unchanged
