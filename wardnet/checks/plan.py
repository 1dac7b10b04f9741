"""City-wide plan checks (overlaps, duplicates, ranges) and per-site capacity checks."""

from __future__ import annotations

from ipaddress import IPv4Network
from itertools import pairwise

from wardnet.design import SiteDesign
from wardnet.findings import Finding
from wardnet.models import Baseline
from wardnet.sizing import pool_capacity

POE_WATTS_PER_AP = 30


def _site_networks(design: SiteDesign) -> list[tuple[IPv4Network, str]]:
    plan = design.plan
    nets = [(v.subnet, f"VLAN {v.id}") for v in plan.vlans]
    return [*nets, (plan.infra.transit, "transit"), (plan.infra.loopbacks, "loopbacks")]


def city_plan(designs: list[SiteDesign], baseline: Baseline) -> list[Finding]:
    """Overlaps and duplicates across every site (always the whole city, whatever --site says)."""
    findings = []
    intervals = sorted(
        (int(net.network_address), int(net.broadcast_address), d.plan.site.code, label)
        for d in designs
        for net, label in _site_networks(d)
    )
    for (_, end_a, code_a, label_a), (start_b, _, code_b, label_b) in pairwise(intervals):
        if start_b <= end_a:
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
    for design in designs:
        for net, label in _site_networks(design):
            if not net.subnet_of(baseline.ip_plan.supernet):
                findings.append(
                    Finding(
                        "PLAN-RANGE",
                        "critical",
                        design.plan.site.code,
                        "",
                        f"{label} {net} is outside the city supernet",
                        fix="enlarge ip_plan.supernet",
                    )
                )
    seen: dict[tuple[str, str], str] = {}
    for design in designs:
        code = design.plan.site.code
        keys = [("hostname", h) for h in design.devices] + [("ASN", str(design.plan.asn))]
        keys += [("management address", c["management"]["address"]) for c in design.devices.values()]
        for kind, value in keys:
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
    for vlan in plan.vlans:
        if vlan.pool_start is not None and pool_capacity(vlan.subnet.prefixlen) < vlan.pool_needed:
            findings.append(
                Finding(
                    "CAP-POOL",
                    "high",
                    site.code,
                    "",
                    f"VLAN {vlan.id} pool {vlan.pool_size} < {vlan.pool_needed} needed",
                    fix="raise the VLAN's min_prefix",
                )
            )
    ports = sum(
        (ports.count if (ports := baseline.models[d.spec.model].ports) else 0) * d.spec.members
        for d in plan.access_switches()
    )
    needed = plan.demand.ports_needed
    if ports < needed:
        per_switch = (
            baseline.models[plan.access_switches()[0].spec.model].ports if plan.access_switches() else None
        )
        extra = -(-(needed - ports) // per_switch.count) if per_switch else "some"
        findings.append(
            Finding(
                "CAP-PORTS",
                "high",
                site.code,
                "",
                f"{ports} access ports for {needed} needed ({plan.demand.endpoints} endpoints "
                f"+{baseline.sizing.port_spare:.0%} spare)",
                fix=f"add {extra} access switch(es) to devices",
            )
        )
    for hostname, port_list in design.ports.items():
        aps = sum(1 for p in port_list if p["mode"] == "trunk")
        model = baseline.models[design.devices[hostname]["model"]]
        if aps * POE_WATTS_PER_AP > model.poe_watts * design.devices[hostname]["members"]:
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
