"""The design stage: sizing from users, VLAN plan, port assignment, zones and policy."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.design import design_site
from wardnet.design.config import SwitchConfig, TrunkPort
from wardnet.inventory import Inventory, load_inventory
from wardnet.models import DeviceSpec, ServerSpec, Site
from wardnet.sizing import access_switches_needed, pool_capacity, port_demand, vlan_sizing

BASELINE = load_inventory(INVENTORY).baseline  # hypothesis tests cannot take function-scoped fixtures


def test_ben_thanh_sizing_matches_the_sizing_notes(inventory: Inventory) -> None:
    baseline = inventory.baseline
    demand = port_demand(500, baseline)
    assert demand.wired == {20: 100, 30: 30, 70: 15}
    assert demand.access_points == 14  # 400 Wi-Fi clients / 30 per AP
    assert access_switches_needed(500, baseline, "C9300-48P") == 5
    guest = vlan_sizing(baseline.vlan(50), 500, baseline)
    assert guest.prefix == 22 and guest.pool_needed == 600  # 300 peak x 2.0 headroom


@given(st.integers(min_value=50, max_value=1200))
@settings(max_examples=60, deadline=None)
def test_pools_and_ports_cover_any_user_count(users: int) -> None:
    baseline = BASELINE
    for vlan in baseline.vlans:
        if vlan.place is None:
            continue  # the parking VLAN has no addresses
        sizing = vlan_sizing(vlan, users, baseline)
        if vlan.share:
            assert (
                pool_capacity(sizing.prefix)
                >= sizing.pool_needed
                >= users * vlan.share * baseline.sizing.headroom
            )
            assert sizing.prefix <= vlan.min_prefix
    switches = access_switches_needed(users, baseline, "C9300-48P")
    assert switches * 48 >= port_demand(users, baseline).ports_needed > (switches - 1) * 48


def test_firewall_is_the_gateway_of_every_vlan(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    firewall = design.devices["hcm-26743-fw"]
    for interface in firewall.vlan_interfaces:
        network = IPv4Network(interface.network)
        assert IPv4Address(interface.address) == network.network_address + 1
    assert {i.vlan for i in firewall.vlan_interfaces} == {10, 15, 20, 21, 30, 40, 50, 60, 70}


def test_dhcp_pools_hand_out_only_city_resolvers(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    for pool in design.devices["hcm-26743-fw"].dhcp_servers:
        assert pool.dns == ["10.0.0.53", "10.0.0.54"]
        assert IPv4Address(pool.start) in IPv4Network(pool.network)


def test_policy_is_explicit_and_never_any_to_any(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    policies = design.devices["hcm-26743-fw"].policies
    names = [p.name for p in policies]
    assert len(names) == len(set(names))
    assert "guest-to-internet" in names
    assert not any(p.dst.name == "mgmt" and p.src.name == "guest" for p in policies)
    for policy in policies:
        assert policy.services and policy.src.prefixes and policy.dst.prefixes
        assert policy.log and policy.ips


def test_every_switch_takes_its_share_of_ports_and_the_rest_parked(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    counts = {vlan: 0 for vlan in (20, 30, 70)}
    aps = 0
    for ports in design.ports.values():
        assert len(ports) == 48
        for port in ports:
            if port.mode == "trunk":
                aps += 1
            elif not port.shutdown:
                counts[port.vlan] += 1
            else:
                assert port.vlan == 999
    # each 48-port switch: ceil(48 x share / (1.3 x 0.31667 ports per user)) = 24 staff, 7 services,
    # 4 cameras, 4 APs; five switches cover the demand of 100 / 30 / 15 and 14 APs
    assert counts == {20: 5 * 24, 30: 5 * 7, 70: 5 * 4} and aps == 5 * 4


def test_management_addresses_are_unique_and_in_the_management_vlan(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    subnet = design.plan.management_vlan.subnet
    addresses = [IPv4Address(c.management.address) for c in design.devices.values()]
    assert len(set(addresses)) == len(addresses)
    assert all(a in subnet for a in addresses)


def test_two_units_with_the_same_slug_get_distinct_hostnames(inventory: Inventory) -> None:
    first = design_site(inventory.sites["25807"].site, inventory.baseline)
    second = design_site(inventory.sites["27676"].site, inventory.baseline)
    assert first.plan.site.slug == second.plan.site.slug == "thanh-an"
    assert not set(first.devices) & set(second.devices)


def test_adding_a_site_changes_no_other_site(inventory: Inventory) -> None:
    before = design_site(inventory.sites[BEN_THANH].site, inventory.baseline).devices
    newcomer = Site(
        code="27700",
        name="Thử Nghiệm",
        type="ward",
        concurrent_users=500,
        devices=[
            DeviceSpec(name="fw", role="firewall", model="FortiGate-201F"),
            DeviceSpec(name="core", role="core", model="C9300X-24Y"),
            DeviceSpec(name="acc1", role="access", model="C9300-48P"),
        ],
    )
    design_site(newcomer, inventory.baseline)
    assert design_site(inventory.sites[BEN_THANH].site, inventory.baseline).devices == before


def test_design_is_pure(inventory: Inventory) -> None:
    site = inventory.sites[BEN_THANH].site
    assert design_site(site, inventory.baseline).devices == design_site(site, inventory.baseline).devices


def test_servers_sit_in_the_servers_vlan_at_addresses_fixed_by_their_names(inventory: Inventory) -> None:
    site = inventory.sites[BEN_THANH].site
    design = design_site(site, inventory.baseline)
    srv1 = design.servers[f"hcm-{BEN_THANH}-srv1"]
    servers_vlan = next(v for v in design.plan.vlans if v.zone == "servers")
    assert IPv4Address(srv1.address) == servers_vlan.subnet.network_address + 10
    assert srv1.gateway == str(servers_vlan.gateway) and srv1.services == ["dhcp_dns"]

    # Dropping srv1 never renumbers srv2: each address follows from the name alone.
    two = design_site(
        site.model_copy(update={"servers": [ServerSpec(name="srv1"), ServerSpec(name="srv2")]}),
        inventory.baseline,
    )
    alone = design_site(site.model_copy(update={"servers": [ServerSpec(name="srv2")]}), inventory.baseline)
    srv2 = f"hcm-{BEN_THANH}-srv2"
    assert two.servers[srv2].address == alone.servers[srv2].address != srv1.address
    assert list(alone.servers) == [srv2]
    # Servers are no network devices: no device config is rendered for them.
    assert not set(design.servers) & set(design.devices)


def test_a_dhcp_dns_server_takes_the_pools_and_the_firewall_relays_to_it(inventory: Inventory) -> None:
    site = inventory.sites[BEN_THANH].site
    relayed = design_site(site, inventory.baseline)
    served = design_site(site.model_copy(update={"servers": []}), inventory.baseline)
    fw_relayed, fw_served = relayed.devices[f"hcm-{BEN_THANH}-fw"], served.devices[f"hcm-{BEN_THANH}-fw"]
    server = relayed.servers[f"hcm-{BEN_THANH}-srv1"]

    # The same pools; only the resolver differs: the ward server's unbound where it runs (issue 17).
    assert fw_served.dhcp_pools == fw_served.dhcp_servers
    assert [replace(p, dns=[]) for p in fw_relayed.dhcp_pools] == [
        replace(p, dns=[]) for p in fw_served.dhcp_pools
    ]
    assert {tuple(p.dns) for p in fw_relayed.dhcp_pools} == {(server.address,)}
    assert {tuple(p.dns) for p in fw_served.dhcp_pools} == {("10.0.0.53", "10.0.0.54")}
    assert fw_relayed.dhcp_servers == []
    to_dns = [p for p in fw_relayed.policies if p.rule == "clients-to-site-dns"]
    assert [(p.src.name, p.dst.prefixes) for p in to_dns] == [
        (zone, [f"{server.address}/32"]) for zone in ("staff", "services", "guest", "iot", "voice")
    ]
    assert all(p.rule != "clients-to-site-dns" for p in fw_served.policies)
    pooled = {pool.vlan for pool in fw_relayed.dhcp_pools}
    assert pooled and all(
        v.dhcp_relay == ([server.address] if v.vlan in pooled else []) for v in fw_relayed.vlan_interfaces
    )
    assert all(v.dhcp_relay == [] for v in fw_served.vlan_interfaces)
    # Kea's pools are part of the server's own config: what the firewall relays, nothing else.
    assert fw_relayed.dhcp_relay is not None
    assert [p.interface for p in server.dhcp_pools] == fw_relayed.dhcp_relay.downstream
    assert server.dhcp_pools == fw_relayed.dhcp_pools
    assert [(host, p.vlan) for host, p in relayed.served_pools()] == [
        (server.hostname, vlan) for vlan in sorted(pooled)
    ]
    assert [host for host, _ in served.served_pools()] == [fw_served.hostname] * len(pooled)


def test_a_server_without_dhcp_dns_serves_no_pool(inventory: Inventory) -> None:
    site = inventory.sites[BEN_THANH].site
    plain = site.model_copy(update={"servers": [ServerSpec(name="srv1", services=[])]})
    design = design_site(plain, inventory.baseline)
    assert design.servers[f"hcm-{BEN_THANH}-srv1"].dhcp_pools == []
    assert {host for host, _ in design.served_pools()} == {f"hcm-{BEN_THANH}-fw"}


def test_access_points_live_in_their_own_vlan_and_reach_only_the_controller(inventory: Inventory) -> None:
    """Issue 17 item 3: AP trunks are native in AP-MGMT (15), never the switches' management VLAN (10); the
    firewall lets the APs' VLAN in by CAPWAP (allowaccess fabric) and no forwarding policy leaves zone ap."""
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    trunks = [
        p
        for name, d in design.devices.items()
        if "-acc" in name and isinstance(d, SwitchConfig)
        for p in d.edge_ports
        if isinstance(p, TrunkPort)
    ]
    assert len(trunks) >= 14  # one per AP (sizing: 14 at 500 users)
    assert {(p.native_vlan, tuple(p.allowed_vlans)) for p in trunks} == {(15, (15, 21, 50))}
    firewall = design.firewall
    access = {i.vlan: i.ap_management for i in firewall.vlan_interfaces}
    assert access == {10: False, 15: True, 20: False, 21: False, 30: False, 40: False, 50: False, 60: False,
                      70: False}  # fmt: skip
    assert [p.name for p in firewall.policies if "ap" in (p.src.name, p.dst.name)] == []


def test_staff_ports_carry_the_voice_vlan_and_authenticate(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    acc1 = design.devices["hcm-26743-acc1"]
    assert isinstance(acc1, SwitchConfig)
    by_vlan: dict[object, set[tuple[object, object]]] = {}
    for port in acc1.edge_ports:
        by_vlan.setdefault(getattr(port, "vlan", None), set()).add((port.voice_vlan, port.nac))
    assert by_vlan[20] == {(40, True)}  # staff: phone in VLAN 40, 802.1X/MAB
    assert by_vlan[30] == by_vlan[70] == by_vlan[999] == by_vlan[None] == {(None, False)}
    assert 40 in acc1.port_channels[0].allowed_vlans and 15 in acc1.port_channels[0].allowed_vlans
    assert acc1.nac is not None and acc1.nac.critical_vlan == 20 and acc1.nac.voice_vlan == 40
    core = design.devices["hcm-26743-core"]
    assert isinstance(core, SwitchConfig)
    assert core.nac is None and core.qos == acc1.qos
    assert acc1.qos.voice_dscp == "ef"
