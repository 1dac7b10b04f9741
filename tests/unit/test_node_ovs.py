"""The device agent's Open vSwitch logic without a switch: canonical text and the change plan."""

from __future__ import annotations

import pytest

from tests.conftest import BEN_THANH
from wardnet.canonical import canonical_ovs, frr_from_running, natural_key, split_sections
from wardnet.design import design_site
from wardnet.design.twin import whitebox_twin
from wardnet.inventory import Inventory
from wardnet.node import ovs
from wardnet.render import Renderer


@pytest.fixture(scope="module")
def sections(inventory: Inventory) -> dict[str, str]:
    entry = next(iter(inventory.select([BEN_THANH])))
    twin = design_site(whitebox_twin(entry.site, inventory.baseline), inventory.baseline)
    renderer = Renderer()
    return {name: split_sections(renderer.device(c))["ovs"] for name, c in twin.devices.items()}


def test_natural_order() -> None:
    names = ["swp10", "vlan10", "swp2", "uplink1", "swp1"]
    assert sorted(names, key=natural_key) == ["swp1", "swp2", "swp10", "uplink1", "vlan10"]


def test_rendered_ovs_is_canonical_and_survives_a_round_trip(sections: dict[str, str]) -> None:
    for text in sections.values():
        assert canonical_ovs(text) == text
        assert ovs.format_bridges(ovs.parse(text)) == text
    core = sections["hcm-26743-core"].splitlines()
    assert core[core.index(" port swp22 tag=60") - 1].startswith(" port swp5 trunks=")  # servers: port 22
    acc1 = sections["hcm-26743-acc1"]  # staff ports: the phone tagged in VOICE, the PC untagged in STAFF
    assert " port swp2 trunks=20,40 tag=20 vlan_mode=native-untagged\n" in acc1


def test_plan_from_empty_builds_everything_and_from_itself_nothing(sections: dict[str, str]) -> None:
    intended = ovs.parse(sections["hcm-26743-acc1"])
    build = ovs.plan(intended, {})
    assert build.vsctl[:3] == ["--", "add-br", "br0"]
    assert build.vsctl.count("add-port") == 50  # 48 edge ports, the uplink, the management SVI
    parked = sections["hcm-26743-acc1"].count(" shutdown\n")
    # per 48 ports: ceil(48 x w / (1.3 x 0.31667)) for staff .20, services .06, cameras .03, APs .8/30
    # = 24 + 7 + 4 + 4 = 39 in use, 9 parked
    assert parked == 9
    assert sorted(p for _, p, up in build.admin if not up) == sorted(
        line.split()[1] for line in sections["hcm-26743-acc1"].splitlines() if line.endswith(" shutdown")
    )
    assert build.link_up == ["vlan10"]
    again = ovs.plan(intended, ovs.parse(sections["hcm-26743-acc1"]))
    assert again.empty


def test_plan_changes_only_what_differs(sections: dict[str, str]) -> None:
    intended = ovs.parse(sections["hcm-26743-acc1"])
    drifted_text = (
        sections["hcm-26743-acc1"]
        .replace(" port swp25 tag=30\n", " port swp25 tag=50\n")
        .replace(" port swp48 tag=999 shutdown\n", " port swp48 tag=999\n")
        .replace(" port swp47 tag=999 shutdown\n", "")
        + " port rogue1 tag=10\n"
    )
    change = ovs.plan(intended, ovs.parse(drifted_text))
    assert change.vsctl == [
        "--", "del-port", "br0", "rogue1",
        "--", "set", "Port", "swp25", "tag=30",
        "--", "add-port", "br0", "swp47", "tag=999",
    ]  # fmt: skip
    assert change.admin == [("br0", "swp47", False), ("br0", "swp48", False)]


def test_a_dropped_column_is_cleared() -> None:
    intended = ovs.parse("bridge br0 datapath_type=netdev\n port swp1 tag=20\n")
    live = ovs.parse(
        "bridge br0 datapath_type=netdev\n port swp1 trunks=10,20 tag=20 vlan_mode=native-untagged\n"
    )
    assert ovs.plan(intended, live).vsctl == [
        "--", "clear", "Port", "swp1", "trunks", "--", "clear", "Port", "swp1", "vlan_mode",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    [
        " port swp1 tag=20\n",
        "bridge br0\n port swp1 tag\n",
        "bridge br0\n bond po1 swp1 lacp=active\n",
        "vlan 10\n",
    ],
)
def test_malformed_ovs_text_is_refused_with_the_line(bad: str) -> None:
    with pytest.raises(ovs.OvsSyntaxError, match="ovs line"):
        ovs.parse(bad)


def test_frr_running_config_preamble_is_dropped() -> None:
    running = "Building configuration...\n\nCurrent configuration:\n!\nfrr version 8.4.4\n"
    running += "frr defaults traditional\n"
    assert frr_from_running(running) == "frr defaults traditional\n"
