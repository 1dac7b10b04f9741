"""The site page an engineer works from (issue 15): cabling, port ranges, next switch, services, diagram."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from tests.conftest import BEN_THANH
from wardnet.design import design_site
from wardnet.design.config import AccessPort, EdgePort
from wardnet.inventory import Inventory
from wardnet.render import Renderer
from wardnet.sitedoc import cabling, compress, free_core_ports, port_ranges, topology_svg


def test_every_lag_member_and_server_port_is_cabled_once(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    links = cabling(design)
    ends = [(link.device, link.port) for link in links] + [(link.far_device, link.far_port) for link in links]
    core = design.devices["hcm-26743-core"]
    core_ports = {m for c in core.port_channels for m in c.members} | {p.name for p in core.edge_ports}
    assert {port for device, port in ends if device == "hcm-26743-core"} == core_ports
    assert len(core_ports) == 2 * (5 + 2 + 1)  # two members x (5 access + 2 firewall units + servers)
    for n in range(1, 6):
        access = f"hcm-26743-acc{n}"
        assert sorted(p for d, p in ends if d == access) == [
            "TenGigabitEthernet1/1/1",
            "TenGigabitEthernet1/1/2",
        ]
    assert len(set(ends)) == len(ends)  # every cable end once
    assert ("hcm-26743-fw", "wan1") in ends and ("city core", "10.65.55.240") in ends


def test_port_ranges_cover_every_port_once() -> None:
    ports: list[EdgePort] = [
        AccessPort(
            name=f"Gi1/0/{n}",
            member=1,
            port=n,
            mode="access",
            vlan=v,
            description=d,
            shutdown=s,
            arp_rate=None,
            dhcp_rate=15,
        )
        for n, (v, d, s) in enumerate(
            [(20, "staff", False)] * 3 + [(999, "unused", True)] * 2 + [(20, "staff", False)], start=1
        )
    ]
    rows = port_ranges(ports)
    assert [(r["ports"], r["count"], r["vlan"], r["state"]) for r in rows] == [
        ("Gi1/0/1-3", 3, "20", "up"),
        ("Gi1/0/4-5", 2, "999", "shutdown"),
        ("Gi1/0/6", 1, "20", "up"),
    ]
    assert compress([30, 10, 21, 20, 22]) == "10,20-22,30"


def test_the_next_switch_takes_the_lowest_free_core_port(inventory: Inventory) -> None:
    site = inventory.sites[BEN_THANH].site
    without_acc2 = site.model_copy(update={"devices": [d for d in site.devices if d.name != "acc2"]})
    free = free_core_ports(design_site(without_acc2, inventory.baseline))
    assert free == {"free": "2,6-21", "next_switch": "acc2", "next_port": 2}


def test_the_diagram_is_svg_with_every_device_and_server(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    root = ET.fromstring(topology_svg(design))
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert set(design.devices) | set(design.servers) | {"city core"} <= texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) == 1 + len(design.devices) + len(
        design.servers
    )


def test_the_page_shows_cabling_services_and_the_diagram(inventory: Inventory) -> None:
    design = design_site(inventory.sites[BEN_THANH].site, inventory.baseline)
    files = {item.name: item.text for item in Renderer().site(design)}
    page = files["README.md"]
    assert "| hcm-26743-core | TwentyFiveGigE1/0/5 | hcm-26743-acc5 | TenGigabitEthernet1/1/1 |" in page
    assert "**acc6** on core port\n6 of each core member" in page
    assert "DHCP: hcm-26743-srv1 (10.65.55.74), Kea; hcm-26743-fw relays" in page
    assert "![topology](topology.svg)" in page and "```mermaid\ngraph TD" in page
    assert "| GigabitEthernet1/0/40-48 | 9 | access | 999 | unused | shutdown |" in page
    assert files["topology.svg"].startswith("<svg ")
