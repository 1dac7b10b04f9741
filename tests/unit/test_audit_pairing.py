"""The compare engine on a few hand-written lines: which missing and extra lines pair up as one `changed`
finding (same keyword: a two-word line or free text by its first word, a longer line by its first two, a
`no ` form by the words after it) and which stay apart. Expected findings are written out by hand.
Fast on purpose: `make mutation` runs it on every mutant of wardnet/audit/compare.py's engine.
"""

from __future__ import annotations

import pytest

from wardnet.audit.compare import findings
from wardnet.audit.normalise import parse

HEAD = "interface GigabitEthernet1/0/1"


def _found(want: str, have: str) -> list[tuple[str, str, str, str]]:
    intended = parse([HEAD, f" {want}", " switchport mode access"])
    running = parse([HEAD, f" {have}", " switchport mode access"])
    return [(d.kind, d.section, d.intended, d.running) for d in findings("cisco_iosxe", intended, running)]


@pytest.mark.parametrize(
    ("want", "have"),
    [
        ("no shutdown", "shutdown"),  # the `no ` form names the same setting
        ("shutdown", "no shutdown"),
        ("description Uplink to the core", "description Old uplink here"),  # free text: the keyword alone
        ("spanning-tree portfast", "spanning-tree bpduguard"),  # two words: the first
        ("ip address 10.0.0.1 255.255.255.0", "ip address 10.0.0.2 255.255.255.0"),  # longer: the first two
    ],
)
def test_a_setting_changed_in_place_is_one_finding(want: str, have: str) -> None:
    assert _found(want, have) == [("changed", HEAD, want, have)]


@pytest.mark.parametrize(
    ("want", "have"),
    [
        ("ip helper-address 10.0.0.53", "ip address 10.0.0.2 255.255.255.0"),  # three words: two must match
        ("ip helper-address 10.0.0.53 extra", "ip address 10.0.0.2 255.255.255.0"),
        ("storm-control broadcast level 1.00", "storm-control multicast level 1.00"),
        ("switchport access vlan 20", "switchport voice vlan 40"),
    ],
)
def test_different_settings_stay_missing_and_extra(want: str, have: str) -> None:
    assert _found(want, have) == [("missing", HEAD, want, ""), ("extra", HEAD, "", have)]


def test_a_nested_block_is_compared_inside_its_parent() -> None:
    intended = parse(["router bgp 65001", " address-family ipv4", "  network 10.0.0.0 mask 255.255.0.0"])
    running = parse(["router bgp 65001", " address-family ipv4", "  network 10.9.0.0 mask 255.255.0.0"])
    section = "router bgp 65001 > address-family ipv4"
    # four words: `network 10.0.0.0` and `network 10.9.0.0` are two statements, not one changed
    assert [
        (d.kind, d.section, d.intended, d.running) for d in findings("cisco_iosxe", intended, running)
    ] == [
        ("missing", section, "network 10.0.0.0 mask 255.255.0.0", ""),
        ("extra", section, "", "network 10.9.0.0 mask 255.255.0.0"),
    ]


def test_a_missing_block_lists_every_line_under_it() -> None:
    intended = parse(["line vty 0 4", " exec-timeout 5 0", " transport input ssh", "hostname x"])
    running = parse(["hostname x", "banner motd ^C"])
    assert [
        (d.kind, d.section, d.intended, d.running) for d in findings("cisco_iosxe", intended, running)
    ] == [
        ("missing", "", "line vty 0 4", ""),
        ("missing", "line vty 0 4", "exec-timeout 5 0", ""),
        ("missing", "line vty 0 4", "transport input ssh", ""),
        ("extra", "", "", "banner motd ^C"),
    ]


def test_a_twin_line_is_matched_once() -> None:
    intended = parse([HEAD, " switchport", " switchport"])
    running = parse([HEAD, " switchport"])
    assert [
        (d.kind, d.section, d.intended, d.running) for d in findings("cisco_iosxe", intended, running)
    ] == [("missing", HEAD, "switchport", "")]


def test_an_entry_of_an_ordered_table_is_compared_inside() -> None:
    # FortiOS policies are a sequence (order decides); an entry in its place is still compared line by line.
    head = "config firewall policy"
    intended = parse(
        [head, "    edit 1", "        set action accept", "        set nat enable", "    edit 2"]
    )
    running = parse([head, "    edit 1", "        set action deny", "        set nat enable", "    edit 2"])
    assert [(d.kind, d.section, d.intended, d.running) for d in findings("fortios", intended, running)] == [
        ("changed", "config firewall policy > edit 1", "set action accept", "set action deny")
    ]


def test_parse_nests_by_indentation_and_folds_inner_whitespace() -> None:
    roots = parse(["interface X", "  description a  b\tc", " shutdown", "hostname h", "\tdescription x\ty"])
    assert [(r.text, [c.text for c in r.children]) for r in roots] == [
        ("interface X", ["description a b c", "shutdown"]),  # runs of spaces and tabs fold to one space
        ("hostname h", ["description x y"]),  # a tab indents like a space
    ]


def test_parse_folds_runs_of_spaces_without_a_tab_and_leaves_single_spaces() -> None:
    roots = parse(["interface X", " description a  b", " no shutdown"])
    assert [(r.text, [c.text for c in r.children]) for r in roots] == [
        ("interface X", ["description a b", "no shutdown"])
    ]


def test_parse_strips_only_the_indentation() -> None:
    # Only spaces and tabs indent: a line's own first characters stay, whatever they are.
    roots = parse(["XConnect 1", " XX-ID 7", "\tX"])
    assert [(r.text, [c.text for c in r.children]) for r in roots] == [("XConnect 1", ["XX-ID 7", "X"])]


def test_parse_hangs_each_frr_section_s_lines_under_its_mark() -> None:
    roots = parse(
        ["!== frr", "router bgp 65001", " neighbor 10.0.0.1 remote-as 65000", "!== ovs", "bridge br0"]
    )
    assert [(r.text, [c.text for c in r.children]) for r in roots] == [
        ("!== frr", ["router bgp 65001"]),
        ("!== ovs", ["bridge br0"]),
    ]
    assert [c.text for c in roots[0].children[0].children] == ["neighbor 10.0.0.1 remote-as 65000"]


def test_parse_indents_only_with_spaces_and_tabs_not_with_other_unicode_spaces() -> None:
    # A no-break or ideographic space at a line's start is text (pasted from a document), not indentation:
    # the line stays a top-level line of its own, its first character kept.
    roots = parse(["interface X", "\u00a0description a", "\u3000shutdown", " no shutdown"])
    assert [(r.text, [c.text for c in r.children]) for r in roots] == [
        ("interface X", []),
        ("\u00a0description a", []),
        ("\u3000shutdown", ["no shutdown"]),
    ]


def test_a_no_break_space_inside_a_line_is_drift_not_layout() -> None:
    # Only runs of spaces and tabs fold; a single no-break space is a different byte on the device.
    assert _found("description Phòng họp", "description Phòng\u00a0họp") == [
        ("changed", HEAD, "description Phòng họp", "description Phòng\u00a0họp")
    ]
    roots = parse(["description Phòng\u00a0họp", "description a\u2009b"])
    assert [r.text for r in roots] == ["description Phòng\u00a0họp", "description a\u2009b"]


def test_parse_ends_a_block_at_a_line_no_deeper_than_its_indented_top_line() -> None:
    # A line as deep as the indented top line is its sibling, not its child ("  c" after "  a").
    roots = parse(["  a", "   b", "  c", " d", "  e", "f"])
    assert [(r.text, [c.text for c in r.children]) for r in roots] == [
        ("a", ["b"]),
        ("c", []),
        ("d", ["e"]),
        ("f", []),
    ]


def test_a_block_is_built_once_and_shared_between_configs() -> None:
    block = ["interface Vlan10", " ip address 10.0.0.1 255.255.255.0"]
    first, second = parse([*block, "hostname a"]), parse(["hostname b", *block])
    assert first[0] is second[1]
    assert [c.text for c in first[0].children] == ["ip address 10.0.0.1 255.255.255.0"]


def test_extra_lines_keep_the_running_order_when_a_block_repeats() -> None:
    # A repeated block is one shared tree: the extras are ordered by place, not by object.
    intended = parse(["hostname h"])
    running = parse(["ntp server 192.0.2.1", "hostname h", "logging host 192.0.2.2", "ntp server 192.0.2.1"])
    assert [(d.kind, d.running) for d in findings("cisco_iosxe", intended, running)] == [
        ("extra", "ntp server 192.0.2.1"),
        ("extra", "logging host 192.0.2.2"),
        ("extra", "ntp server 192.0.2.1"),
    ]


def test_a_section_that_differs_in_one_line_is_compared_inside() -> None:
    intended = parse(["!== frr", "hostname a", "!== ovs", "bridge br0"])
    running = parse(["!== frr", "hostname b", "!== ovs", "bridge br0"])
    assert [(d.kind, d.section, d.intended, d.running) for d in findings("frr", intended, running)] == [
        ("changed", "frr", "hostname a", "hostname b")
    ]
