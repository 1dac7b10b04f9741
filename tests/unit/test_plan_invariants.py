"""Invariants any IP plan must keep, checked with `ipaddress` on what the design hands out, never with the
plan's own arithmetic: the transit and loopbacks stay clear of every VLAN, every DHCP pool sits inside its
subnet clear of the gateway and holds at least peak clients x headroom (SIZING.md), at the user counts
where a pool size crosses a power of two, where an off-by-one shows.
"""

from __future__ import annotations

import math
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
