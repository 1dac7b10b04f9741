"""Invariants any IP plan must keep, checked with `ipaddress` on what the design hands out, never with the
plan's own arithmetic: the transit and loopbacks stay clear of every VLAN, every DHCP pool sits inside its
subnet clear of the gateway and holds at least peak clients x headroom (SIZING.md), at the user counts
where a pool size crosses a power of two, where an off-by-one shows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from ipaddress import IPv4Address, IPv4Network
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import BEN_THANH
from wardnet import ipam
from wardnet.design.site import plan_site
from wardnet.errors import InputError
from wardnet.inventory import Inventory, load_inventory
from wardnet.models import Baseline, IpPlan

BLOCK = IPv4Network("10.65.48.0/20")


def _infra_is_clear(block: IPv4Network, plan: IpPlan, subnets: list[IPv4Network]) -> None:
    infra = ipam.infra(block, plan)
    assert infra.transit.prefixlen == 31
    assert infra.transit.subnet_of(block) and infra.loopbacks.subnet_of(block)
    assert not infra.transit.overlaps(infra.loopbacks)
    assert {infra.city_core_side, infra.site_side} == set(infra.transit)
    for subnet in subnets:
        assert not subnet.overlaps(infra.transit), f"{subnet} takes the transit {infra.transit}"
        assert not subnet.overlaps(infra.loopbacks), f"{subnet} takes the loopbacks {infra.loopbacks}"


def test_a_vlan_place_on_the_infrastructure_is_refused(inventory_copy: Callable[..., Path]) -> None:
    """The plan can only ever hand the transit to a VLAN through the baseline: loading refuses it."""
    root = inventory_copy(BEN_THANH)
    baseline = root / "group_vars/all/baseline.yml"
    text = baseline.read_text(encoding="utf-8")
    baseline.write_text(text.replace("place: 0.0.7.64/27", "place: 0.0.7.224/27"), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_inventory(root)
    assert any(
        p.field.endswith(".place") and "overlaps 0.0.7.240/28 (ip_plan.infra_place)" in p.message
        for p in refused.value.problems
    ), refused.value.problems


@given(st.integers(0, 2**12 - 1))
@example(0)
@example(2**12 - 1)
@settings(max_examples=40, deadline=None)
def test_the_infra_place_is_where_the_baseline_says_in_any_block(slot: int) -> None:
    # 0.0.7.240/28 of the block: 10.0.0.0/9 + slot x 4096 + 7 x 256 + 240, computed here with integers
    plan = IpPlan.model_validate(
        {
            "supernet": "10.0.0.0/8",
            "site_prefix": 20,
            "code_base": 0,
            "infra_place": "0.0.7.240/28",
            "ipv6": {"supernet": "2001:db8::/32"},
            "city_core_asn": 65000,
            "site_asn_base": 4200000000,
        }
    )
    block = IPv4Network((0x0A000000 + slot * 4096, 20))
    infra = ipam.infra(block, plan)
    base = 0x0A000000 + slot * 4096 + 7 * 256 + 240
    assert int(infra.transit.network_address) == base and int(infra.loopbacks.network_address) == base + 8


# --- pools, on designed sites -------------------------------------------------------------------------


def _needed(users: int, share: float, baseline: Baseline) -> int:
    """Peak clients x headroom, exactly (SIZING.md): ceil(users x share), then x headroom, rounded up."""
    peak = math.ceil(users * Fraction(str(share)))
    return math.ceil(peak * Fraction(str(baseline.sizing.headroom)))


def _boundary_users(baseline: Baseline) -> list[int]:
    """User counts whose need for some DHCP VLAN lands just under a power of two, where the usable pool
    of a subnet (its size minus the addresses kept out of the pool) runs out."""
    found = set()
    for vlan in baseline.vlans:
        if vlan.share is None:
            continue
        for users in range(1, 2001):
            need = _needed(users, vlan.share, baseline)
            if any(2**k - 16 <= need <= 2**k for k in range(6, 12)):
                found.add(users)
    return sorted(found)


def _check_site(inventory: Inventory, users: int) -> None:
    baseline = inventory.baseline
    site = inventory.sites[BEN_THANH].site.model_copy(update={"concurrent_users": users})
    try:
        plan = plan_site(site, baseline)  # the IP plan alone: the switches and firewall add nothing here
    except ipam.PlanError:
        return  # too big for a block: refused, and the check stage says so
    shares = {v.id: v.share for v in baseline.vlans}
    subnets = [v.subnet for v in plan.vlans]
    for a, b in combinations(subnets, 2):
        assert not a.overlaps(b)
    assert all(n.subnet_of(plan.block) for n in subnets)
    _infra_is_clear(plan.block, baseline.ip_plan, subnets)
    for vlan in plan.vlans:
        assert vlan.gateway in vlan.subnet and vlan.gateway not in (
            vlan.subnet.network_address,
            vlan.subnet.broadcast_address,
        )
        if shares[vlan.id] is None:
            assert vlan.pool_start is None and vlan.pool_end is None
            continue
        start, end = IPv4Address(vlan.pool_start), IPv4Address(vlan.pool_end)
        usable = (vlan.subnet.network_address, vlan.subnet.broadcast_address)
        assert start in vlan.subnet and end in vlan.subnet and start <= end
        assert start not in usable and end not in usable, (users, vlan.id, start, end)
        assert not start <= vlan.gateway <= end, (users, vlan.id, "the pool holds the gateway")
        size = int(end) - int(start) + 1
        need = _needed(users, shares[vlan.id], baseline)
        assert size >= need, f"{users} users: VLAN {vlan.id} pool {start}-{end} holds {size} < {need}"


def test_pools_hold_the_need_at_every_power_of_two_boundary(inventory: Inventory) -> None:
    users = _boundary_users(inventory.baseline)
    assert len(users) > 100
    for count in users:
        _check_site(inventory, count)


@given(st.integers(1, 5000))
@settings(max_examples=40, deadline=None)
def test_pools_hold_the_need_for_any_user_count(inventory: Inventory, users: int) -> None:
    _check_site(inventory, users)


def test_host_numbers_stop_before_the_broadcast() -> None:
    subnet = IPv4Network("10.65.55.64/29")  # .64 network, .71 broadcast: hosts 1-6
    assert [str(ipam.host(subnet, n)) for n in range(1, 7)] == [f"10.65.55.{65 + i}" for i in range(6)]
    for beyond in (7, 8, 300):
        with pytest.raises(ipam.PlanError):
            ipam.host(subnet, beyond)


def test_site_asn_is_the_base_plus_the_code(inventory: Inventory) -> None:
    # README: eBGP to the city core with site ASN 4200000000 + code
    assert ipam.site_asn("26743", inventory.baseline.ip_plan) == 4200026743


def test_the_first_and_last_slots_of_the_supernet(inventory: Inventory) -> None:
    plan = inventory.baseline.ip_plan
    first, last = plan.code_base, plan.code_base + 2 ** (plan.site_prefix - plan.supernet.prefixlen) - 1
    blocks = list(plan.supernet.subnets(new_prefix=plan.site_prefix))
    assert ipam.site_block(f"{first:05d}", plan) == blocks[0]
    assert ipam.site_block(f"{last:05d}", plan) == blocks[-1]
    for outside in (first - 1, last + 1):
        with pytest.raises(ipam.PlanError, match="code_base") as refused:
            ipam.site_block(f"{outside:05d}", plan)
        assert refused.value.field == "code"


def test_a_host_beyond_the_subnet_names_it() -> None:
    with pytest.raises(ipam.PlanError, match=re.escape("10.65.55.64/29 has no host number 7")):
        ipam.host(IPv4Network("10.65.55.64/29"), 7)
