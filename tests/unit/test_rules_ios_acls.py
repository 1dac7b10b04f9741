"""The IOS-XE rules' reading of ACLs on small hand-written configs (numbered ranges, IPv6 `host` and
`sequence` forms, sources that cannot be resolved, ICMPv6 keywords): each expected finding is written out.
Fast on purpose: `make mutation` runs it on the rule pack's mutants."""

from __future__ import annotations

import pytest

from tests.unit.golden_edits import city_expect
from wardnet.checks.run import rendered_findings


def _found(config: str, rule: str) -> list[str]:
    found = rendered_findings(config, "cisco_iosxe", "core", site="26743", device="x", expect=city_expect())
    return [f.message for f in found if f.rule == rule]


def _vty(acl: str) -> str:
    return f"line vty 0 4\n access-class {acl} in\n transport input ssh\n"


@pytest.mark.parametrize(
    ("number", "entry", "expected"),
    [
        # 100-199 and 2000-2699 are extended: the source follows the protocol
        ("100", "permit tcp 10.0.1.0 0.0.0.255 any eq 22", []),
        (
            "199",
            "permit tcp 10.9.0.0 0.0.0.255 any eq 22",
            ["199 permits 10.9.0.0/24, not a management source"],
        ),
        ("2000", "permit tcp 10.0.1.0 0.0.0.255 any eq 22", []),
        ("2699", "permit tcp 10.0.1.0 0.0.0.255 any eq 22", []),
        (
            "2699",
            "permit tcp 10.9.0.0 0.0.0.255 any eq 22",
            ["2699 permits 10.9.0.0/24, not a management source"],
        ),
        # 1-99 and 1300-1999 are standard: the source comes first
        ("99", "permit 10.0.1.0 0.0.0.255", []),
        ("1999", "permit 10.9.0.0 0.0.0.255", ["1999 permits 10.9.0.0/24, not a management source"]),
        # a name in the numbered form (not IOS, but a file may hold it) reads as standard, never a crash
        ("MGMT", "permit 10.9.0.0 0.0.0.255", ["MGMT permits 10.9.0.0/24, not a management source"]),
    ],
)
def test_a_numbered_access_class_reads_its_range_standard_or_extended(
    number: str, entry: str, expected: list[str]
) -> None:
    config = _vty(number) + f"access-list {number} {entry}\n"
    assert _found(config, "L2-MGMT-02") == [f"'line vty 0 4': {e}" for e in expected]


def test_a_permit_whose_source_cannot_be_resolved_is_a_finding_a_deny_is_not() -> None:
    config = _vty("M") + "ip access-list standard M\n permit object-group ADMINS\n deny object-group X\n"
    assert _found(config, "L2-MGMT-02") == [
        "'line vty 0 4': M permits 'object-group ADMINS', which cannot be resolved to addresses"
    ]


IPV6_VTY = (
    "interface Vlan10\n ipv6 address 2001:db8:0:1::2/64\n"
    "line vty 0 4\n access-class M in\n ipv6 access-class M6 in\n transport input ssh\n"
    "ip access-list standard M\n permit 10.0.1.0 0.0.0.255\nipv6 access-list M6\n"
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (" sequence 10 permit ipv6 any any\n", ["M6 permits ::/0, not an IPv6 management source"]),
        (" permit ipv6 host 2001:db8:0:1::5 any\n", []),
        (
            " permit ipv6 host 2001:db8:9::5 any\n",
            ["M6 permits 2001:db8:9::5/128, not an IPv6 management source"],
        ),
        (" sequence 20 permit ipv6 2001:db8:0:1::/64 any\n sequence 30 deny ipv6 any any log\n", []),
    ],
)
def test_an_ipv6_access_class_reads_host_and_sequence_forms(body: str, expected: list[str]) -> None:
    assert _found(IPV6_VTY + body, "L2-IPV6-02") == [f"'line vty 0 4': {e}" for e in expected]


FILTER = "interface Vlan20\n ipv6 traffic-filter F in\nipv6 access-list F\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # log-input only logs: the entry still matches every ICMPv6 type
        (
            " permit icmp any any log-input\n",
            ["F permits every ICMPv6 type (RFC 4890: errors, echo and ND only)"],
        ),
        # a deny from one host met first drops packet-too-big from that host: first match wins
        (
            " deny icmp host 2001:db8::1 any packet-too-big\n permit icmp any any\n",
            [
                "F drops ICMPv6 packet-too-big (RFC 4890: it must pass)",
                "F permits every ICMPv6 type (RFC 4890: errors, echo and ND only)",
            ],
        ),
        # an `ipv6` entry matches every ICMPv6 type whatever follows (reflect only mirrors the session)
        (" permit ipv6 any any reflect OUT\n", []),
    ],
)
def test_an_ipv6_traffic_filter_is_read_as_rfc_4890_asks(body: str, expected: list[str]) -> None:
    assert _found(FILTER + body, "L2-IPV6-04") == [f"interface Vlan20: {e}" for e in expected]
