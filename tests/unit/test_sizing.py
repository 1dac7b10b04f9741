"""Sizing against figures worked out by hand from the committed baseline (headroom 2.0, pools from .10)."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from tests.conftest import BEN_THANH
from wardnet.design.capacity import capacity
from wardnet.design.site import plan_site
from wardnet.inventory import Inventory
from wardnet.models import Vlan
from wardnet.sizing import users_that_fit


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
