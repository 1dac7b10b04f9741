"""Edges of the frr rules (wardnet/checks/rules_frr.py) on Ben Thanh's twin, in the style of
test_rules_findings.py: one edit nft accepts (a named set written with semicolons, a negated port, `meta
l4proto`, an interface set, a port shut down in the wrong VLAN) and the exact findings it adds, written out by
hand. `make mutation` runs these on the rule file's mutants (issue 25), so they stay fast.
"""

from __future__ import annotations

import pytest

from tests.conftest import BEN_THANH
from tests.unit.test_checks import _text
from tests.unit.test_rules_findings import ANY, FRR_GAPS, _findings, _frr
from wardnet.inventory import Inventory

INPUT_HEAD = (
    "table inet wardnet {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n"
)
FORWARD_END = '\t\tlog prefix "wardnet-deny " counter drop\n'


@pytest.fixture(scope="module")
def fw(inventory: Inventory) -> str:
    text, role, _ = _text(inventory, f"hcm-{BEN_THANH}-fw", platform="frr")
    assert role == "firewall" and text.count(INPUT_HEAD) == 1 and text.count(FORWARD_END) == 1
    return text


def _added(text: str, inventory: Inventory) -> list[tuple[str, str, str]]:
    return [f for f in _frr(text, inventory) if f not in FRR_GAPS]


def _input(fw: str, sets: str, rules: str) -> str:
    """The twin with named sets declared before its input chain and rules at the chain's top."""
    head = "table inet wardnet {\n" + sets + INPUT_HEAD.removeprefix("table inet wardnet {\n")
    return fw.replace(INPUT_HEAD, head + rules, 1)


def test_a_named_port_set_written_with_semicolons_is_read_as_its_ports(inventory: Inventory, fw: str) -> None:
    """nft(8) SETS: `elements = { ... } ;` inside the set's braces, like `type ... ;`."""
    sets = "\tset noc_ports {\n\t\ttype inet_service; elements = { 22, 161 };\n\t}\n\n"
    text = _input(fw, sets, "\t\tip saddr 192.0.2.0/24 tcp dport @noc_ports accept\n")
    assert _added(text, inventory) == [
        (
            "L2-MGMT-02",
            "management ([22, 161]) accepted from ['192.0.2.0/24']:"
            " 'ip saddr 192.0.2.0/24 tcp dport @noc_ports accept'",
            ANY,
        )
    ]
    # the same set naming BGP only, from the core router: no management port, no finding
    bgp = "\tset peer_ports {\n\t\ttype inet_service; elements = { bgp };\n\t}\n\n"
    assert (
        _added(_input(fw, bgp, "\t\tip saddr 10.65.55.240 tcp dport @peer_ports accept\n"), inventory) == []
    )


def test_a_negated_port_opens_every_other_port(inventory: Inventory, fw: str) -> None:
    text = _input(fw, "", "\t\tip saddr 10.65.55.240 tcp dport != 179 accept\n")
    assert _added(text, inventory) == [
        (
            "L2-MGMT-02",
            "management (every port) accepted from ['10.65.55.240/32']:"
            " 'ip saddr 10.65.55.240 tcp dport != 179 accept'",
            ANY,
        )
    ]


def test_meta_l4proto_opens_ports_only_for_a_protocol_that_has_them(inventory: Inventory, fw: str) -> None:
    flow = 'iifname "vlan30" oifname "wan1" ip saddr 10.65.54.0/25 ip daddr 10.0.2.0/23'
    icmp = f'\t\t{flow} meta l4proto {{ icmp, ipv6-icmp }} log prefix "x " accept\n'
    sctp = f'\t\t{flow} meta l4proto sctp log prefix "x " accept\n'
    assert _added(fw.replace(FORWARD_END, icmp + FORWARD_END, 1), inventory) == []
    assert _added(fw.replace(FORWARD_END, sctp + FORWARD_END, 1), inventory) == [
        ("L2-FLOW-03", f"accept of every service: '{sctp.strip()}'", "match the service ports")
    ]


def test_an_interface_named_set_is_expanded_like_a_source_set(inventory: Inventory, fw: str) -> None:
    loopback = '\tset loopback {\n\t\ttype ifname\n\t\telements = { "lo" }\n\t}\n\n'
    text = _input(fw, loopback, "").replace('\t\tiif "lo" accept\n', "\t\tiifname @loopback accept\n", 1)
    assert 'iif "lo"' not in text
    assert _added(text, inventory) == []  # the loopback, by set: no management from anywhere
    # an interface only named like the loopback is not the loopback
    assert _added(_input(fw, "", "\t\tiifname { loX } tcp dport 22 accept\n"), inventory) == [
        (
            "L2-MGMT-02",
            "management ([22]) accepted from ['anywhere']: 'iifname { loX } tcp dport 22 accept'",
            ANY,
        )
    ]
    uplinks = '\tset uplinks {\n\t\ttype ifname\n\t\telements = { "wan1" }\n\t}\n\n'
    text = _input(fw, uplinks, "\t\tiifname @uplinks tcp dport 22 accept\n")
    assert _added(text, inventory) == [
        (
            "L2-MGMT-02",
            "management ([22]) accepted from ['anywhere']: 'iifname @uplinks tcp dport 22 accept'",
            ANY,
        )
    ]


def test_a_port_shut_down_outside_the_parking_vlan_is_named_with_its_fix(inventory: Inventory) -> None:
    text, role, _ = _text(inventory, f"hcm-{BEN_THANH}-acc1", platform="frr")
    assert role == "access"
    before = _findings(text, "frr", role, inventory)
    edits = [
        (" port GigabitEthernet1/0/40 tag=999 shutdown\n", " port GigabitEthernet1/0/40 tag=20 shutdown\n"),
        (" port GigabitEthernet1/0/41 tag=999 shutdown\n", " port GigabitEthernet1/0/41 tag=9999 shutdown\n"),
    ]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    assert (
        "L2-NAC-01",
        "white-box: staff ports do not authenticate (no 802.1X/MAB on Open vSwitch)",
        "put the site's staff ports on the Catalysts, or add hostapd-wired per port to the design",
    ) in before
    after = _findings(text, "frr", role, inventory)
    assert [f for f in after if f not in before] == [
        (
            "L2-SVC-01",
            "'port GigabitEthernet1/0/40 tag=20 shutdown' is shut down outside the parking VLAN",
            "tag=999",
        ),
        (
            "L2-SVC-01",
            "'port GigabitEthernet1/0/41 tag=9999 shutdown' is shut down outside the parking VLAN",
            "tag=999",
        ),
    ]


CHAINS_AFTER_INPUT = "\tchain forward {\n"


def _chains(text: str, chains: str) -> str:
    """Extra regular chains declared after the input chain."""
    assert text.count(CHAINS_AFTER_INPUT) == 1
    return text.replace(CHAINS_AFTER_INPUT, chains + CHAINS_AFTER_INPUT, 1)


def test_a_jumps_own_matches_narrow_what_the_called_chain_accepts(inventory: Inventory, fw: str) -> None:
    chains = (
        "\tchain admin {\n\t\ttcp dport 22 accept\n\t}\n\n"
        "\tchain nested {\n\t\tip saddr 192.0.2.0/24 jump admin\n\t}\n\n"
    )
    rules = (
        "\t\tip saddr 10.0.1.0/24 jump admin\n"  # the NOC only
        '\t\tiif "lo" jump admin\n'
        "\t\tct state established,related jump admin\n"
        "\t\tip protocol icmp jump admin\n"
        "\t\tip saddr 192.0.2.0/24 goto admin\n"
        "\t\tjump nested\n"
    )
    assert _added(_chains(_input(fw, "", rules), chains), inventory) == [
        (
            "L2-MGMT-02",
            "management ([22]) accepted from ['192.0.2.0/24']:"
            " 'ip saddr 192.0.2.0/24 goto admin -> tcp dport 22 accept'",
            ANY,
        ),
        (
            "L2-MGMT-02",
            "management ([22]) accepted from ['192.0.2.0/24']:"
            " 'jump nested -> ip saddr 192.0.2.0/24 jump admin -> tcp dport 22 accept'",
            ANY,
        ),
    ]


def test_input_matches_in_their_other_written_forms(inventory: Inventory, fw: str) -> None:
    text = _input(
        fw,
        "",
        "\t\ticmp type echo-request accept\n"
        "\t\tip6 nexthdr ipv6-icmp accept\n"
        "\t\tfib daddr type local tcp dport 22 accept\n"
        "\t\tip daddr 10.0.1.5 tcp dport 22 accept\n"
        "\t\tip saddr 192.0.2.0/24 tcp dport {22,443} accept\n"
        "\t\tip saddr { 192.0.2.0/24, 198.51.100.0/24 } tcp dport { 22 , 830 } accept\n"
        "\t\tip saddr 192.0.2.0/24 tcp dport 20-23 accept\n",
    ).replace('\t\tiif "lo" accept\n', "\t\tiif lo accept\n", 1)
    assert "iif lo accept" in text
    assert _added(text, inventory) == [
        (
            "L2-MGMT-02",
            "management ([22]) accepted from ['anywhere']: 'fib daddr type local tcp dport 22 accept'",
            ANY,
        ),
        (
            "L2-MGMT-02",
            "management ([22]) accepted from ['anywhere']: 'ip daddr 10.0.1.5 tcp dport 22 accept'",
            ANY,
        ),
        (
            "L2-MGMT-02",
            "management ([22, 443]) accepted from ['192.0.2.0/24']:"
            " 'ip saddr 192.0.2.0/24 tcp dport {22,443} accept'",
            ANY,
        ),
        (
            "L2-MGMT-02",
            "management ([22, 830]) accepted from ['192.0.2.0/24', '198.51.100.0/24']:"
            " 'ip saddr { 192.0.2.0/24, 198.51.100.0/24 } tcp dport { 22 , 830 } accept'",
            ANY,
        ),
        (
            "L2-MGMT-02",
            "management ([22, 23]) accepted from ['192.0.2.0/24']:"
            " 'ip saddr 192.0.2.0/24 tcp dport 20-23 accept'",
            ANY,
        ),
    ]


def test_a_negated_state_protocol_or_interface_narrows_nothing(inventory: Inventory, fw: str) -> None:
    rules = (
        "\t\tct state != established,related accept\n"
        '\t\tiifname != "lo" tcp dport 22 accept\n'
        "\t\tmeta l4proto != tcp accept\n"
    )
    assert _added(_input(fw, "", rules), inventory) == [
        (
            "L2-MGMT-02",
            "management (every port) accepted from ['anywhere']: 'ct state != established,related accept'",
            ANY,
        ),
        (
            "L2-MGMT-02",
            """management ([22]) accepted from ['anywhere']: 'iifname != "lo" tcp dport 22 accept'""",
            ANY,
        ),
        (
            "L2-MGMT-02",
            "management (every port) accepted from ['anywhere']: 'meta l4proto != tcp accept'",
            ANY,
        ),
    ]


def test_forward_matches_in_their_other_written_forms(inventory: Inventory, fw: str) -> None:
    flow = 'iifname "vlan30" oifname "wan1" ip saddr 10.65.54.0/25 ip daddr 10.0.2.0/23'
    rules = (
        '\t\tiifname "vlan30" ip6 daddr 2001:db8:413:60::/64 tcp dport 443 log prefix "x " accept\n'
        f'\t\t{flow} ip protocol tcp log prefix "x " accept\n'
        f'\t\t{flow} meta l4proto udp log prefix "x " accept\n'
        '\t\tip saddr 10.65.54.0/25 ip daddr @servers tcp dport 443 log prefix "x " accept\n'
        "\t\tjump icmp6_errors\n"
    )
    chains = (
        "\tchain icmp6_errors {\n"
        "\t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded,"
        " parameter-problem } accept\n"
        "\t}\n\n"
    )
    servers = (
        "\tset servers {\n\t\ttype ipv4_addr; flags interval;\n\t\telements = { 10.65.55.64/27 }\n\t}\n\n"
    )
    text = _chains(_input(fw, servers, ""), chains).replace(FORWARD_END, rules + FORWARD_END, 1)
    assert _added(text, inventory) == [
        (
            "L2-FLOW-03",
            f"accept of every service: '{flow} ip protocol tcp log prefix \"x \" accept'",
            "match the service ports",
        ),
        (
            "L2-FLOW-03",
            f"accept of every service: '{flow} meta l4proto udp log prefix \"x \" accept'",
            "match the service ports",
        ),
    ]


def test_an_empty_named_set_matches_nothing(inventory: Inventory, fw: str) -> None:
    sets = "\tset nobody {\n\t\ttype ipv4_addr\n\t}\n\n\tset no_ports {\n\t\ttype inet_service\n\t}\n\n"
    rules = "\t\tip saddr @nobody tcp dport 22 accept\n\t\tip saddr 192.0.2.0/24 tcp dport @no_ports accept\n"
    assert _added(_input(fw, sets, rules), inventory) == []


def test_a_syslog_section_in_the_device_text_closes_that_gap(inventory: Inventory, fw: str) -> None:
    text = fw + "!== syslog\n*.* @@10.0.0.20:6514\n"
    assert _frr(text, inventory) == [f for f in FRR_GAPS if f[2] != "forward to 10.0.0.20, 10.0.0.21"]
