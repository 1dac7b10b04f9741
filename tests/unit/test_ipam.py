"""The IP plan: keyed by official code, never overlapping, never renumbering another site."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wardnet import ipam
from wardnet.inventory import Inventory
from wardnet.models import IpPlan

PLAN = IpPlan.model_validate(
    {
        "supernet": "10.0.0.0/9",
        "site_prefix": 20,
        "code_base": 25700,
        "reserved_slots": {"79000": 1},
        "infra_place": "0.0.7.240/28",
        "ipv6": {"supernet": "2001:db8::/32"},
        "city_core_asn": 65000,
        "site_asn_base": 4200000000,
    }
)
UNIT_CODES = st.integers(min_value=25747, max_value=27747).map(lambda n: f"{n:05d}")


def test_ben_thanh_block_is_its_code_slot() -> None:
    assert ipam.site_block("26743", PLAN) == IPv4Network("10.65.48.0/20")  # slot 26743 - 25700 = 1043


def test_reserved_slot_for_the_center() -> None:
    assert ipam.site_block("79000", PLAN) == IPv4Network("10.0.16.0/20")


def test_code_outside_the_plan_is_refused_with_a_fix() -> None:
    with pytest.raises(ipam.PlanError) as refused:
        ipam.site_block("99999", PLAN)  # slot 74299 of the /9's 2048 /20 slots
    assert str(refused.value) == (
        "code 99999 maps to slot 74299, outside the plan's 2048 slots; "
        "change ip_plan.code_base or enlarge ip_plan.supernet"
    )
    assert refused.value.field == "code"


def test_a_plan_error_names_the_user_count_unless_told_otherwise() -> None:
    # Sizing overflows are the common case: the field an engineer edits is the ward's concurrent_users.
    assert ipam.PlanError("too many users").field == "concurrent_users"


@given(st.lists(UNIT_CODES, min_size=1, max_size=60, unique=True), st.randoms())
@settings(max_examples=200)
def test_any_subset_and_order_gives_disjoint_stable_blocks(codes: list[str], rng: object) -> None:
    alone = {code: ipam.site_block(code, PLAN) for code in codes}
    shuffled = list(codes)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    together = [ipam.site_block(code, PLAN) for code in shuffled]
    assert [alone[c] for c in shuffled] == together  # no site is renumbered by the others
    ordered = sorted(together, key=lambda n: int(n.network_address))
    for left, right in pairwise(ordered):
        assert left.broadcast_address < right.network_address  # no overlap
    assert all(block.subnet_of(PLAN.supernet) for block in together)


def test_infra_is_the_transit_then_the_loopbacks_of_its_place() -> None:
    infra = ipam.infra(IPv4Network("10.65.48.0/20"), PLAN)
    assert infra.transit == IPv4Network("10.65.55.240/31")  # 10.65.48.0 + 0.0.7.240
    assert (str(infra.city_core_side), str(infra.site_side)) == ("10.65.55.240", "10.65.55.241")
    assert infra.loopbacks == IPv4Network("10.65.55.248/29")


def test_a_grown_subnet_keeps_its_first_address_and_refuses_to_outgrow_its_place() -> None:
    block = IPv4Network("10.65.48.0/20")
    place = IPv4Network("0.0.8.0/21")
    assert ipam.grown_subnet(block, place, 22) == IPv4Network("10.65.56.0/22")
    assert ipam.grown_subnet(block, place, 21) == IPv4Network("10.65.56.0/21")
    with pytest.raises(ValueError, match="does not fit"):
        ipam.grown_subnet(block, place, 20)


def test_every_committed_site_has_its_own_block(inventory: Inventory) -> None:
    blocks = [ipam.site_block(code, inventory.baseline.ip_plan) for code in inventory.sites]
    assert len(set(blocks)) == len(blocks) == 169


def test_ipv6_block_is_the_same_slot_and_vlans_read_as_their_ids() -> None:
    block6 = ipam.site_block6("26743", PLAN)
    assert block6 == IPv6Network("2001:db8:413::/48")  # 1043 = 0x413
    assert ipam.site_block6("79000", PLAN) == IPv6Network("2001:db8:1::/48")  # reserved slot 1
    assert ipam.vlan_subnet6(block6, 999) == IPv6Network("2001:db8:413:999::/64")
    infra = ipam.infra6(block6)
    assert infra.transit == IPv6Network("2001:db8:413:ffff::/127")
    assert str(infra.city_core_side) == "2001:db8:413:ffff::"
    assert str(infra.site_side) == "2001:db8:413:ffff::1"
    assert infra.loopbacks == IPv6Network("2001:db8:413:fffe::/64")


def test_ipv6_hosts_read_as_their_ipv4_host_numbers() -> None:
    staff = IPv6Network("2001:db8:413:20::/64")
    assert str(ipam.host6(staff, 1)) == "2001:db8:413:20::1"
    assert str(ipam.host6(staff, 11)) == "2001:db8:413:20::11"  # host 11 -> ::11, not ::b
    assert str(ipam.host6(staff, 254)) == "2001:db8:413:20::254"
