"""Cross-field rules of the city baseline: one typo there reaches all 169 sites, so it is held as strictly as
a ward file. Each rule names the field, its line and the fix; nothing downstream has to defend itself.

- baseline_problems: the baseline alone (VLAN catalogue, management and servers VLANs, hardware, ASNs);
- city_problems: the baseline against the site codes (city-level addresses outside every site block,
  reserved slots clear of every unit's slot).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from ipaddress import IPv4Address, IPv4Network, IPv6Network

from wardnet import ipam
from wardnet.design.site import FIRST_ACCESS_HOST, SERVERS_ZONE
from wardnet.errors import InputProblem, display_path
from wardnet.models import MAX_ACCESS_SWITCHES, Baseline, NegatedZone, Vlan
from wardnet.yamlsrc import Loc, YamlSource

MAX_ASN = 4_294_967_294  # 4-byte ASNs; 4,294,967,295 is reserved (RFC 7300)
LARGEST_CODE = 99_999  # site ASN = site_asn_base + the 5-digit code
SMALLEST_PLACE = 28  # gateway .1, static infrastructure .2-.9, pools and servers from .10
CORE_RESERVED_PORTS = 3  # the servers' port and one per firewall unit, at the end of each core member
HIGHEST_MANAGEMENT_HOST = FIRST_ACCESS_HOST + MAX_ACCESS_SWITCHES - 1  # acc48


class _Report:
    """Problems of one file, each placed at the line its field was written on."""

    def __init__(self, source: YamlSource) -> None:
        self.source = source
        self.shown = display_path(source.path)
        self.problems: list[InputProblem] = []

    def add(self, loc: Loc, message: str, fix: str) -> None:
        field = ".".join(str(part) for part in loc)
        self.problems.append(InputProblem(self.shown, field, message, fix, self.source.line_of(loc)))


def baseline_problems(baseline: Baseline, source: YamlSource) -> list[InputProblem]:
    report = _Report(source)
    _catalogue(baseline, report)
    _management_vlan(baseline, report)
    _servers_vlan(baseline, report)
    _hardware(baseline, report)
    _asns(baseline, report)
    return report.problems


def _label(vlan: Vlan) -> str:
    return f"{vlan.id} ({vlan.name})"


def _catalogue(baseline: Baseline, report: _Report) -> None:
    """VLAN ids and names unique (names compared without case and punctuation: STAFF-WIFI = STAFF_WIFI)."""
    ids: dict[int, int] = {}
    names: dict[str, int] = {}
    for index, vlan in enumerate(baseline.vlans):
        if vlan.id in ids:
            report.add(
                ("vlans", index, "id"),
                f"VLAN id {vlan.id} is also vlans.{ids[vlan.id]} ({baseline.vlans[ids[vlan.id]].name})",
                "give each VLAN its own id",
            )
        ids.setdefault(vlan.id, index)
        key = re.sub(r"[^A-Z0-9]", "", vlan.name.upper())
        if key in names:
            first = baseline.vlans[names[key]]
            report.add(
                ("vlans", index, "name"),
                f"name {vlan.name} is alike vlans.{names[key]} ({first.name}); devices and pages would show "
                "two VLANs under one name",
                "give each VLAN a distinct name",
            )
        names.setdefault(key, index)
        if vlan.place is not None and vlan.place.prefixlen > SMALLEST_PLACE:
            report.add(
                ("vlans", index, "place"),
                f"{vlan.place} is too small for a VLAN: the gateway is .1, static infrastructure .2-.9, "
                "pools and servers start at .10",
                f"give the VLAN a place of /{SMALLEST_PLACE} or larger",
            )


def _static_choices(baseline: Baseline) -> str:
    static = [_label(v) for v in baseline.vlans if v.place is not None and v.share is None]
    return ", ".join(static) or "none: add a static VLAN with a place"


def _management_vlan(baseline: Baseline, report: _Report) -> None:
    """The management VLAN exists, has addresses, is static (no user's DHCP lease in it) and holds acc48."""
    loc: Loc = ("management", "vlan")
    wanted = baseline.management.vlan
    found = [v for v in baseline.vlans if v.id == wanted]
    fix = f"point management.vlan at a static VLAN: {_static_choices(baseline)}"
    if not found:
        report.add(loc, f"no VLAN with id {wanted} in vlans", fix)
        return
    vlan = found[0]
    if vlan.place is None:
        report.add(loc, f"VLAN {_label(vlan)} is the parking VLAN (no addresses)", fix)
    elif vlan.share is not None:
        report.add(
            loc,
            f"VLAN {_label(vlan)} is a user VLAN (DHCP clients): users would share the devices' management "
            "network",
            fix,
        )
    elif vlan.place.num_addresses - 2 < HIGHEST_MANAGEMENT_HOST:
        index = baseline.vlans.index(vlan)
        report.add(
            ("vlans", index, "place"),
            f"the management VLAN's place {vlan.place} has {vlan.place.num_addresses - 2} hosts; acc"
            f"{MAX_ACCESS_SWITCHES} is host {HIGHEST_MANAGEMENT_HOST}",
            "give the management VLAN a /26 or larger",
        )


def _servers_vlan(baseline: Baseline, report: _Report) -> None:
    """Exactly one static VLAN in the servers zone: the core's server port and srvN addresses live there."""
    found = [(i, v) for i, v in enumerate(baseline.vlans) if v.zone == SERVERS_ZONE]
    if not found:
        report.add(
            ("vlans",),
            f"no VLAN in zone '{SERVERS_ZONE}': the core's server port and the site servers need one",
            f"add a static VLAN with zone: {SERVERS_ZONE} and a place (README.md, IP plan)",
        )
        return
    for index, vlan in found[1:]:
        report.add(
            ("vlans", index, "zone"),
            f"VLAN {_label(vlan)} is a second VLAN in zone '{SERVERS_ZONE}' (first: {_label(found[0][1])})",
            f"keep one VLAN in zone {SERVERS_ZONE}",
        )
    index, vlan = found[0]
    if vlan.place is None or vlan.share is not None:
        report.add(
            ("vlans", index),
            f"the servers VLAN {_label(vlan)} must be static with a place: servers have fixed addresses",
            "give it a place and remove share, min_prefix and lease_minutes",
        )


def _hardware(baseline: Baseline, report: _Report) -> None:
    """Every model has the ports its role's design uses."""
    for name, model in baseline.models.items():
        base: Loc = ("models", name)
        if model.role == "firewall":
            for key, purpose in (("lan_ports", "to the core"), ("wan_ports", "to the city core")):
                if not getattr(model, key):
                    report.add(
                        (*base, key),
                        f"a firewall model needs at least one {key[:3].upper()} port ({purpose})",
                        f"list the port names, e.g. {key}: [{'x1' if key == 'lan_ports' else 'wan1'}]",
                    )
            continue
        if model.ports is None:
            report.add(
                (*base, "ports"),
                f"a {model.role} switch model needs its edge ports",
                'add ports: {pattern: "GigabitEthernet{member}/0/{port}", count: 48}',
            )
        elif model.role == "core" and model.ports.count <= CORE_RESERVED_PORTS:
            report.add(
                (*base, "ports", "count"),
                f"a core has {model.ports.count} ports, but its last {CORE_RESERVED_PORTS} are the servers' "
                "and the firewall's, leaving none for an access switch",
                f"give the real port count (at least {CORE_RESERVED_PORTS + 1})",
            )
        if model.role == "access" and not model.uplinks:
            report.add(
                (*base, "uplinks"),
                "an access switch model needs at least one uplink (to the core)",
                'list them, e.g. uplinks: ["TenGigabitEthernet{member}/1/1"]',
            )


def _asns(baseline: Baseline, report: _Report) -> None:
    """Site ASNs (base + every possible 5-digit code) stay 4-byte and never equal the city core's."""
    plan = baseline.ip_plan
    highest = plan.site_asn_base + LARGEST_CODE
    if highest > MAX_ASN:
        report.add(
            ("ip_plan", "site_asn_base"),
            f"site ASNs run up to {plan.site_asn_base} + {LARGEST_CODE} = {highest}, above the largest "
            f"4-byte ASN {MAX_ASN}",
            f"use a site_asn_base of at most {MAX_ASN - LARGEST_CODE} (e.g. 4200000000)",
        )
    if plan.site_asn_base <= plan.city_core_asn <= highest:
        code = plan.city_core_asn - plan.site_asn_base
        report.add(
            ("ip_plan", "city_core_asn"),
            f"{plan.city_core_asn} is inside the site ASN range {plan.site_asn_base}-{highest} (the ASN of "
            f"code {code:05d})",
            f"use an ASN outside that range, e.g. {65000 if plan.site_asn_base > 65000 else MAX_ASN}",
        )


def city_problems(baseline: Baseline, source: YamlSource, codes: Iterable[str]) -> list[InputProblem]:
    """The baseline against every site code (loaded sites, official units, reserved city-level sites)."""
    report = _Report(source)
    plan = baseline.ip_plan
    slots = 2 ** (plan.site_prefix - plan.supernet.prefixlen)
    unit_slots = {int(c) - plan.code_base: c for c in sorted(set(codes)) if c not in plan.reserved_slots}
    unit_slots = {s: c for s, c in unit_slots.items() if 0 <= s < slots}
    reserved_by_slot: dict[int, str] = {}
    for code, slot in plan.reserved_slots.items():
        loc: Loc = ("ip_plan", "reserved_slots", code)
        lowest = min(unit_slots, default=slots)
        fix = f"pick a free slot from 1 to {lowest - 1} (below the lowest unit's slot)"
        if slot >= slots:
            report.add(loc, f"slot {slot} is outside the plan's {slots} slots", fix)
        elif slot in unit_slots:
            report.add(loc, f"slot {slot} is the block of unit {unit_slots[slot]} (code - code_base)", fix)
        elif slot in reserved_by_slot:
            report.add(loc, f"slot {slot} is also reserved for {reserved_by_slot[slot]}", fix)
        reserved_by_slot.setdefault(slot, code)
    owners = {slot: code for slot, code in reserved_by_slot.items() if slot < slots} | unit_slots
    blocks = sorted((ipam.site_block(code, plan), code) for code in set(owners.values()))
    blocks6 = sorted((ipam.site_block6(code, plan), code) for code in set(owners.values()))
    _outside_site_blocks(baseline, report, blocks, blocks6)
    return report.problems


def _city_addresses(baseline: Baseline) -> Iterator[tuple[Loc, IPv4Network | IPv6Network]]:
    """Every city-level network and server the baseline names, where it was written."""
    for name, zone in baseline.remote_zones.items():
        if not isinstance(zone, NegatedZone):  # "everything but" zones contain the site space by design
            yield from ((("remote_zones", name, i), net) for i, net in enumerate(zone))
    yield from ((("management", "sources", i), net) for i, net in enumerate(baseline.management.sources))
    services = baseline.services
    addresses: list[tuple[Loc, list[IPv4Address], Loc]] = [
        (("services", "ntp", "servers"), services.ntp.servers, ()),
        (("services", "syslog", "servers"), services.syslog.servers, ()),
        (("services", "dns", "servers"), services.dns.servers, ()),
        (("services", "snmp", "trap_hosts"), services.snmp.trap_hosts, ()),
        (("aaa", "tacacs"), [s.address for s in baseline.aaa.tacacs], ("address",)),
        (("aaa", "radius"), [s.address for s in baseline.aaa.radius], ("address",)),
    ]
    for loc, items, tail in addresses:
        yield from (((*loc, i, *tail), IPv4Network(address)) for i, address in enumerate(items))


def _outside_site_blocks(
    baseline: Baseline,
    report: _Report,
    blocks: list[tuple[IPv4Network, str]],
    blocks6: list[tuple[IPv6Network, str]],
) -> None:
    """A remote zone, management source or city server inside a site block would be a ward's own LAN."""
    city_block = IPv4Network((baseline.ip_plan.supernet.network_address, baseline.ip_plan.site_prefix))
    free = not any(block == city_block for block, _ in blocks)
    fix = "city-level networks and servers sit outside every site block" + (
        f" (slot 0, {city_block}, is the city's own)" if free else ""
    )
    for loc, network in _city_addresses(baseline):
        if isinstance(network, IPv6Network):
            hits6 = [(block, code) for block, code in blocks6 if block.overlaps(network)]
            if hits6:
                report.add(loc, f"{network} overlaps site {hits6[0][1]}'s IPv6 prefix {hits6[0][0]}", fix)
            continue
        hits = [(block, code) for block, code in blocks if block.overlaps(network)]
        if hits:
            block, code = hits[0]
            more = f" and {len(hits) - 1} other site blocks" if len(hits) > 1 else ""
            report.add(loc, f"{network} overlaps site {code}'s block {block}{more}", fix)
