"""Zone-based, default-deny policy: the baseline's named flows expanded for one site."""

from __future__ import annotations

from ipaddress import IPv4Network, collapse_addresses
from typing import Any

from wardnet.design.site import SitePlan
from wardnet.models import Baseline, NegatedZone


def vlan_interface(vlan_id: int) -> str:
    return f"vlan{vlan_id}"


def zone_table(plan: SitePlan, baseline: Baseline, wan: str) -> list[dict[str, Any]]:
    """Every zone the firewall knows: local ones behind VLAN interfaces, remote ones behind the WAN."""
    zones = []
    for zone in plan.zones:
        vlans = plan.vlans_in_zone(zone)
        zones.append(
            {
                "name": zone,
                "local": True,
                "interfaces": [vlan_interface(v.id) for v in vlans],
                "prefixes": [str(v.subnet) for v in vlans],
                "prefixes6": [str(v.subnet6) for v in vlans],
                "negate": False,
            }
        )
    for name, spec in sorted(baseline.remote_zones.items()):
        networks = spec.not_ if isinstance(spec, NegatedZone) else spec
        zones.append(
            {
                "name": name,
                "local": False,
                "interfaces": [wan],
                "prefixes": [str(n) for n in networks if n.version == 4],
                "prefixes6": [str(n) for n in networks if n.version == 6],
                "negate": isinstance(spec, NegatedZone),
            }
        )
    return zones


def _collapsed(networks: list[IPv4Network]) -> list[str]:
    """Merged and in numeric order, as nftables and FortiOS print them back."""
    return [str(n) for n in collapse_addresses(networks)]


def _ports(specs: list[str]) -> list[dict[str, Any]]:
    return [{"proto": s.split("/")[0], "port": int(s.split("/")[1])} for s in specs]


def expand_policy(plan: SitePlan, baseline: Baseline, wan: str) -> list[dict[str, Any]]:
    """One entry per (rule, source zone, destination zone); ids are stable in baseline order."""
    zones = {z["name"]: z for z in zone_table(plan, baseline, wan)}
    entries = []
    for rule in baseline.policy:
        pairs = [(s, d) for s in rule.from_ for d in rule.to if s in zones and d in zones]
        for src, dst in pairs:
            entries.append(
                {
                    "id": len(entries) + 1,
                    "name": rule.name if len(pairs) == 1 else f"{rule.name}-{src}",
                    "rule": rule.name,
                    "src": zones[src],
                    "dst": zones[dst],
                    "services": [
                        {"name": name, "ports": _ports(baseline.services_catalogue[name])}
                        for name in rule.services
                    ],
                    "action": "accept",
                    "log": True,
                    "ips": True,
                }
            )
    return entries


def used_services(policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each named service the policies use, once, with its ports grouped by protocol."""
    seen: dict[str, dict[str, Any]] = {}
    for policy in policies:
        for service in policy["services"]:
            if service["name"] not in seen:
                ports = service["ports"]
                seen[service["name"]] = {
                    "name": service["name"],
                    "tcp": [p["port"] for p in ports if p["proto"] == "tcp"],
                    "udp": [p["port"] for p in ports if p["proto"] == "udp"],
                }
    return list(seen.values())
