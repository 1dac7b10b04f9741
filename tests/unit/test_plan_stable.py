"""Ordinary edits never move what they did not touch (issue 15): users, switches and wards.

Expectations are literal addresses or arithmetic done here, never the plan's own functions; the diff
classification (moved, grown, added, removed) comes from wardnet.plandiff; its rules are tested below.
"""

from __future__ import annotations

import math
from ipaddress import IPv4Network, IPv6Network

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.design import design_site
from wardnet.inventory import load_inventory
from wardnet.ipam import PlanError
from wardnet.models import MAX_CONCURRENT_USERS, Baseline, DeviceSpec, Site
from wardnet.plandiff import Change, diff, site_facts

INVENTORY_NOW = load_inventory(INVENTORY)
BASELINE = INVENTORY_NOW.baseline
CODES = sorted(INVENTORY_NOW.sites)
USERS = st.integers(min_value=1, max_value=MAX_CONCURRENT_USERS)


def site(code: str) -> Site:
    return INVENTORY_NOW.sites[code].site


def facts(s: Site, baseline: Baseline = BASELINE) -> dict[str, dict[str, str]]:
    return {s.code: site_facts(design_site(s, baseline))}


def test_ben_thanh_keeps_its_management_servers_and_staff_addresses() -> None:
    """Literal addresses the NMS, the SIEM and the cabling sheets hold (block 10.65.48.0/20)."""
    now = facts(site(BEN_THANH))[BEN_THANH]
    assert now["hcm-26743-core management"] == "10.65.55.2"
    assert now["hcm-26743-acc3 management"] == "10.65.55.13"
    assert now["hcm-26743-srv1 address"] == "10.65.55.74"
    assert now["26743 vlan 20 STAFF subnet"] == "10.65.52.0/24"
    assert now["26743 vlan 10 MGMT subnet"] == "10.65.55.0/26"
    assert now["26743 transit"] == "10.65.55.240/31"


@given(st.sampled_from(CODES), USERS, USERS)
@example(BEN_THANH, 500, 900)
@example(BEN_THANH, 1, MAX_CONCURRENT_USERS)
@settings(max_examples=40, deadline=None)
def test_changing_users_only_grows_pools_in_place(code: str, before: int, after: int) -> None:
    low, high = sorted((before, after))
    old = facts(site(code).model_copy(update={"concurrent_users": low}))
    new = facts(site(code).model_copy(update={"concurrent_users": high}))
    changes = diff(old, new)
    assert {c.kind for c in changes} <= {"grown"}, [c for c in changes if c.kind != "grown"]
    for change in changes:
        assert " vlan " in change.key and change.key.endswith((" subnet", " pool"))
        if change.key.endswith(" subnet"):
            small, big = IPv4Network(change.old or ""), IPv4Network(change.new or "")
            assert small.network_address == big.network_address and small.subnet_of(big)


def test_500_to_900_users_at_ben_thanh_grows_exactly_the_pools_that_need_it() -> None:
    old = facts(site(BEN_THANH))
    new = facts(site(BEN_THANH).model_copy(update={"concurrent_users": 900}))
    grown = {c.key: c.new for c in diff(old, new)}
    # 900 users: STAFF 180 x 2 = 360 > 245 (/24 pool) -> /23; GUEST 540 x 2 = 1080 > 1013 (/22) -> /21;
    # VOICE 72 x 2 = 144 > 117 (/25) -> /24; SERVICES 54 x 2 = 108 <= 117 (/25), CAMERAS 27 x 2 = 54 and
    # AP-MGMT 18 x 2 = 36 <= 53 (/26) stay.
    assert grown == {
        "26743 vlan 40 VOICE subnet": "10.65.48.0/24",
        "26743 vlan 40 VOICE pool": "10.65.48.10-10.65.48.254",
        "26743 vlan 20 STAFF subnet": "10.65.52.0/23",
        "26743 vlan 20 STAFF pool": "10.65.52.10-10.65.53.254",
        "26743 vlan 21 STAFF-WIFI subnet": "10.65.50.0/23",
        "26743 vlan 21 STAFF-WIFI pool": "10.65.50.10-10.65.51.254",
        "26743 vlan 50 GUEST-WIFI subnet": "10.65.56.0/21",
        "26743 vlan 50 GUEST-WIFI pool": "10.65.56.10-10.65.63.254",
    }


def without_access(s: Site, name: str) -> Site:
    return s.model_copy(update={"devices": [d for d in s.devices if d.name != name]})


@given(st.sampled_from(CODES), st.data())
@example(BEN_THANH, None)
@settings(max_examples=30, deadline=None)
def test_removing_an_access_switch_removes_only_its_own_facts(code: str, data: st.DataObject | None) -> None:
    s = site(code)
    names = [d.name for d in s.devices if d.role == "access"]
    name = "acc2" if data is None else data.draw(st.sampled_from(names))
    changes = diff(facts(s), facts(without_access(s, name)))
    hostname = f"hcm-{code}-{name}"
    assert changes and all(c.kind == "removed" for c in changes), changes
    for change in changes:
        assert change.key.startswith(hostname) or f"downlink to {hostname}" in (change.old or "")


@given(st.sampled_from(CODES), st.integers(min_value=1, max_value=21))
@settings(max_examples=30, deadline=None)
def test_adding_an_access_switch_adds_only_its_own_facts(code: str, number: int) -> None:
    s = site(code)
    taken = {d.name for d in s.devices}
    name = f"acc{number}"
    if name in taken:
        s = without_access(s, name)  # re-adding a removed switch brings back exactly its facts
    added = s.model_copy(
        update={"devices": [*s.devices, DeviceSpec(name=name, role="access", model="C9300-48P")]}
    )
    changes = diff(facts(s), facts(added))
    assert changes and all(c.kind == "added" for c in changes), changes
    hostname = f"hcm-{code}-{name}"
    for change in changes:
        assert change.key.startswith(hostname) or f"downlink to {hostname}" in (change.new or "")


def test_the_servers_core_port_is_never_an_access_uplink() -> None:
    s = site(BEN_THANH)
    devices = [d for d in s.devices if d.role != "access"]
    devices += [DeviceSpec(name=f"acc{n}", role="access", model="C9300-48P") for n in range(1, 22)]
    core = design_site(s.model_copy(update={"devices": devices}), BASELINE).devices["hcm-26743-core"]
    server_ports = {p.name for p in core.edge_ports}
    uplinks = {m for c in core.port_channels for m in c.members}
    assert server_ports == {"TwentyFiveGigE1/0/22", "TwentyFiveGigE2/0/22"}  # 24 ports: 23-24 firewall
    assert not server_ports & uplinks
    too_many = s.model_copy(
        update={"devices": [*devices, DeviceSpec(name="acc22", role="access", model="C9300-48P")]}
    )
    with pytest.raises(PlanError, match="at most acc21"):
        design_site(too_many, BASELINE)


@given(USERS)
@example(MAX_CONCURRENT_USERS)
@settings(max_examples=50, deadline=None)
def test_infrastructure_never_overlaps_a_vlan_at_any_size(users: int) -> None:
    plan = design_site(site(BEN_THANH).model_copy(update={"concurrent_users": users}), BASELINE).plan
    block = IPv4Network("10.65.48.0/20")
    infra = [plan.infra.transit, plan.infra.loopbacks]
    nets = [v.subnet for v in plan.vlans] + infra
    assert all(n.subnet_of(block) for n in nets)
    for index, left in enumerate(nets):
        for right in nets[index + 1 :]:
            assert not left.overlaps(right), (left, right)


def test_the_largest_site_is_what_the_staff_places_hold() -> None:
    # STAFF's place is a /23: 512 addresses - network, broadcast, gateway and hosts .2-.9 = 501 in the pool.
    # 2.0 headroom x ceil(20 % of users) <= 501  <=>  ceil(0.2 users) <= 250  <=>  users <= 1250.
    assert MAX_CONCURRENT_USERS == 1250
    biggest = site(BEN_THANH).model_copy(update={"concurrent_users": 1250})
    staff = next(v for v in design_site(biggest, BASELINE).plan.vlans if v.id == 20)
    assert staff.subnet == IPv4Network("10.65.52.0/23")


def test_outgrowing_a_place_is_refused_with_the_largest_value_that_fits() -> None:
    # STAFF at 40 %: ceil(0.4 users) x 2 <= 501  <=>  users <= 625
    vlans = [v.model_copy(update={"share": 0.4}) if v.id == 20 else v for v in BASELINE.vlans]
    baseline = BASELINE.model_copy(update={"vlans": vlans})
    assert math.ceil(0.4 * 625) * 2 <= 501 < math.ceil(0.4 * 626) * 2
    design_site(site(BEN_THANH).model_copy(update={"concurrent_users": 625}), baseline)
    with pytest.raises(PlanError, match=r"largest concurrent_users the plan holds is 625\b"):
        design_site(site(BEN_THANH).model_copy(update={"concurrent_users": 626}), baseline)


def test_a_ward_added_or_removed_moves_no_other_ward() -> None:
    everything = {c: site_facts(design_site(site(c), BASELINE)) for c in CODES}
    fewer = {c: f for c, f in everything.items() if c != "26732"}
    changes = diff(everything, fewer)
    assert {c.site for c in changes} == {"26732"} and {c.kind for c in changes} == {"removed"}


def test_diff_kinds() -> None:
    old = {"1": {"a subnet": "10.0.0.0/24", "b pool": "10.0.0.10-10.0.0.254", "c": "x", "d": "y"}}
    new = {"1": {"a subnet": "10.0.0.0/23", "b pool": "10.0.0.10-10.0.0.200", "c": "z", "e": "w"}}
    assert diff(old, new) == [
        Change("1", "a subnet", "grown", "10.0.0.0/24", "10.0.0.0/23"),
        Change("1", "b pool", "moved", "10.0.0.10-10.0.0.254", "10.0.0.10-10.0.0.200"),
        Change("1", "c", "moved", "x", "z"),
        Change("1", "d", "removed", "y", None),
        Change("1", "e", "added", None, "w"),
    ]


def test_ben_thanh_ipv6_plan_reads_like_its_ipv4_plan() -> None:
    now = facts(site(BEN_THANH))[BEN_THANH]
    assert now["26743 block6"] == "2001:db8:413::/48"  # slot 1043 = 0x413 of 2001:db8::/32
    assert now["26743 vlan 20 STAFF subnet6"] == "2001:db8:413:20::/64 (dhcpv6)"  # srv1 runs Kea
    assert now["26743 vlan 50 GUEST-WIFI subnet6"] == "2001:db8:413:50::/64 (slaac)"
    assert now["hcm-26743-acc3 management6"] == "2001:db8:413:10::13"  # host 13 <-> ::13
    assert now["hcm-26743-srv1 address6"] == "2001:db8:413:60::10"
    assert now["26743 transit6"] == "2001:db8:413:ffff::/127"


def test_without_a_server_dhcpv6_falls_back_to_slaac() -> None:
    alone = site(BEN_THANH).model_copy(update={"servers": []})
    assert facts(alone)[BEN_THANH]["26743 vlan 20 STAFF subnet6"] == "2001:db8:413:20::/64 (slaac)"


def test_every_site_has_its_own_ipv6_prefix_and_nothing_overlaps_inside_it() -> None:
    supernet6 = IPv6Network("2001:db8::/32")
    blocks = []
    for code in CODES:
        plan = design_site(site(code), BASELINE).plan
        assert plan.block6.subnet_of(supernet6) and plan.block6.prefixlen == 48
        nets = [v.subnet6 for v in plan.vlans] + [plan.infra6.transit, plan.infra6.loopbacks]
        assert all(n.subnet_of(plan.block6) for n in nets)
        assert len({n.network_address for n in nets}) == len(nets)  # disjoint: /64s and a /127 in its own /64
        blocks.append(plan.block6)
    assert len(set(blocks)) == len(CODES)
