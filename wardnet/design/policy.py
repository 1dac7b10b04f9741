"""Zone-based, default-deny policy: the baseline's named flows expanded for one site."""

from __future__ import annotations

from ipaddress import IPv4Network, collapse_addresses

from wardnet import ipam
from wardnet.design.common import baseline_memo
from wardnet.design.config import Policy, PolicyService, Service, ServicePort, Zone
from wardnet.design.site import PlannedServer, SitePlan
from wardnet.models import Baseline, NegatedZone


def vlan_interface(vlan_id: int) -> str:
    return f"vlan{vlan_id}"


SITE_DNS = "site_dns"
# Client zones told to use the ward server's resolver (unbound) when the site has one (issue 17).
CLIENT_ZONES = ("staff", "services", "guest", "iot", "voice")


def _site_resolvers(plan: SitePlan) -> list[PlannedServer]:
    return [s for s in plan.servers if "dhcp_dns" in s.services]


def zone_table(plan: SitePlan, baseline: Baseline, wan: str) -> list[Zone]:
    """Every zone the firewall knows: local ones behind VLAN interfaces, remote ones behind the WAN, and
    the site's resolver as a zone of its own (its host addresses only, behind the servers VLAN)."""
    zones = []
    for zone in plan.zones:
        vlans = plan.vlans_in_zone(zone)
        zones.append(
            Zone(
                name=zone,
                local=True,
                interfaces=[vlan_interface(v.id) for v in vlans],
                prefixes=[ipam.text(v.subnet) for v in vlans],
                prefixes6=[ipam.text(v.subnet6) for v in vlans],
                negate=False,
            )
        )
    zones += _remote_zones(baseline, wan)
    resolvers = _site_resolvers(plan)
    if resolvers:
        servers = next(v for v in plan.vlans if resolvers[0].address in v.subnet)
        zones.append(
            Zone(
                name=SITE_DNS,
                local=False,
                interfaces=[vlan_interface(servers.id)],
                prefixes=[f"{s.address}/32" for s in resolvers],
                prefixes6=[f"{s.address6}/128" for s in resolvers],
                negate=False,
            )
        )
    return zones


def _remote_zones(baseline: Baseline, wan: str) -> list[Zone]:
    """The zones behind the WAN: the baseline's alone, built once per baseline and shared (frozen)."""
    memo = baseline_memo(baseline)
    key = ("remote zones", wan)
    zones: list[Zone] | None = memo.get(key)
    if zones is None:
        zones = memo[key] = [
            Zone(
                name=name,
                local=False,
                interfaces=[wan],
                prefixes=[str(n) for n in networks if n.version == 4],
                prefixes6=[str(n) for n in networks if n.version == 6],
                negate=isinstance(spec, NegatedZone),
            )
            for name, spec in sorted(baseline.remote_zones.items())
            for networks in [spec.not_ if isinstance(spec, NegatedZone) else spec]
        ]
    return zones


def _collapsed(networks: list[IPv4Network]) -> list[str]:
    """Merged and in numeric order, as nftables and FortiOS print them back."""
    return [str(n) for n in collapse_addresses(networks)]


def _ports(specs: list[str]) -> list[ServicePort]:
    return [ServicePort(proto=s.split("/")[0], port=int(s.split("/")[1])) for s in specs]


def _policy_service(baseline: Baseline, name: str) -> PolicyService:
    """A named service of the catalogue with its ports: once per baseline, shared (frozen)."""
    memo = baseline_memo(baseline)
    service: PolicyService | None = memo.get(("policy service", name))
    if service is None:
        service = memo[("policy service", name)] = PolicyService(
            name=name, ports=_ports(baseline.services_catalogue[name])
        )
    return service


def expand_policy(plan: SitePlan, baseline: Baseline, table: list[Zone]) -> list[Policy]:
    """One entry per (rule, source zone, destination zone) of the zone table; ids are stable in baseline
    order."""
    zones = {z.name: z for z in table}
    entries: list[Policy] = []
    for rule in baseline.policy:
        pairs = [(s, d) for s in rule.from_ for d in rule.to if s in zones and d in zones]
        for src, dst in pairs:
            entries.append(
                Policy(
                    id=len(entries) + 1,
                    name=rule.name if len(pairs) == 1 else f"{rule.name}-{src}",
                    rule=rule.name,
                    src=zones[src],
                    dst=zones[dst],
                    services=[_policy_service(baseline, name) for name in rule.services],
                    action="accept",
                    log=True,
                    ips=True,
                )
            )
    if SITE_DNS in zones:  # clients get the site resolver by DHCP: let them reach it, DNS only
        dns = _policy_service(baseline, "dns")
        sources = [z for z in CLIENT_ZONES if z in zones]
        for src in sources:
            entries.append(
                Policy(
                    id=len(entries) + 1,
                    name=f"clients-to-site-dns-{src}",
                    rule="clients-to-site-dns",
                    src=zones[src],
                    dst=zones[SITE_DNS],
                    services=[dns],
                    action="accept",
                    log=True,
                    ips=True,
                )
            )
    return entries


def used_services(policies: list[Policy]) -> list[Service]:
    """Each named service the policies use, once, with its ports grouped by protocol."""
    seen: dict[str, Service] = {}
    for policy in policies:
        for service in policy.services:
            if service.name not in seen:
                ports = service.ports
                seen[service.name] = Service(
                    name=service.name,
                    tcp=[p.port for p in ports if p.proto == "tcp"],
                    udp=[p.port for p in ports if p.proto == "udp"],
                )
    return list(seen.values())
