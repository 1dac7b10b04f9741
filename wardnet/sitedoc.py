"""What an engineer on site works from, derived from the design: cabling, port ranges, free ports, a diagram.

Plain data for templates/docs/site.md.j2 plus one SVG, laid out here in Python (three tiers: firewall, core,
access switches and servers) so the picture is byte-identical on every machine, no layout tool needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from itertools import groupby
from typing import Any

from wardnet.design import SiteDesign
from wardnet.design.config import AccessPort, EdgePort, PortChannel, ServerConfig, SwitchConfig, TrunkPort
from wardnet.i18n import translator

CITY_CORE = "city core"


@dataclass(frozen=True)
class Link:
    device: str
    port: str
    far_device: str
    far_port: str
    carries: str  # VLANs or LAG


def cabling(design: SiteDesign) -> list[Link]:
    """Every cable of the site, from the firewall down, each once (from the upper device's side)."""
    firewall = design.firewall
    core = design.core
    links = [Link(firewall.hostname, firewall.wan.name, CITY_CORE, firewall.wan.peer, "eBGP transit")]
    ha_ports = firewall.ha.ports if firewall.ha.enabled else []
    links += [
        Link(f"{firewall.hostname} unit 1", p, f"{firewall.hostname} unit 2", p, "HA") for p in ha_ports
    ]
    for channel in core.port_channels:
        vlans = _vlans(channel)
        if channel.id > 100:  # a firewall unit: its LAN LAG members, one per core member
            unit = channel.id - 100
            far = [f"{firewall.hostname} unit {unit}" if firewall.members > 1 else firewall.hostname]
            ports = firewall.lan.members
            for core_port, fw_port in zip(channel.members, ports, strict=False):
                links.append(Link(far[0], fw_port, core.hostname, core_port, f"Po{channel.id}: {vlans}"))
            continue
        access = next(c for c in design.access_switches if c.hostname in channel.description)
        uplinks = access.port_channels[0].members
        for core_port, access_port in zip(channel.members, uplinks, strict=False):
            links.append(
                Link(
                    core.hostname,
                    core_port,
                    access.hostname,
                    access_port,
                    f"Po{channel.id}: {vlans}",
                )
            )
    servers = ", ".join(design.servers) or "local servers"
    server_ports = [p for p in core.edge_ports if isinstance(p, AccessPort)]  # all of them, on a core
    for nic, port in enumerate(server_ports, start=1):  # one NIC per core member (bond or failover)
        links.append(Link(core.hostname, port.name, servers, f"NIC{nic}", f"VLAN {port.vlan} access"))
    return links


def _vlans(channel: PortChannel) -> str:
    return f"native {channel.native_vlan}, tagged {compress(channel.allowed_vlans)}"


def compress(numbers: list[int]) -> str:
    """[10, 20, 21, 22, 30] -> '10,20-22,30'."""
    parts = []
    for _, run in groupby(enumerate(sorted(numbers)), key=lambda item: item[1] - item[0]):
        values = [v for _, v in run]
        parts.append(str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}")
    return ",".join(parts)


_PORT_NUMBER = re.compile(r"^(.*?)(\d+)$")


def _split_port(name: str) -> tuple[str, int]:
    match = _PORT_NUMBER.match(name)
    return (match.group(1), int(match.group(2))) if match else (name, 0)


def port_ranges(ports: list[EdgePort]) -> list[dict[str, Any]]:
    """Consecutive edge ports with the same use as one row: 'GigabitEthernet1/0/1-24 access 20 staff'."""
    rows: list[dict[str, Any]] = []
    previous: EdgePort | None = None
    use: dict[str, Any] = {}
    for port in ports:
        if previous is None or not _same_use(port, previous):  # else: the use of the port before
            use = _use(port)
        previous = port
        prefix, number = _split_port(port.name)
        last = rows[-1] if rows else None
        if last and last["use"] == use and last["prefix"] == prefix and last["last"] == number - 1:
            last["last"] = number
            last["count"] += 1
            continue
        rows.append({"prefix": prefix, "first": number, "last": number, "count": 1, "use": use} | use)
    for row in rows:
        span = f"{row['first']}-{row['last']}" if row["last"] != row["first"] else str(row["first"])
        row["ports"] = f"{row['prefix']}{span}"
    return rows


def _same_use(port: EdgePort, other: EdgePort) -> bool:
    """Whether every field _use reads is equal (then so is the use): a switch's 48 ports are a few runs of
    alike ports, and formatting each port's use was most of the site page's port table."""
    if type(port) is not type(other) or port.mode != other.mode:
        return False
    if port.description != other.description or port.shutdown != other.shutdown:
        return False
    if isinstance(port, TrunkPort) and isinstance(other, TrunkPort):
        return port.native_vlan == other.native_vlan and port.allowed_vlans == other.allowed_vlans
    return isinstance(port, AccessPort) and isinstance(other, AccessPort) and port.vlan == other.vlan


def _use(port: EdgePort) -> dict[str, Any]:
    if isinstance(port, TrunkPort):
        vlan = f"native {port.native_vlan}, tagged {compress(port.allowed_vlans)}"
    else:
        vlan = str(port.vlan)
    return {
        "mode": port.mode,
        "vlan": vlan,
        "description": port.description,
        "state": "shutdown" if port.shutdown else "up",
    }


def free_core_ports(design: SiteDesign) -> dict[str, Any]:
    """Core ports 1..(servers' port - 1) that no access switch uses, and where the next switch goes."""
    core = design.core
    taken = {c.id for c in core.port_channels if c.id < 100}
    limit = min((p.port for p in core.edge_ports), default=1)
    free = [n for n in range(1, limit) if n not in taken]
    return {
        "free": compress(free) if free else "none",
        "next_switch": f"acc{free[0]}" if free else None,
        "next_port": free[0] if free else None,
    }


def services(design: SiteDesign, lang: str = "en") -> dict[str, str]:
    """Who serves DHCP and DNS to the site's clients, in the page's language."""
    t = translator(lang)
    firewall = design.firewall
    servers = [s for s in design.servers.values() if "dhcp_dns" in s.services]
    pools = firewall.dhcp_pools
    resolvers = ", ".join(pools[0].dns) if pools else "-"
    if servers:
        names = ", ".join(f"{s.hostname} ({s.address})" for s in servers)
        dhcp = t("site.dhcp_kea", names=names, firewall=firewall.hostname)
    else:
        dhcp = t("site.dhcp_fortigate", firewall=firewall.hostname)
    return {"dhcp": dhcp, "dns": t("site.dns_given", resolvers=resolvers)}


# --- the diagram --------------------------------------------------------------------------------------

BOX_W, BOX_H, GAP, TIER = 150, 44, 20, 110


def _box(x: int, y: int, title: str, subtitle: str, fill: str) -> str:
    return (
        f'<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="#334"/>'
        f'<text x="{x + BOX_W // 2}" y="{y + 18}" text-anchor="middle" font-size="12" font-weight="bold">'
        f"{escape(title)}</text>"
        f'<text x="{x + BOX_W // 2}" y="{y + 34}" text-anchor="middle" font-size="10">'
        f"{escape(subtitle)}</text></g>"
    )


def topology_svg(design: SiteDesign) -> str:
    """Three tiers: city core and firewall, core, access switches and servers; one line per LAG."""
    firewall = design.firewall
    core = design.core
    bottom = design.access_switches
    servers = list(design.servers.values())
    count = max(len(bottom) + len(servers), 1)
    width = max(count * (BOX_W + GAP) + GAP, 3 * (BOX_W + GAP))
    center = width // 2 - BOX_W // 2
    rows = {"city": 20, "fw": 20 + TIER, "core": 20 + 2 * TIER, "edge": 20 + 3 * TIER}
    height = rows["edge"] + BOX_H + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
        f"<title>{escape(design.plan.site.name)} ({design.plan.site.code}) topology</title>",
    ]
    lines = [
        (center, rows["city"], center, rows["fw"], "eBGP"),
        (center, rows["fw"], center, rows["core"], "Po101/102"),
    ]
    boxes = [
        _box(center, rows["city"], CITY_CORE, firewall.wan.peer, "#eef"),
        _box(center, rows["fw"], firewall.hostname, f"{firewall.model} x{firewall.members}", "#fdd"),
        _box(center, rows["core"], core.hostname, f"{core.model} x{core.members}", "#dfd"),
    ]
    below: list[SwitchConfig | ServerConfig] = [*bottom, *servers]
    for index, item in enumerate(below):
        x = GAP + index * (BOX_W + GAP)
        if isinstance(item, SwitchConfig):
            label = next((f"Po{c.id}" for c in core.port_channels if item.hostname in c.description), "")
            boxes.append(_box(x, rows["edge"], item.hostname, item.management.address, "#ffd"))
        else:
            label = f"VLAN {item.vlan}"
            boxes.append(_box(x, rows["edge"], item.hostname, item.address, "#def"))
        lines.append((center, rows["core"], x, rows["edge"], label))
    for x1, y1, x2, y2, label in lines:
        top = (x1 + BOX_W // 2, y1 + BOX_H)
        end = (x2 + BOX_W // 2, y2)
        parts.append(f'<line x1="{top[0]}" y1="{top[1]}" x2="{end[0]}" y2="{end[1]}" stroke="#556"/>')
        middle = ((top[0] + end[0]) // 2 + 4, (top[1] + end[1]) // 2)
        parts.append(f'<text x="{middle[0]}" y="{middle[1]}" font-size="10">{escape(label)}</text>')
    parts += boxes
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def mermaid(design: SiteDesign) -> str:
    """The same picture as a Mermaid graph, for Git web views that draw it."""

    def node(name: str) -> str:
        return re.sub(r"[^A-Za-z0-9_]", "_", name)

    firewall = design.firewall
    core = design.core
    lines = ["graph TD", f'  city["{CITY_CORE}"] --- {node(firewall.hostname)}["{firewall.hostname}"]']
    lines.append(f'  {node(firewall.hostname)} --- {node(core.hostname)}["{core.hostname}"]')
    for config in design.devices.values():
        if config.role == "access":
            lines.append(f'  {node(core.hostname)} --- {node(config.hostname)}["{config.hostname}"]')
    for hostname in design.servers:
        lines.append(f'  {node(core.hostname)} --- {node(hostname)}["{hostname}"]')
    return "\n".join(lines)
