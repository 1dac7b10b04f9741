"""The FortiOS full scope: what the device owns by design is data with a reason; everything else it has
beyond the intended config is compared and a replace removes it (issue 16, item 6)."""

from __future__ import annotations

import yaml

from wardnet.platforms import get_platform
from wardnet.platforms.fortios_config import OWNED_FILE, owned, parse, script

INTENDED = """config system global
    set hostname "fw"
end
"""
RUNNING = """config system global
    set hostname "fw"
    set gui-device-latitude 10.7
end
config system interface
    edit "port9"
        set vdom "root"
        set type physical
    next
    edit "vlan99"
        set type vlan
        set allowaccess http telnet
    next
end
config vpn certificate ca
    edit "Fortinet_CA"
    next
end
config firewall address
    edit "all"
    next
    edit "any-net"
        set subnet 0.0.0.0 0.0.0.0
    next
end
config system dns
    set primary 96.45.45.45
end
"""


def test_every_device_owned_item_says_why() -> None:
    data = yaml.safe_load(OWNED_FILE.read_text())
    items = [x for kind in ("blocks", "entries", "settings", "nested") for x in data[kind]]
    assert items and all(str(x.get("reason", "")).strip() for x in items)
    for rule in data["entries"]:
        assert rule.get("names") or rule.get("where"), rule  # never a whole table by accident


def test_owned_matches_by_name_by_setting_and_by_block_pattern() -> None:
    mine = owned()
    tree = parse(RUNNING)
    interfaces = tree.subs["system interface"].entries
    assert mine.entry("system interface", "port9", interfaces["port9"])  # type physical
    assert not mine.entry("system interface", "vlan99", interfaces["vlan99"])
    assert mine.entry("firewall address", "all", tree.subs["firewall address"].entries["all"])
    assert mine.block("vpn certificate ca") and not mine.block("system api-user")


def test_audit_and_replace_see_the_blocks_the_intended_config_does_not_name() -> None:
    forti = get_platform("fortios")
    want, have = forti.device_forms(INTENDED, RUNNING)
    assert "vlan99" in have and "any-net" in have and "primary 96.45.45.45" in have
    for owned_text in ("port9", "Fortinet_CA", 'edit "all"', "gui-device-latitude"):
        assert owned_text not in have, owned_text
    assert "vlan99" not in want
    blocks = script(parse(RUNNING), parse(INTENDED))
    flat = [line.strip() for block in blocks for line in block]
    assert 'delete "vlan99"' in flat and 'delete "any-net"' in flat and "unset primary" in flat
    assert not any("port9" in line or "Fortinet_CA" in line or line == "delete all" for line in flat)
    merge = script(parse(RUNNING), parse(INTENDED), replace=False)
    assert merge == []  # a merge never removes anything


def test_entries_are_deleted_last_and_users_before_what_they_use() -> None:
    """`show` lists an object before what uses it; FortiOS refuses to delete an entry still referenced, so
    the policy goes before the address and the interface it names."""
    running = parse(
        'config system interface\n    edit "vlan99"\n        set type vlan\n    next\nend\n'
        'config firewall address\n    edit "any-net"\n        set subnet 0.0.0.0 0.0.0.0\n    next\nend\n'
        'config firewall policy\n    edit 1000\n        set srcintf "vlan99"\n'
        '        set srcaddr "any-net"\n    next\nend\n'
    )
    candidate = parse('config system global\n    set hostname "fw"\nend\n')
    heads = [block[0] for block in script(running, candidate)]
    assert heads == [
        "config system global",
        "config firewall policy",
        "config firewall address",
        "config system interface",
    ]
