"""City-wide plan checks (overlaps, duplicates, ranges) and per-site capacity checks."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from itertools import pairwise
from typing import Any

from wardnet.design import SiteDesign
from wardnet.design.config import TrunkPort
from wardnet.findings import Finding
from wardnet.models import Baseline

POE_WATTS_PER_AP = 30


def _site_networks(design: SiteDesign) -> list[tuple[IPv4Network | IPv6Network, str]]:
    plan = design.plan
    nets: list[tuple[IPv4Network | IPv6Network, str]] = [(v.subnet, f"VLAN {v.id}") for v in plan.vlans]
    nets += [(plan.infra.transit, "transit"), (plan.infra.loopbacks, "loopbacks")]
    nets += [(v.subnet6, f"VLAN {v.id} IPv6") for v in plan.vlans]
    return [*nets, (plan.infra6.transit, "IPv6 transit"), (plan.infra6.loopbacks, "IPv6 loopbacks")]


@dataclass(frozen=True)
class PlanFacts:
    """What the city-wide plan check reads of one site: small, so a worker that designed the site can send
    it back instead of the design."""

    code: str
    networks: tuple[tuple[IPv4Network | IPv6Network, str], ...]
    keys: tuple[tuple[str, str], ...]  # (kind, value) that no other site may use
    devices: int

    def as_record(self) -> dict[str, object]:
        """JSON-ready, for the check cache: an unchanged site's facts need no design."""
        return {
            "code": self.code,
            "networks": [[str(net), label] for net, label in self.networks],
            "keys": [list(k) for k in self.keys],
            "devices": self.devices,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PlanFacts:
        return cls(
            str(record["code"]),
            tuple((ip_network(net), str(label)) for net, label in record["networks"]),
            tuple((str(kind), str(value)) for kind, value in record["keys"]),
            int(record["devices"]),
        )


def plan_facts(design: SiteDesign) -> PlanFacts:
    keys = [("hostname", h) for h in design.devices] + [("ASN", str(design.plan.asn))]
    keys += [("management address", c.management.address) for c in design.devices.values()]
    return PlanFacts(design.plan.site.code, tuple(_site_networks(design)), tuple(keys), len(design.devices))


def city_plan(designs: list[SiteDesign], baseline: Baseline) -> list[Finding]:
    """Overlaps and duplicates across every site (always the whole city, whatever --site says)."""
    return city_plan_facts([plan_facts(d) for d in designs], baseline)


def city_plan_facts(sites: list[PlanFacts], baseline: Baseline) -> list[Finding]:
    """city_plan on the sites' facts, in the same order."""
    findings = []
    intervals = sorted(
        (net.version, int(net.network_address), int(net.broadcast_address), site.code, label)
        for site in sites
        for net, label in site.networks
    )
    for (version_a, _, end_a, code_a, label_a), (version_b, start_b, _, code_b, label_b) in pairwise(
        intervals
    ):
        if version_a == version_b and start_b <= end_a:
            findings.append(
                Finding(
                    "PLAN-OVERLAP",
                    "critical",
                    code_b,
                    "",
                    f"{label_b} of site {code_b} overlaps {label_a} of site {code_a}",
                    fix="check ip_plan.reserved_slots and code_base: each site needs its own block",
                )
            )
    for site in sites:
        for net, label in site.networks:
            supernet = baseline.ip_plan.supernet if net.version == 4 else baseline.ip_plan.ipv6.supernet
            if not net.subnet_of(supernet):  # type: ignore[arg-type]  # same version by construction
                findings.append(
                    Finding(
                        "PLAN-RANGE",
                        "critical",
                        site.code,
                        "",
                        f"{label} {net} is outside the city supernet",
                        fix="enlarge ip_plan.supernet",
                    )
                )
    seen: dict[tuple[str, str], str] = {}
    for site in sites:
        code = site.code
        for kind, value in site.keys:
            if (kind, value) in seen and seen[(kind, value)] != code:
                findings.append(
                    Finding(
                        "PLAN-DUPLICATE",
                        "critical",
                        code,
                        "",
                        f"{kind} {value} is also used by site {seen[(kind, value)]}",
                        fix="every site needs its own code",
                    )
                )
            seen.setdefault((kind, value), code)
    return findings


def capacity(design: SiteDesign, baseline: Baseline) -> list[Finding]:
    plan = design.plan
    site = plan.site
    findings = []
    minimum = baseline.sizing.min_users  # Decision 2448/2025's figure, in the baseline
    if site.concurrent_users < minimum:
        findings.append(
            Finding(
                "CAP-USERS",
                "high",
                site.code,
                "",
                f"designed for {site.concurrent_users} users; a {site.type} must serve {minimum}",
                fix=f"concurrent_users: {minimum}",
            )
        )
    # Each pool as served (the firewall's own, or the ward server's Kea): what the clients actually get.
    needed = {v.id: v.pool_needed for v in plan.vlans}
    for host, pool in design.served_pools():
        if pool.size < needed[pool.vlan]:
            findings.append(
                Finding(
                    "CAP-POOL",
                    "high",
                    site.code,
                    host,
                    f"VLAN {pool.vlan} pool {pool.size} < {needed[pool.vlan]} needed",
                    fix="raise the VLAN's min_prefix",
                )
            )
    findings += _port_coverage(design, baseline)
    for hostname, port_list in design.ports.items():
        aps = sum(1 for p in port_list if isinstance(p, TrunkPort))
        model = baseline.models[design.devices[hostname].model]
        if aps * POE_WATTS_PER_AP > model.poe_watts * design.devices[hostname].members:
            findings.append(
                Finding(
                    "CAP-POE",
                    "medium",
                    site.code,
                    hostname,
                    f"{aps} access points need {aps * POE_WATTS_PER_AP} W of PoE, "
                    f"{model.poe_watts} W available",
                    fix="use a PoE model or spread access points",
                )
            )
    return findings


def _port_coverage(design: SiteDesign, baseline: Baseline) -> list[Finding]:
    """Every wired VLAN and the access points get as many edge ports as the demand says, across the site."""
    plan = design.plan
    wanted = {str(vid): n for vid, n in plan.demand.wired.items()} | {"AP": plan.demand.access_points}
    given = dict.fromkeys(wanted, 0)
    per_switch = dict.fromkeys(wanted, 0)
    for port_list in design.ports.values():
        counted = dict.fromkeys(wanted, 0)
        for port in port_list:
            label = "AP" if isinstance(port, TrunkPort) else str(port.vlan)
            if label in counted and not port.shutdown:
                counted[label] += 1
        for label, n in counted.items():
            given[label] += n
            per_switch[label] = max(per_switch[label], n)
    short = {label: wanted[label] - given[label] for label in wanted if given[label] < wanted[label]}
    if not short:
        return []
    extra = max(-(-missing // max(per_switch[label], 1)) for label, missing in short.items())
    detail = ", ".join(
        f"{'access points' if label == 'AP' else 'VLAN ' + label} {given[label]} of {wanted[label]}"
        for label, missing in short.items()
    )
    return [
        Finding(
            "CAP-PORTS",
            "high",
            plan.site.code,
            "",
            f"edge ports short for the demand of {plan.site.concurrent_users} users: {detail}",
            fix=f"add {extra} access switch(es) to devices (next free names after the highest accN)",
        )
    ]
