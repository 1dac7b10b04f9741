"""Issue 22: the baseline held as strictly as a ward file. Each case ended in a traceback or was accepted;
now each is refused with exit 2, naming the file, line, field and fix, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, ward_file
from wardnet.cli import main

BASELINE = Path("group_vars/all/baseline.yml")


@pytest.fixture
def root(inventory_copy: Callable[..., Path]) -> Path:
    return inventory_copy(BEN_THANH, "26732")


def edit(path: Path, old: str, new: str) -> int:
    """Replace old (once) and return the line it was on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def refuse(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], *expected: str) -> str:
    out = tmp_path / "out"
    code = main(["render", "--inventory", str(root), "--out", str(out)])
    text = "".join(capsys.readouterr())
    assert code == 2, text
    assert not out.exists(), "nothing may be written from bad input"
    assert "Traceback" not in text
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert "(fix: " in text
    return text


def at(line: int, field: str) -> str:
    """How an error names where it is: baseline.yml:LINE: FIELD:"""
    return f"baseline.yml:{line}: {field}:"


# --- what ended in a traceback -------------------------------------------------------------------------


def test_addressed_vlan_without_a_place(root, tmp_path, capsys) -> None:
    edit(root / BASELINE, "purpose: device management, place: 0.0.7.0/26}", "purpose: device management}")
    text = refuse(root, tmp_path, capsys, "needs exactly one VLAN without a place", "is the parking VLAN")
    lines = (root / BASELINE).read_text(encoding="utf-8").splitlines()
    assert at(lines.index("  vlan: 10") + 1, "management.vlan") in text


def test_dhcp_vlan_without_a_place(root, tmp_path, capsys) -> None:
    edit(root / BASELINE, "place: 0.0.4.0/23, ", "")
    refuse(root, tmp_path, capsys, "vlans.1", "a VLAN with a share needs a place")


@pytest.mark.parametrize("missing", [11, 999])
def test_management_vlan_that_does_not_exist_or_is_parking(root, tmp_path, capsys, missing: int) -> None:
    line = edit(root / BASELINE, "  vlan: 10\n", f"  vlan: {missing}\n")
    text = refuse(root, tmp_path, capsys, at(line, "management.vlan"), "10 (MGMT)")
    assert ("no VLAN with id 11" if missing == 11 else "is the parking VLAN") in text


def test_parking_vlan_deleted(root, tmp_path, capsys) -> None:
    edit(
        root / BASELINE,
        '  - {id: 999, name: UNUSED, zone: parking, purpose: "unused ports, shut down"}\n',
        "",
    )
    refuse(
        root, tmp_path, capsys, "vlans:", "needs exactly one VLAN without a place (the parking VLAN), has 0"
    )


def test_servers_vlan_deleted(root, tmp_path, capsys) -> None:
    edit(
        root / BASELINE,
        "  - {id: 60, name: SERVERS, zone: servers, purpose: local servers (static), place: 0.0.7.64/27}\n",
        "",
    )
    refuse(root, tmp_path, capsys, "no VLAN in zone 'servers'", "add a static VLAN with zone: servers")


def test_second_servers_vlan(root, tmp_path, capsys) -> None:
    line = edit(
        root / BASELINE, "{id: 70, name: CAMERAS, zone: iot,", "{id: 70, name: CAMERAS, zone: servers,"
    )
    refuse(root, tmp_path, capsys, at(line, "vlans.6.zone"), "second VLAN in zone 'servers'")


@pytest.mark.parametrize("model", ["C9300-48P", "C9300X-24Y"])
def test_switch_model_without_ports(root, tmp_path, capsys, model: str) -> None:
    text = (root / BASELINE).read_text(encoding="utf-8")
    start = text.index(f"  {model}:\n")
    ports = text.index("    ports: ", start)
    end = text.index("\n", ports) + 1
    (root / BASELINE).write_text(text[:ports] + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1  # a missing key is placed at its parent's line
    refuse(root, tmp_path, capsys, at(line, f"models.{model}.ports"), "switch model needs its edge ports")


def test_core_model_with_too_few_ports(root, tmp_path, capsys) -> None:
    line = edit(
        root / BASELINE,
        '{pattern: "TwentyFiveGigE{member}/0/{port}", count: 24}',
        '{pattern: "TwentyFiveGigE{member}/0/{port}", count: 3}',
    )
    refuse(root, tmp_path, capsys, at(line, "models.C9300X-24Y.ports.count"), "at least 4")


@pytest.mark.parametrize("key", ["lan_ports", "wan_ports"])
def test_firewall_model_without_lan_or_wan_ports(root, tmp_path, capsys, key: str) -> None:
    old = {"lan_ports": "lan_ports: [x1, x2]", "wan_ports": "wan_ports: [wan1, wan2]"}[key]
    line = edit(root / BASELINE, old, f"{key}: []")
    refuse(
        root, tmp_path, capsys, at(line, f"models.FortiGate-201F.{key}"), "firewall model needs at least one"
    )


def test_access_model_without_uplinks(root, tmp_path, capsys) -> None:
    text = (root / BASELINE).read_text(encoding="utf-8")
    old = '"TenGigabitEthernet{member}/1/1", "TenGigabitEthernet{member}/1/2"]\n    poe_watts: 740'
    (root / BASELINE).write_text(text.replace(old, "]\n    poe_watts: 740"), encoding="utf-8")
    refuse(root, tmp_path, capsys, "models.C9300-48P.uplinks:", "needs at least one uplink")


@pytest.mark.parametrize(
    ("role", "wrong"), [("firewall", "cisco_iosxe"), ("core", "fortios"), ("access", "fortios")]
)
def test_platform_that_cannot_play_the_role(root, tmp_path, capsys, role: str, wrong: str) -> None:
    current = {"firewall": "fortios", "core": "cisco_iosxe", "access": "cisco_iosxe"}[role]
    line = edit(root / BASELINE, f"  {role}: {current}\n", f"  {role}: {wrong}\n")
    refuse(root, tmp_path, capsys, at(line, f"platforms.{role}"), f"platform {wrong} cannot be a {role}")


def test_ward_platform_that_cannot_play_the_role(root, tmp_path, capsys) -> None:
    path = ward_file(root, BEN_THANH)
    path.write_text(
        path.read_text(encoding="utf-8") + "platforms: {firewall: cisco_iosxe, core: frr, access: frr}\n",
        encoding="utf-8",
    )
    refuse(root, tmp_path, capsys, f"{path.name}:", "platforms.firewall", "use one of fortios, frr")


def test_twin_platform_that_cannot_play_every_role(root, tmp_path, capsys) -> None:
    line = edit(root / BASELINE, "  platform: frr\n", "  platform: fortios\n")
    refuse(root, tmp_path, capsys, at(line, "whitebox_twin.platform"), "cannot play every role")


def test_two_vlans_with_one_id(root, tmp_path, capsys) -> None:
    line = edit(root / BASELINE, "{id: 21, name: STAFF-WIFI", "{id: 20, name: STAFF-WIFI")
    refuse(root, tmp_path, capsys, at(line, "vlans.2.id"), "VLAN id 20 is also vlans.1 (STAFF)")


# --- what was accepted but wrong -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        ('city_apps: [10.0.2.0/23, "2001', 'city_apps: [10.65.48.0/24, "2001', "remote_zones.city_apps.0"),
        ("servers: [10.0.0.10, 10.0.0.11]", "servers: [10.0.0.10, 10.65.55.10]", "services.ntp.servers.1"),
        ("servers: [10.0.0.20, 10.0.0.21]", "servers: [10.65.56.20, 10.0.0.21]", "services.syslog.servers.0"),
        ("servers: [10.0.0.53, 10.0.0.54]", "servers: [10.0.0.53, 10.65.50.54]", "services.dns.servers.1"),
        (
            "{name: HCM-RAD-2, address: 10.0.0.41}",
            "{name: HCM-RAD-2, address: 10.65.49.41}",
            "aaa.radius.1.address",
        ),
    ],
)
def test_city_address_inside_a_site_block(root, tmp_path, capsys, case: tuple[str, str, str]) -> None:
    old, new, field = case
    line = edit(root / BASELINE, old, new)
    refuse(
        root,
        tmp_path,
        capsys,
        at(line, field),
        "overlaps site 26743's block 10.65.48.0/20",
        "outside every site block",
    )


def test_city_address_inside_the_block_of_a_unit_without_a_file(root, tmp_path, capsys) -> None:
    # 25747 Thủ Dầu Một (slot 47, 10.2.240.0/20) is not in this copy: its block is still a site's
    edit(root / BASELINE, "city_video: [10.0.4.0/24,", "city_video: [10.2.241.0/24,")
    refuse(root, tmp_path, capsys, "remote_zones.city_video.0", "overlaps site 25747's block")


def test_a_city_ipv6_prefix_inside_a_site_prefix_is_refused(root, tmp_path, capsys) -> None:
    # Ben Thanh's /48 is slot 1043 = 0x413 of 2001:db8::/32
    line = edit(root / BASELINE, '"2001:db8:0:4::/64"]', '"2001:db8:413:4::/64"]')
    refuse(root, tmp_path, capsys, at(line, "remote_zones.city_video.1"), "overlaps site 26743's IPv6 prefix")


def test_noc_source_is_the_whole_supernet(root, tmp_path, capsys) -> None:
    line = edit(root / BASELINE, "  sources: [10.0.1.0/24,", "  sources: [10.0.0.0/9,")
    refuse(
        root,
        tmp_path,
        capsys,
        at(line, "management.sources.0"),
        "10.0.0.0/9 overlaps site",
        "other site blocks",
    )


def test_management_vlan_is_a_user_vlan(root, tmp_path, capsys) -> None:
    line = edit(root / BASELINE, "  vlan: 10\n", "  vlan: 20\n")
    refuse(root, tmp_path, capsys, at(line, "management.vlan"), "VLAN 20 (STAFF) is a user VLAN", "10 (MGMT)")


@pytest.mark.parametrize("alike", ["STAFF", "STAFFWIFI"])
def test_two_vlans_named_alike(root, tmp_path, capsys, alike: str) -> None:
    line = edit(
        root / BASELINE,
        "{id: 21, name: STAFF-WIFI",
        f"{{id: 21, name: {'STAFF' if alike == 'STAFF' else 'STAFFWIFI'}",
    )
    if alike == "STAFFWIFI":  # alike another one: rename STAFF-WIFI's twin
        edit(root / BASELINE, "{id: 30, name: SERVICES", "{id: 30, name: STAFF-WIFI")
        refuse(root, tmp_path, capsys, "vlans.3.name", "STAFF-WIFI is alike vlans.2 (STAFFWIFI)")
    else:
        refuse(root, tmp_path, capsys, at(line, "vlans.2.name"), "STAFF is alike vlans.1 (STAFF)")


def test_city_core_asn_equal_to_a_site_asn(root, tmp_path, capsys) -> None:
    line = edit(root / BASELINE, "city_core_asn: 65000", "city_core_asn: 4200026743")
    refuse(root, tmp_path, capsys, at(line, "ip_plan.city_core_asn"), "the ASN of code 26743")


def test_site_asn_above_the_largest_asn(root, tmp_path, capsys) -> None:
    line = edit(root / BASELINE, "site_asn_base: 4200000000", "site_asn_base: 4294967000")
    refuse(
        root, tmp_path, capsys, at(line, "ip_plan.site_asn_base"), "above the largest 4-byte ASN 4294967294"
    )


@pytest.mark.parametrize(
    ("slot", "expected"),
    [
        (-5, "greater than or equal to 1"),
        (0, "greater than or equal to 1"),
        (47, "block of unit 25747"),
        (4000, "outside the plan's 2048 slots"),
    ],
)
def test_reserved_slot_out_of_range_or_taken(root, tmp_path, capsys, slot: int, expected: str) -> None:
    line = edit(root / BASELINE, '"79000": 1 ', f'"79000": {slot} ')
    refuse(root, tmp_path, capsys, at(line, "ip_plan.reserved_slots.79000"), expected)


@pytest.mark.parametrize("members", [3, 8])
def test_firewall_of_more_than_two_units(root, tmp_path, capsys, members: int) -> None:
    path = ward_file(root, BEN_THANH)
    line = edit(path, "model: FortiGate-201F, members: 2}", f"model: FortiGate-201F, members: {members}}}")
    refuse(root, tmp_path, capsys, f"{path.name}:{line}: devices.0.members:", "one unit or an HA pair")


def test_firewall_model_with_one_lan_port_as_an_ha_pair(root, tmp_path, capsys) -> None:
    path = ward_file(root, BEN_THANH)
    line = edit(path, "model: FortiGate-201F, members: 2}", "model: whitebox-fw, members: 2}")
    edit(path, "devices:", "platforms: {firewall: frr, core: cisco_iosxe, access: cisco_iosxe}\ndevices:")
    refuse(
        root,
        tmp_path,
        capsys,
        f"{path.name}:{line + 1}: devices.0.members:",
        "whitebox-fw cannot be an HA pair",
        "or use FortiGate-201F",
    )


def test_more_servers_than_the_servers_vlan_addresses(root, tmp_path, capsys) -> None:
    edit(root / BASELINE, "place: 0.0.7.64/27}", "place: 0.0.7.64/28}")  # 14 hosts: srv1..srv5
    path = ward_file(root, BEN_THANH)
    servers = "".join(f"\n  - {{name: srv{n}}}" for n in range(2, 7))
    line = edit(path, "servers:", "servers:")
    edit(path, "- {name: srv1, services: [dhcp_dns]}", "- {name: srv1, services: [dhcp_dns]}" + servers)
    text = refuse(
        root, tmp_path, capsys, f"{path.name}:{line}: servers:", "6 servers", "at most 5 (srv1 to srv5)"
    )
    assert "servers.5.name" in text and "srv6 would be host 15" in text


@pytest.mark.parametrize(
    "payload",
    ["$(reboot)", "`id`", "line\\u2028break", "no\\u00a0break", "emoji \\U0001F600", "a | b", "<script>"],
)
@pytest.mark.parametrize("where", ["banner.0", "city.name", "vlans.0.purpose"])
def test_unsafe_characters_in_baseline_free_text(root, tmp_path, capsys, payload: str, where: str) -> None:
    old = {
        "banner.0": '  - "AUTHORISED ACCESS ONLY - HO CHI MINH CITY PEOPLE\'S COMMITTEE NETWORK"',
        "city.name": "  name: Thành phố Hồ Chí Minh",
        "vlans.0.purpose": "purpose: device management,",
    }[where]
    new = {
        "banner.0": f'  - "AUTHORISED {payload}"',
        "city.name": f'  name: "Thành {payload}"',
        "vlans.0.purpose": f'purpose: "device {payload}",',
    }[where]
    line = edit(root / BASELINE, old, new)
    refuse(
        root, tmp_path, capsys, at(line, where), "free text may hold" if payload[0] not in "$`" else "shell"
    )


def test_vietnamese_typed_with_combining_marks_is_accepted(root, tmp_path, capsys) -> None:
    import unicodedata

    path = ward_file(root, BEN_THANH)
    edit(path, "name: Bến Thành", "name: " + unicodedata.normalize("NFD", "Bến Thành"))
    out = tmp_path / "out"
    assert main(["render", "--inventory", str(root), "--out", str(out), "--site", BEN_THANH]) == 0
    assert "Bến Thành" in (out / "26743-ben-thanh" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name", ["26743-ben-thanh.yml~", ".26743-ben-thanh.yml.swp", "#26743-ben-thanh.yml#", "notes.txt"]
)
def test_editor_leftovers_and_strangers_among_the_ward_files(root, tmp_path, capsys, name: str) -> None:
    source = ward_file(root, BEN_THANH)
    (source.parent / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    expected = "not a site file" if name == "notes.txt" else "editor backup or swap file"
    refuse(root, tmp_path, capsys, name, expected)


def test_editor_backup_of_the_baseline(root, tmp_path, capsys) -> None:
    (root / "group_vars/all/baseline.yml~").write_text("", encoding="utf-8")
    refuse(root, tmp_path, capsys, "baseline.yml~", "editor backup or swap file", "then delete baseline.yml~")


@pytest.mark.parametrize("value", ["12", "true"])
def test_address_written_as_a_number_or_boolean(root, tmp_path, capsys, value: str) -> None:
    # pydantic alone would read 12 as 0.0.0.12 and true as 0.0.0.1
    line = edit(root / BASELINE, "servers: [10.0.0.10, 10.0.0.11]", f"servers: [{value}, 10.0.0.11]")
    refuse(
        root, tmp_path, capsys, at(line, "services.ntp.servers.0"), "is not an address", "write it as text"
    )
