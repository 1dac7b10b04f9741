"""The lab's plan of a site (pure: no root needed): twin design, nodes, cables, endpoints, city core."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest

from tests.conftest import BEN_THANH
from wardnet.design import design_site
from wardnet.design.twin import whitebox_twin
from wardnet.inventory import Inventory
from wardnet.lab import topology

LINUX_IFNAME_MAX = 15


@pytest.fixture(scope="module")
def twin(inventory: Inventory):
    entry = next(iter(inventory.select([BEN_THANH])))
    return design_site(whitebox_twin(entry.site, inventory.baseline), inventory.baseline)


@pytest.fixture(scope="module")
def lab(twin, inventory: Inventory) -> topology.LabSite:
    return topology.build(twin, inventory.baseline, prefix="wt-")


def test_twin_keeps_names_and_addresses_and_moves_every_device_to_frr(twin, inventory: Inventory) -> None:
    entry = next(iter(inventory.select([BEN_THANH])))
    production = design_site(entry.site, inventory.baseline)
    assert list(twin.devices) == list(production.devices)
    for name, config in twin.devices.items():
        assert config.platform == "frr"
        assert config.members == 1
        assert config.management == production.devices[name].management
    assert twin.plan.block == production.plan.block


def test_every_node_lives_in_a_namespace_with_the_lab_prefix(lab: topology.LabSite) -> None:
    namespaces = [n.namespace for n in lab.nodes]
    assert len(set(namespaces)) == len(namespaces)
    assert all(ns.startswith(f"wt-{BEN_THANH}-") for ns in namespaces)
    assert [n.name for n in lab.devices][:2] == [f"hcm-{BEN_THANH}-fw", f"hcm-{BEN_THANH}-core"]


def test_cables_follow_the_designed_topology(lab: topology.LabSite) -> None:
    ends = {(c.a_namespace, c.a_port): (c.b_namespace, c.b_port) for c in lab.cables}
    assert ends[("wt-26743-fw", "lan1")] == ("wt-26743-core", "swp24")
    for n in range(1, 6):
        assert ends[("wt-26743-core", f"swp{n}")] == (f"wt-26743-acc{n}", "uplink1")
    assert ends[("wt-26743-fw", "wan1")] == ("wt-city", "s26743")


def test_no_port_is_used_twice_and_every_name_fits_linux(lab: topology.LabSite) -> None:
    used = [(c.a_namespace, c.a_port) for c in lab.cables] + [(c.b_namespace, c.b_port) for c in lab.cables]
    spare = topology.spare_ports(lab)
    used += [(ns, port) for ns, port, _ in spare]
    used += [(lab.spare_namespace, far) for _, _, far in spare]
    assert len(used) == len(set(used))
    assert all(len(port) <= LINUX_IFNAME_MAX for _, port in used)


def test_every_front_panel_port_exists_on_its_device(lab: topology.LabSite) -> None:
    present = {(c.a_namespace, c.a_port) for c in lab.cables} | {
        (c.b_namespace, c.b_port) for c in lab.cables
    }
    present |= {(ns, port) for ns, port, _ in topology.spare_ports(lab)}
    for node in lab.devices:
        assert {p for ns, p in present if ns == node.namespace} == set(node.ports)
    assert len(lab.node("hcm-26743-acc1").ports) == 49  # 48 edge ports and the uplink


def test_one_endpoint_per_user_vlan_outside_the_dhcp_pool(lab: topology.LabSite, twin) -> None:
    endpoints = {n.vlan: n for n in lab.nodes if n.kind == "endpoint"}
    assert sorted(endpoints) == [15, 20, 21, 30, 40, 50, 60, 70]  # every VLAN of the design
    pools = {p.vlan: p for p in twin.devices["hcm-26743-fw"].dhcp_servers}
    for vlan, node in endpoints.items():
        assert node.address is not None and node.gateway is not None
        address = IPv4Interface(node.address)
        assert address.ip in address.network and IPv4Address(node.gateway) in address.network
        if vlan in pools:
            assert address.ip < IPv4Address(pools[vlan].start)
    wireless = [c for c in lab.cables if c.a_namespace == "wt-26743-ap1"]
    assert sorted(c.a_port for c in wireless) == ["mgmt15", "wlan21", "wlan50"]  # the AP's own, its SSIDs


def test_ap_and_phone_bridges_carry_what_their_switch_port_carries(lab: topology.LabSite, twin) -> None:
    ends = {(c.a_namespace, c.a_port): (c.b_namespace, c.b_port) for c in lab.cables}
    ports = {p.name: p for p in twin.devices["hcm-26743-acc1"].edge_ports}
    ap = lab.bridges["hcm-26743-ap1"]
    assert ends[("wt-26743-acc1", "swp36")] == ("wt-26743-ap1", "uplink")
    assert (ap["uplink"]["native"], ap["uplink"]["trunks"]) == (ports["swp36"].native_vlan, [15, 21, 50])
    # the desk phone sits on a staff port (802.1X there, voice VLAN 40), not the staff endpoint's own
    phone = lab.bridges["hcm-26743-phone1"]
    assert ends[("wt-26743-acc1", "swp2")] == ("wt-26743-phone1", "uplink")
    assert ends[("wt-26743-acc1", "swp1")] == ("wt-26743-ep-staff", "eth0")
    assert (ports["swp2"].vlan, ports["swp2"].voice_vlan) == (20, 40)
    assert phone == {
        "uplink": {"name": "uplink", "trunks": [20, 40], "native": 20},
        "ports": [{"name": "voice40", "vlan": 40}],
    }
    assert ends[("wt-26743-phone1", "voice40")] == ("wt-26743-ep-voice", "eth0")


def test_city_core_peers_with_every_site_firewall(lab: topology.LabSite, inventory: Inventory) -> None:
    assert lab.uplink is not None
    other = topology.Uplink("26732", "s26732", "10.1.0.0/31", "10.1.0.1", 4200026732)
    city = topology.city_config(inventory.baseline, [other, lab.uplink])
    assert [u["site"] for u in city["uplinks"]] == ["26732", "26743"]
    assert city["uplinks"][1]["peer"] == lab.uplink.site_address
    assert IPv4Address(lab.uplink.site_address) in IPv4Network(lab.uplink.city_address, strict=False)
    assert {z["zone"] for z in city["zones"]} == {"noc", "city_services", "city_apps", "city_video"}
