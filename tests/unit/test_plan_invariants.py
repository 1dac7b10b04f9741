"""Invariants any IP plan must keep, checked with `ipaddress` on what the design hands out, never with the
plan's own arithmetic: the transit and loopbacks stay clear of every VLAN, every DHCP pool sits inside its
subnet clear of the gateway and holds at least peak clients x headroom (SIZING.md), at the user counts
where a pool size crosses a power of two, where an off-by-one shows.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from ipaddress import IPv4Address, IPv4Network
from itertools import combinations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import BEN_THANH
from wardnet import ipam
from wardnet.design import design_site
from wardnet.inventory import Inventory
from wardnet.models import Baseline

BLOCK = IPv4Network("10.65.48.0/20")


def _infra_is_clear(block: IPv4Network, subnets: list[IPv4Network]) -> None:
    infra = ipam.infra(block)
    assert infra.transit.prefixlen == 31
    assert infra.transit.subnet_of(block) and infra.loopbacks.subnet_of(block)
    assert not infra.transit.overlaps(infra.loopbacks)
    assert {infra.city_core_side, infra.site_side} == set(infra.transit)
    for subnet in subnets:
        assert not subnet.overlaps(infra.transit), f"{subnet} takes the transit {infra.transit}"
        assert not subnet.overlaps(infra.loopbacks), f"{subnet} takes the loopbacks {infra.loopbacks}"


@st.composite
def packings(draw: st.DrawFn) -> dict[int, int]:
    """VLAN sizes that fill the block to the brim, or to within one or two /28s of it: the only cases
    where a plan that forgets its infrastructure space places a VLAN on top of it."""
    target = BLOCK.num_addresses - 16 * draw(st.integers(0, 2))
    prefixes = draw(st.lists(st.integers(22, 29), max_size=8))
    total, out = 0, {}
    for i, prefix in enumerate(prefixes):
        if total + 2 ** (32 - prefix) <= target:
            out[10 * (i + 1)] = prefix
            total += 2 ** (32 - prefix)
    key = 1000
    while total < target:  # the rest as the fewest pieces, largest first (all stay aligned)
        piece = min(1024, 1 << ((target - total).bit_length() - 1))
        out[key] = 32 - (piece.bit_length() - 1)
        total, key = total + piece, key + 1
    return out


FULL = {10: 21, 20: 22, 30: 23, 40: 24, 50: 25, 60: 26, 70: 27, 80: 28, 90: 28}  # 4096: every address


@given(packings())
@example(FULL)
@example({k: v for k, v in FULL.items() if k != 90})  # 4080: all but the last /28
@example({10: 28, 20: 21, 30: 22, 40: 23, 50: 24, 60: 25, 70: 26, 80: 27, 90: 28})
@settings(max_examples=60, deadline=None)
def test_no_vlan_is_placed_on_the_transit_or_the_loopbacks(prefixes: dict[int, int]) -> None:
    assert sum(2 ** (32 - p) for p in prefixes.values()) <= BLOCK.num_addresses
    try:
        placed = ipam.allocate(BLOCK, prefixes)
    except ipam.PlanError:
        return  # refusing is allowed; overlapping is not
    assert {k: n.prefixlen for k, n in placed.items()} == prefixes
    for a, b in combinations(placed.values(), 2):
        assert not a.overlaps(b)
    assert all(n.subnet_of(BLOCK) for n in placed.values())
    _infra_is_clear(BLOCK, list(placed.values()))


def test_a_block_filled_to_every_address_is_refused() -> None:
    # 4096 addresses of VLANs leave none for the transit and loopbacks: the plan must say no
    with pytest.raises(ipam.PlanError):
        ipam.allocate(BLOCK, FULL)


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
        plan = design_site(site, baseline).plan
    except ipam.PlanError:
        return  # too big for a block: refused, and the check stage says so
    shares = {v.id: v.share for v in baseline.vlans}
    subnets = [v.subnet for v in plan.vlans]
    for a, b in combinations(subnets, 2):
        assert not a.overlaps(b)
    assert all(n.subnet_of(plan.block) for n in subnets)
    _infra_is_clear(plan.block, subnets)
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


def test_a_block_filled_to_all_but_its_last_28_is_placed() -> None:
    # README: the last /28 of a block holds the transit and loopbacks, everything before it is for VLANs
    almost = {k: v for k, v in FULL.items() if k != 90}
    placed = ipam.allocate(BLOCK, almost)
    last = IPv4Network("10.65.63.240/28")
    assert not any(n.overlaps(last) for n in placed.values())
    assert sum(n.num_addresses for n in placed.values()) == BLOCK.num_addresses - last.num_addresses


def test_the_full_block_is_refused_with_the_fix() -> None:
    with pytest.raises(ipam.PlanError, match="lower concurrent_users"):
        ipam.allocate(BLOCK, FULL)


def test_placement_does_not_depend_on_the_order_vlans_are_listed() -> None:
    prefixes = {20: 24, 21: 24, 30: 25, 70: 25, 50: 22}
    backwards = dict(reversed(list(prefixes.items())))
    assert ipam.allocate(BLOCK, prefixes) == ipam.allocate(BLOCK, backwards)
    # same size: the lower VLAN id first
    placed = ipam.allocate(BLOCK, backwards)
    assert int(placed[20].network_address) < int(placed[21].network_address)
    assert int(placed[30].network_address) < int(placed[70].network_address)


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
