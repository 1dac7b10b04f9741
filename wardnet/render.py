"""The render stage: structured config → text, one template set per platform. Templates only format.

Inventory values reach templates only as data: nothing from the inventory is ever compiled as a template.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from wardnet import ipam, sitedoc
from wardnet.canonical import canonical_text
from wardnet.design import SiteDesign
from wardnet.design.config import AnyDeviceConfig
from wardnet.i18n import translator
from wardnet.outdir import SyncResult, sync
from wardnet.platforms import PLATFORMS
from wardnet.resources import TEMPLATES
from wardnet.templating import environment

SITE_DOC = "README.md"
SITE_DIAGRAM = "topology.svg"


def _site_folder(design: SiteDesign) -> str:
    return f"{design.plan.site.code}-{design.plan.site.slug}"


def _device_file(config: AnyDeviceConfig) -> str:
    return f"{config.hostname}.{PLATFORMS[config.platform].extension}"


@dataclass(frozen=True)
class Rendered:
    site: str  # folder name, e.g. 26743-ben-thanh
    name: str  # file name inside the folder
    text: str
    hostname: str | None = None
    platform: str | None = None


class Renderer:
    def __init__(self, templates: Path = TEMPLATES, lang: str = "en") -> None:
        """`lang`: the site page's language (vi or en, wardnet.i18n); device configs have none."""
        self.env = environment(templates)
        self.lang = lang
        self.env.globals["t"] = translator(lang)
        self._device_templates: dict[str, jinja2.Template] = {}

    def template(self, platform: str) -> jinja2.Template:
        """A platform's device template, compiled on first use."""
        if platform not in self._device_templates:
            self._device_templates[platform] = self.env.get_template(f"{platform}/device.j2")
        return self._device_templates[platform]

    def device(self, config: AnyDeviceConfig) -> str:
        platform = config.platform
        return canonical_text(platform, self.template(platform).render(device=config))

    def site(self, design: SiteDesign) -> Iterator[Rendered]:
        folder = _site_folder(design)
        for hostname, config in design.devices.items():
            yield Rendered(folder, _device_file(config), self.device(config), hostname, config.platform)
        doc = self.env.get_template("docs/site.md.j2").render(site=_site_context(design, self.lang))
        yield Rendered(folder, SITE_DOC, doc)
        yield Rendered(folder, SITE_DIAGRAM, sitedoc.topology_svg(design))


def _site_context(design: SiteDesign, lang: str = "en") -> dict[str, Any]:
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
        "block6": str(plan.block6),
        "transit6": str(plan.infra6.transit),
        "loopbacks6": str(plan.infra6.loopbacks),
        "vlans": [
            {
                "id": v.id,
                "name": v.name,
                "zone": v.zone,
                "purpose": v.purpose,
                "subnet": ipam.text(v.subnet),
                "gateway": ipam.text(v.gateway),
                "peak": v.peak_clients,
                "needed": v.pool_needed,
                "pool": f"{v.pool_start} - {v.pool_end}" if v.pool_start else "",  # static: the page says so
                "pool_size": v.pool_size,
                "lease_minutes": v.lease_minutes,
                "subnet6": ipam.text(v.subnet6),
                "gateway6": ipam.text(v.gateway6),
                "ipv6_mode": v.ipv6_mode,
            }
            for v in plan.vlans
        ],
        "devices": [
            {
                "hostname": h,
                "role": c.role,
                "platform": c.platform,
                "model": c.model,
                "members": c.members,
                "management": c.management.address,
                "management6": c.management.address6,
                "file": _device_file(c),
            }
            for h, c in design.devices.items()
        ],
        "servers": [
            {
                "hostname": h,
                "address": s.address,
                "address6": s.address6,
                "vlan": s.vlan,
                "services": ", ".join(s.services) or "-",
            }
            for h, s in design.servers.items()
        ],
        "demand": {
            "wired": plan.demand.wired,
            "access_points": plan.demand.access_points,
            "endpoints": plan.demand.endpoints,
            "ports_needed": plan.demand.ports_needed,
        },
        "ports": {h: sitedoc.port_ranges(ports) for h, ports in design.ports.items()},
        "cabling": sitedoc.cabling(design),
        "free_core_ports": sitedoc.free_core_ports(design),
        "services": sitedoc.services(design, lang),
        "diagram": SITE_DIAGRAM,
        "mermaid": sitedoc.mermaid(design),
        "parking_vlan": plan.parking_vlan,
    }


def write(outputs: list[Rendered], out: Path, codes: list[str] | None = None) -> SyncResult:
    """Write changed files, remove what the rendered sites no longer produce (wardnet.outdir)."""
    return sync(list(outputs), out, set(codes) if codes else None)
