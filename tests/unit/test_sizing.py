"""Sizing against figures worked out by hand from the committed baseline (headroom 2.0, pools from .10)."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from tests.conftest import BEN_THANH
from wardnet.design.capacity import capacity
from wardnet.design.site import plan_site
from wardnet.inventory import Inventory
from wardnet.models import Vlan
from wardnet.sizing import (
    VlanSizing,
    access_switches_needed,
    pool_capacity,
    port_demand,
    port_weights,
    users_that_fit,
    vlan_sizing,
)


def _vlan(inventory: Inventory, name: str) -> Vlan:
    return next(v for v in inventory.baseline.vlans if v.name == name)


def test_the_users_a_dhcp_vlan_place_holds(inventory: Inventory) -> None:
    # STAFF: 20 % of users, pool = 2 x peak, place /23 -> 512 - 1 (broadcast) - 10 (.0-.9) = 501 leases:
    # peak 250 -> 500 fits, peak 251 -> 502 does not; 250 / 0.20 = 1250 users.
    assert users_that_fit(_vlan(inventory, "STAFF"), inventory.baseline) == 1250
    # AP-MGMT: 2 %, place /26 -> 64 - 11 = 53 leases: peak 26 (52) fits; 26 / 0.02 = 1300 users.
    fits = users_that_fit(_vlan(inventory, "AP-MGMT"), inventory.baseline)
    assert fits == 1300 and isinstance(fits, int)


def test_static_and_parking_vlans_hold_any_number(inventory: Inventory) -> None:
    assert users_that_fit(_vlan(inventory, "MGMT"), inventory.baseline) is None  # static: its whole place
    assert users_that_fit(_vlan(inventory, "UNUSED"), inventory.baseline) is None  # parking: no addresses


def test_a_place_too_small_for_one_user_holds_none(inventory: Inventory) -> None:
    # A /30 place cannot hold even the /24 minimum the pool starts from: not one user fits.
    tiny = _vlan(inventory, "STAFF").model_copy(update={"place": IPv4Network("0.0.4.0/30")})
    assert users_that_fit(tiny, inventory.baseline) == 0


@pytest.mark.parametrize(
    ("users", "conntrack"), [(500, 524_288), (524, 524_288), (525, 1_048_576), (400, 524_288)]
)
def test_the_firewall_session_limit_is_the_next_power_of_two(
    inventory: Inventory, users: int, conntrack: int
) -> None:
    # 250 sessions a user x 4 headroom (baseline sizing): 500 users -> 500,000 -> 2^19; 525 -> 525,000 -> 2^20
    site = inventory.sites[BEN_THANH].site.model_copy(update={"concurrent_users": users})
    figures = capacity(plan_site(site, inventory.baseline), inventory.baseline)
    assert (figures.users, figures.sessions, figures.conntrack_max) == (users, users * 250, conntrack)


# Figures worked out by hand from the baseline: shares STAFF 0.20, SERVICES 0.06, CAMERAS 0.03 (wired),
# STAFF-WIFI 0.20 + GUEST-WIFI 0.60 (wireless, 30 clients an AP), headroom 2.0, 30 % spare, pools from .10.
@pytest.mark.parametrize(
    ("name", "users", "expected"),
    [
        ("STAFF", 500, VlanSizing(20, 100, 200, 24)),  # 200 <= 256 - 11 = 245 leases of a /24
        ("STAFF", 613, VlanSizing(20, 123, 246, 23)),  # 246 > 245: one bit more, 512 - 11 = 501
        ("STAFF", 612, VlanSizing(20, 123, 246, 23)),  # ceil(122.4) = 123 peak, not 122
        ("STAFF", 610, VlanSizing(20, 122, 244, 24)),  # 244 <= 245: the /24 minimum still holds it
        ("GUEST-WIFI", 500, VlanSizing(50, 300, 600, 22)),  # its minimum /22 holds 1013
        ("GUEST-WIFI", 10**8, VlanSizing(50, 6 * 10**7, 12 * 10**7, 8)),  # never shorter than a /8
        ("MGMT", 500, VlanSizing(10, 0, 0, 26)),  # static: its whole place, no pool
    ],
)
def test_a_vlans_pool_and_prefix(inventory: Inventory, name: str, users: int, expected: VlanSizing) -> None:
    assert vlan_sizing(_vlan(inventory, name), users, inventory.baseline) == expected


def test_the_ports_a_site_needs(inventory: Inventory) -> None:
    # 500 users: wired 100 + 30 + 15, APs ceil(400 / 30) = 14; 159 x 1.3 = 206.7 -> 207 ports, 5 x 48-port.
    demand = port_demand(500, inventory.baseline)
    assert (demand.wired, demand.access_points, demand.spare) == ({20: 100, 30: 30, 70: 15}, 14, 0.30)
    assert (demand.endpoints, demand.ports_needed) == (159, 207)
    assert access_switches_needed(500, inventory.baseline, "C9300-48P") == 5
    # 737 users: 148 + 45 + 23 wired, ceil(589.6 / 30) = 20 APs; 236 x 1.3 = 306.8 -> 307 ports = 6.4 switches
    assert port_demand(737, inventory.baseline).ports_needed == 307
    assert access_switches_needed(737, inventory.baseline, "C9300-48P") == 7


def test_the_ports_a_user_takes_by_category(inventory: Inventory) -> None:
    weights = port_weights(inventory.baseline)
    assert list(weights) == [20, 30, 70, None]  # wired VLANs by id, then access points
    assert weights[20] == 0.20 and weights[30] == 0.06 and weights[70] == 0.03
    assert weights[None] == pytest.approx(0.80 / 30)


@pytest.mark.parametrize(
    ("name", "users"),
    [
        ("SERVICES", 2033),  # 6 % in a /24 (245 leases): ceil(121.98) = 122 x 2 = 244; 2034 -> 123 x 2 = 246
        ("CAMERAS", 4066),  # 3 % in a /24: ceil(121.98) = 122 x 2 = 244; 4067 -> ceil(122.01) = 123
        ("GUEST-WIFI", 1696),  # 60 % in a /21 (2048 - 11 = 2037): ceil(1017.6) x 2 = 2036; 1697 -> 2038
        ("STAFF-WIFI", 1250),  # as STAFF: 20 % in a /23
    ],
)
def test_the_last_user_count_each_place_holds(inventory: Inventory, name: str, users: int) -> None:
    assert users_that_fit(_vlan(inventory, name), inventory.baseline) == users


def test_the_parking_vlan_has_no_size(inventory: Inventory) -> None:
    with pytest.raises(AssertionError, match=r"^the parking VLAN has no size$"):
        vlan_sizing(_vlan(inventory, "UNUSED"), 500, inventory.baseline)


@pytest.mark.parametrize("prefix", [21, 22, 23, 24, 25, 26])
def test_a_pool_holds_the_hosts_from_dot_10_to_the_last(prefix: int) -> None:
    network = IPv4Network(f"10.0.0.0/{prefix}")
    first, last = network.network_address + 10, network.broadcast_address - 1
    assert pool_capacity(prefix) == int(last) - int(first) + 1  # 245 for a /24: .10 to .254


def test_a_vlan_without_a_minimum_starts_from_a_24_and_a_pool_may_fill_exactly(inventory: Inventory) -> None:
    staff = _vlan(inventory, "STAFF").model_copy(update={"min_prefix": None})
    # 100 users: 20 peak x 2 = 40 leases: a /24 (the default start), though a /25 (117) would hold them.
    assert vlan_sizing(staff, 100, inventory.baseline) == VlanSizing(20, 20, 40, 24)
    # Headroom 1.5: 815 users -> 163 peak -> ceil(244.5) = 245 leases, exactly a /24's 245: still a /24.
    sizing = inventory.baseline.sizing.model_copy(update={"headroom": 1.5})
    baseline = inventory.baseline.model_copy(update={"sizing": sizing})
    assert vlan_sizing(_vlan(inventory, "STAFF"), 815, baseline) == VlanSizing(20, 163, 245, 24)
