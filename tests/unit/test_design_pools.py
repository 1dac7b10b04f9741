"""Ben Thanh's client DHCP pools, capacity figures and plan refusal, field by field, against figures worked
out by hand.

The table is the site's published plan at 500 users (tests/golden/26743-ben-thanh/README.md, checked by hand
against the baseline: place offsets in the /20 block 10.65.48.0, the sizing of 20 % staff etc. x 2.0
headroom, pools from .10 to the last host); netmasks and sizes are worked out with `ipaddress`, not wardnet.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import pytest

from tests.conftest import BEN_THANH
from wardnet.design import design_site
from wardnet.design.capacity import capacity
from wardnet.design.site import plan_site
from wardnet.inventory import Inventory
from wardnet.ipam import PlanError

# vlan: (name, subnet, peak clients, pool needed, first pool host, last pool host, lease minutes)
POOLS = {
    15: ("AP-MGMT", "10.65.55.128/26", 10, 20, "10.65.55.138", "10.65.55.190", 1440),
    20: ("STAFF", "10.65.52.0/24", 100, 200, "10.65.52.10", "10.65.52.254", 480),
    21: ("STAFF-WIFI", "10.65.50.0/24", 100, 200, "10.65.50.10", "10.65.50.254", 480),
    30: ("SERVICES", "10.65.54.0/25", 30, 60, "10.65.54.10", "10.65.54.126", 1440),
    40: ("VOICE", "10.65.48.0/25", 40, 80, "10.65.48.10", "10.65.48.126", 1440),
    50: ("GUEST-WIFI", "10.65.56.0/22", 300, 600, "10.65.56.10", "10.65.59.254", 60),
    70: ("CAMERAS", "10.65.49.0/25", 15, 30, "10.65.49.10", "10.65.49.126", 1440),
}
SERVER = "10.65.55.74"  # srv1, the ward server running Kea and unbound (test_plan_stable.py)
NTP = ["10.0.0.10", "10.0.0.11"]  # the baseline's city NTP servers


def test_the_ward_servers_kea_serves_every_client_pool_as_planned(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    server = design.servers["hcm-26743-srv1"]
    assert [p.vlan for p in server.dhcp_pools] == sorted(POOLS)
    for pool in server.dhcp_pools:
        _, subnet, _, _, first, last, lease = POOLS[pool.vlan]
        network = IPv4Network(subnet)
        assert pool.interface == f"vlan{pool.vlan}"
        assert pool.network == subnet
        assert pool.netmask == str(network.netmask)
        assert pool.gateway == str(network.network_address + 1)
        assert (pool.start, pool.end, pool.lease_minutes) == (first, last, lease)
        assert pool.dns == [SERVER]  # the ward's own resolver, not the city's
        assert pool.ntp == NTP


def test_the_capacity_figures_of_every_pool(inventory: Inventory) -> None:
    figures = capacity(plan_site(inventory.sites[BEN_THANH].site, inventory.baseline), inventory.baseline)
    assert [p.vlan for p in figures.dhcp] == sorted(POOLS)
    for pool in figures.dhcp:
        name, subnet, peak, needed, first, last, lease = POOLS[pool.vlan]
        network = IPv4Network(subnet)
        assert (pool.name, pool.network, pool.gateway) == (name, subnet, str(network.network_address + 1))
        assert (pool.peak_clients, pool.pool_needed) == (peak, needed)
        assert (pool.pool_start, pool.pool_end, pool.lease_minutes) == (first, last, lease)
        assert pool.pool_size == int(IPv4Address(last)) - int(IPv4Address(first)) + 1


def test_without_a_ward_server_the_firewall_serves_the_same_pools_with_the_city_resolvers(
    inventory: Inventory,
) -> None:
    site = inventory.sites[BEN_THANH].site
    design = design_site(site.model_copy(update={"servers": []}), inventory.baseline)
    pools = design.firewall.dhcp_servers
    assert [p.vlan for p in pools] == sorted(POOLS) and not design.servers
    for pool in pools:
        _, subnet, _, _, first, last, _ = POOLS[pool.vlan]
        assert (pool.interface, pool.network, pool.start, pool.end) == (
            f"vlan{pool.vlan}",
            subnet,
            first,
            last,
        )
        assert pool.dns == ["10.0.0.53", "10.0.0.54"]  # the baseline's city resolvers
        assert pool.ntp == NTP


def test_outgrowing_a_place_names_the_vlan_the_prefix_and_the_fix(inventory: Inventory) -> None:
    # STAFF at 40 %: 626 users -> ceil(250.4) = 251 peak x 2 = 502 leases > 501 of its /23 place: it needs a
    # /22; 625 -> 250 x 2 = 500 fits. Every other VLAN fits at 626 (GUEST-WIFI 376 x 2 = 752 <= 1013, a /22).
    vlans = [v.model_copy(update={"share": 0.4}) if v.id == 20 else v for v in inventory.baseline.vlans]
    baseline = inventory.baseline.model_copy(update={"vlans": vlans})
    site = inventory.sites[BEN_THANH].site.model_copy(update={"concurrent_users": 626})
    with pytest.raises(PlanError) as refused:
        plan_site(site, baseline)
    assert str(refused.value) == (
        "626 users outgrow the plan (VLAN 20 STAFF needs a /22, its place 0.0.4.0/23 holds a /23); "
        "the largest concurrent_users the plan holds is 625. Set concurrent_users: 625, or give the VLAN "
        "a larger place in the baseline (that renumbers the VLAN in every site)"
    )
    assert refused.value.field == "concurrent_users"


def test_every_vlan_that_outgrows_its_place_is_named(inventory: Inventory) -> None:
    # STAFF at 40 % as above, and CAMERAS at 20 % in its /24 place: ceil(125.2) = 126 x 2 = 252 > 245 leases,
    # it needs a /23; the largest count is CAMERAS' 610 (122 x 2 = 244 fits, 611 -> 123 x 2 = 246 does not).
    shares = {20: 0.4, 70: 0.2}
    vlans = [
        v.model_copy(update={"share": shares[v.id]}) if v.id in shares else v
        for v in inventory.baseline.vlans
    ]
    baseline = inventory.baseline.model_copy(update={"vlans": vlans})
    site = inventory.sites[BEN_THANH].site.model_copy(update={"concurrent_users": 626})
    with pytest.raises(PlanError) as refused:
        plan_site(site, baseline)
    assert str(refused.value).startswith(
        "626 users outgrow the plan (VLAN 20 STAFF needs a /22, its place 0.0.4.0/23 holds a /23, "
        "VLAN 70 CAMERAS needs a /23, its place 0.0.1.0/24 holds a /24); "
        "the largest concurrent_users the plan holds is 610. "
    )


# The baseline: STAFF asks for DHCPv6, every other DHCP VLAN for SLAAC; MGMT and SERVERS have no pool.
MODES = {10: "static", 15: "slaac", 20: "dhcpv6", 21: "slaac", 30: "slaac", 40: "slaac", 50: "slaac"}
MODES |= {60: "static", 70: "slaac"}


def test_each_vlans_ipv6_mode(inventory: Inventory) -> None:
    site = inventory.sites[BEN_THANH].site
    plan = plan_site(site, inventory.baseline)
    assert {v.id: v.ipv6_mode for v in plan.vlans} == MODES  # srv1 runs Kea: STAFF gets its DHCPv6
    alone = plan_site(site.model_copy(update={"servers": []}), inventory.baseline)
    assert {v.id: v.ipv6_mode for v in alone.vlans} == MODES | {20: "slaac"}  # no server to run it


def test_each_vlans_ipv6_gateway_purpose_and_static_vlans_without_a_pool(inventory: Inventory) -> None:
    plan = plan_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    for vlan in plan.vlans:
        # Ben Thanh's /48 is 2001:db8:413::/48 (slot 1043 = 0x413); a VLAN's /64 carries its id as hex digits.
        assert vlan.subnet6 == IPv6Network(f"2001:db8:413:{vlan.id}::/64")
        assert vlan.gateway6 == IPv6Address(f"2001:db8:413:{vlan.id}::1")  # the firewall, as in IPv4
    purposes = {v.id: v.purpose for v in plan.vlans}
    assert (
        purposes[20] == "staff wired PCs" and purposes[60] == "local servers (static)"
    )  # the baseline's words
    static = [v for v in plan.vlans if v.id not in POOLS]
    assert [v.id for v in static] == [10, 60]
    assert all(v.pool_start is None and v.pool_end is None for v in static)
