"""The IPv6 side of the level-2 rule pack (issue 23), on Ben Thanh's golden configs with one edit each: the
finding and its words are written out here, never computed by the rule under test. Disguised forms of the
same violations are in tests/fixtures/disguises.yml."""

from __future__ import annotations

import pytest

from tests.unit.golden_edits import edited, findings, golden

KINDS = {
    "core": ("cisco_iosxe", "core", "cfg"),
    "acc1": ("cisco_iosxe", "access", "cfg"),
    "fw": ("fortios", "firewall", "conf"),
}


def _text(base: str) -> str:
    return golden(f"{base}.{KINDS[base][2]}")


def _findings(text: str, base: str, rule: str) -> list[str]:
    platform, role, _ = KINDS[base]
    return sorted(message for found, message, _ in findings(text, platform, role) if found == rule)


def _edit(text: str, old: str, new: str) -> str:
    return edited(text, [(old, new)])


@pytest.mark.parametrize("base", sorted(KINDS))
def test_the_rendered_dual_stack_configs_have_no_ipv6_finding(base: str) -> None:
    text = _text(base)
    rules = ("L2-IPV6-01", "L2-IPV6-02", "L2-IPV6-03", "L2-IPV6-04")
    assert [_findings(text, base, r) for r in rules] == [[], [], [], []]


PORT2 = (
    "interface GigabitEthernet1/0/2\n description staff\n switchport access vlan 20\n"
    " switchport mode access\n switchport nonegotiate\n switchport voice vlan 40\n"
    " access-session host-mode multi-domain\n access-session closed\n access-session port-control auto\n"
    " mab\n dot1x pae authenticator\n dot1x timeout tx-period 10\n"
    " service-policy type control subscriber WARDNET-DOT1X-MAB\n storm-control broadcast level 5\n"
    " storm-control multicast level 5\n storm-control action trap\n ip dhcp snooping limit rate 15\n"
)
GUARDED = "vlan configuration 15,20,21,30,40,50,70\n ipv6 nd raguard attach-policy WARDNET-HOSTS\n"
SVI = "interface Vlan10\n description management\n"
RFC4890_SVI6 = (
    "ipv6 access-list SVI6\n permit icmp any any unreachable\n permit icmp any any packet-too-big\n"
    " permit icmp any any time-exceeded\n permit icmp any any parameter-problem\n"
    " permit icmp any any nd-ns\n permit icmp any any nd-na\n permit icmp any any echo-request\n"
    " permit tcp 2001:DB8:0:1::/64 any eq 22\n deny ipv6 any any log\n!\n"
)
ALL_VTY = ("0 4", "16 31", "5 15")
AP39 = "interface GigabitEthernet1/0/39\n description access point\n switchport trunk native vlan 15\n"
RA = "lets a host send router advertisements (no host-role RA guard)"


def _svi_filter(acl: str) -> tuple[str, str]:
    """(old, new) that defines an IPv6 ACL and attaches it to the management SVI as a traffic filter."""
    return SVI, acl + SVI + " ipv6 traffic-filter SVI6 in\n"


# One edit of a golden config each: (base, old, new, rule, the rule's findings after it, a rule that must stay
# quiet or None). The findings are written out by hand.
CASES = [
    pytest.param(
        "acc1",
        PORT2,
        PORT2 + " ipv6 nd raguard attach-policy WARDNET-UPLINK\n",
        "L2-IPV6-01",
        [f"interface GigabitEthernet1/0/2 {RA}"],
        None,
        id="a port's own router-role attach overrides its VLANs' host role",
    ),
    pytest.param(
        "acc1",
        GUARDED,
        GUARDED.replace("15,20,21,30,40,50,70", "15,20,21,30,50,70"),
        "L2-IPV6-01",
        [f"interface GigabitEthernet1/0/{n} {RA}" for n in sorted(range(1, 25), key=str)],
        None,
        id="voice VLAN 40 out of the guarded list: every staff port with a phone fires",
    ),
    pytest.param(
        "acc1",
        AP39 + " switchport trunk allowed vlan 15,21,50\n",
        AP39,
        "L2-IPV6-01",
        [f"interface GigabitEthernet1/0/39 {RA}"],
        None,
        id="an AP trunk without an allowed list carries every VLAN, the unguarded management VLAN 10 too",
    ),
    pytest.param(
        "acc1",
        AP39 + " switchport trunk allowed vlan 15,21,50\n",
        AP39 + " switchport trunk allowed vlan 15,21\n switchport trunk allowed vlan add 10,50\n",
        "L2-IPV6-01",
        [f"interface GigabitEthernet1/0/39 {RA}"],
        None,
        id="a long allowed list wrapped into an add line: VLAN 10 on the add line is carried",
    ),
    pytest.param(
        "acc1",
        AP39 + " switchport trunk allowed vlan 15,21,50\n",
        AP39 + " switchport trunk allowed vlan 15,21,50\n switchport trunk allowed vlan remove 50\n",
        "L2-IPV6-01",
        [],
        None,
        id="a VLAN removed from a guarded trunk leaves it guarded",
    ),
    pytest.param(
        "acc1",
        AP39 + " switchport trunk allowed vlan 15,21,50\n",
        AP39 + " switchport trunk allowed vlan except 1-14,16-20,22-49,51-4094\n",
        "L2-IPV6-01",
        [],
        None,
        id="except every unguarded VLAN: what is left is guarded",
    ),
    pytest.param(
        "acc1",
        AP39 + " switchport trunk allowed vlan 15,21,50\n",
        AP39 + " switchport trunk allowed vlan except 1-9,11-14\n",
        "L2-IPV6-01",
        [f"interface GigabitEthernet1/0/39 {RA}"],
        None,
        id="except that leaves the management VLAN 10 and VLANs above 70 carried",
    ),
    pytest.param(
        "acc1",
        AP39 + " switchport trunk allowed vlan 15,21,50\n",
        AP39 + " switchport trunk allowed vlan none\n switchport trunk allowed vlan add 15,21\n",
        "L2-IPV6-01",
        [],
        None,
        id="none then add guarded VLANs only",
    ),
    pytest.param(
        "acc1",
        AP39 + " switchport trunk allowed vlan 15,21,50\n",
        AP39 + " switchport trunk allowed vlan none\n switchport trunk allowed vlan all\n",
        "L2-IPV6-01",
        [f"interface GigabitEthernet1/0/39 {RA}"],
        None,
        id="allowed vlan all is every VLAN",
    ),
    pytest.param(
        "acc1",
        PORT2,
        PORT2.replace(" switchport access vlan 20\n", ""),
        "L2-IPV6-01",
        [f"interface GigabitEthernet1/0/2 {RA}"],
        None,
        id="an access port without an access VLAN is in VLAN 1, which no policy guards",
    ),
    pytest.param(
        "acc1",
        GUARDED,
        GUARDED.replace("WARDNET-HOSTS", "WARDNET-UPLINK"),
        "L2-IPV6-01",
        [
            f"interface GigabitEthernet1/0/{n} {RA}"
            for n in sorted([*range(1, 25), *range(25, 32), *range(32, 36), *range(36, 40)], key=str)
        ],
        None,
        id="the VLAN-wide attach names the router-role policy: every live edge port fires",
    ),
    pytest.param(
        "core",
        "line vty 5 15\n access-class WARDNET-MGMT in\n ipv6 access-class WARDNET-MGMT6 in\n",
        "line vty 5 15\n access-class WARDNET-MGMT in\n",
        "L2-IPV6-02",
        ["'line vty 5 15' has no inbound IPv6 access-class (SSH over IPv6 from anywhere)"],
        None,
        id="vty without an IPv6 access-class",
    ),
    pytest.param(
        "core",
        " permit ipv6 2001:DB8:0:1::/64 any\n",
        " permit ipv6 2001:DB8::/32 any\n",
        "L2-IPV6-02",
        [
            f"'line vty {v}': WARDNET-MGMT6 permits 2001:db8::/32, not an IPv6 management source"
            for v in ALL_VTY
        ],
        None,
        id="IPv6 management ACL widened past the NOC",
    ),
    pytest.param(
        "core",
        " permit ipv6 2001:DB8:0:1::/64 any\n",
        " deny ipv6 2001:DB8::/32 any\n permit ipv6 2001:DB8:0:1::/64 any\n",
        "L2-IPV6-02",
        [],
        None,
        id="a permit under an earlier deny is never reached (first match)",
    ),
    pytest.param(
        "core",
        " permit 10.0.1.0 0.0.0.255\n",
        " permit 10.0.0.0 0.0.255.255\n",
        "L2-MGMT-02",
        [
            *(f"'line vty {v}': WARDNET-MGMT permits 10.0.0.0/16, not a management source" for v in ALL_VTY),
            "SNMP group WARDNET-RO: WARDNET-MGMT permits 10.0.0.0/16, not a management source",
        ],
        "L2-IPV6-02",
        id="the IPv4 walk words its finding as IPv4 and leaves IPv6 alone",
    ),
    pytest.param(
        "fw",
        "set ip6-address 2001:db8:413:20::1/64\n            set ip6-allowaccess ping\n",
        "set ip6-address 2001:db8:413:20::1/64\n            set ip6-allowaccess ping ssh\n",
        "L2-IPV6-02",
        ["interface vlan20 accepts management over IPv6 outside the management VLAN (['ssh'])"],
        "L2-MGMT-02",  # IPv4 allowaccess is still ping only
        id="ip6-allowaccess ssh on a user VLAN",
    ),
    pytest.param(
        "fw",
        "        set ip6-trusthost1 2001:db8:0:1::/64\n        set password ENC",
        "        set password ENC",
        "L2-IPV6-02",
        ["admin hcm-breakglass may log in over IPv6 from ['anywhere (no trusted host)']"],
        "L2-MGMT-02",
        id="admin with IPv4 trusthosts only",
    ),
    pytest.param(
        "fw",
        '        set srcaddr6 "all"\n        set dstaddr6 "all"\n        set action deny\n',
        "        set action deny\n",
        "L2-IPV6-03",
        ["the last enabled policy is not a logged deny of IPv6 all to all, every service"],
        "L2-FLOW-01",  # IPv4 still ends in the deny
        id="final deny left IPv4-only",
    ),
    pytest.param(
        "fw",
        'set srcaddr6 "noc6"\n        set dstaddr6 "mgmt6"\n',
        'set srcaddr6 "all"\n        set dstaddr6 "all"\n',
        "L2-IPV6-03",
        ["policy noc-to-management permits IPv6 any to any"],
        "L2-FLOW-03",  # its IPv4 side still names the NOC and the VLAN
        id="IPv6 any to any on one policy",
    ),
    pytest.param(
        "core",
        *_svi_filter(RFC4890_SVI6),
        "L2-IPV6-04",
        [],
        "L2-IPV6-02",
        id="an SVI filter as RFC 4890 writes it passes",
    ),
    pytest.param(
        "core",
        SVI,
        SVI + " ipv6 traffic-filter WARDNET-MGMT6 in\n",
        "L2-IPV6-04",
        [
            f"interface Vlan10: WARDNET-MGMT6 drops ICMPv6 {t} (RFC 4890: it must pass)"
            for t in ("unreachable", "packet-too-big", "time-exceeded", "parameter-problem", "nd-ns", "nd-na")
        ],
        None,
        id="the management ACL as a traffic filter: its explicit deny beats IOS's implicit ND permits",
    ),
    pytest.param(
        "core",
        *_svi_filter(RFC4890_SVI6.replace(" deny ipv6 any any log\n", "")),
        "L2-IPV6-04",
        [],
        None,
        id="without the explicit deny the same filter still passes",
    ),
    pytest.param(
        "core",
        *_svi_filter("ipv6 access-list SVI6\n permit tcp 2001:DB8:0:1::/64 any eq 22\n!\n"),
        "L2-IPV6-04",
        [
            f"interface Vlan10: SVI6 drops ICMPv6 {t} (RFC 4890: it must pass)"
            for t in ("unreachable", "packet-too-big", "time-exceeded", "parameter-problem")
        ],
        None,
        id="only SSH permitted: the implicit deny takes the errors, ND passes implicitly",
    ),
    pytest.param(
        "core",
        *_svi_filter(RFC4890_SVI6.replace(" permit icmp any any packet-too-big\n", "")),
        "L2-IPV6-04",
        ["interface Vlan10: SVI6 drops ICMPv6 packet-too-big (RFC 4890: it must pass)"],
        None,
        id="packet-too-big left out before the deny",
    ),
    pytest.param(
        "core",
        *_svi_filter(
            RFC4890_SVI6.replace(
                " permit icmp any any packet-too-big\n", " permit icmp 2001:DB8::/32 any packet-too-big\n"
            )
        ),
        "L2-IPV6-04",
        ["interface Vlan10: SVI6 drops ICMPv6 packet-too-big (RFC 4890: it must pass)"],
        None,
        id="packet-too-big permitted from the city only: the rest of the path is cut off",
    ),
    pytest.param(
        "core",
        *_svi_filter(RFC4890_SVI6.replace(" permit icmp any any echo-request\n", " permit icmp any any\n")),
        "L2-IPV6-04",
        ["interface Vlan10: SVI6 permits every ICMPv6 type (RFC 4890: errors, echo and ND only)"],
        None,
        id="an untyped permit icmp any any",
    ),
    pytest.param(
        "core",
        *_svi_filter(
            RFC4890_SVI6.replace(
                " permit icmp any any echo-request\n", " permit icmp any any router-renumbering\n"
            )
        ),
        "L2-IPV6-04",
        ["interface Vlan10: SVI6 permits ICMPv6 router-renumbering (RFC 4890: drop it)"],
        None,
        id="router renumbering permitted",
    ),
    pytest.param(
        "fw",
        'set service "wn-web" "wn-smb" "wn-print"\n',
        'set service "wn-web" "wn-smb" "wn-print" "ALL_ICMP6"\n',
        "L2-IPV6-04",
        [
            "policy staff-to-servers permits every ICMPv6 type (ALL_ICMP6)"
            " (RFC 4890: errors ride their session)"
        ],
        None,
        id="FortiOS policy opening ALL_ICMP6",
    ),
    pytest.param(
        "fw",
        'set service "wn-web" "wn-smb" "wn-print"\n',
        'set service "wn-web" "wn-smb" "wn-print" "PING6"\n',
        "L2-IPV6-04",
        [],
        None,
        id="FortiOS policy adding PING6 (echo) stays within RFC 4890",
    ),
]


@pytest.mark.parametrize(("base", "old", "new", "rule", "expected", "quiet"), CASES)
def test_one_edit_gives_exactly_these_findings(
    *, base: str, old: str, new: str, rule: str, expected: list[str], quiet: str | None
) -> None:
    text = _edit(_text(base), old, new)
    assert _findings(text, base, rule) == sorted(expected)
    if quiet is not None:
        assert _findings(text, base, quiet) == []


def test_the_core_is_not_held_to_access_port_ra_guard() -> None:
    assert "ipv6 nd raguard attach-policy WARDNET-HOSTS" not in _text("core")
    assert _findings(_text("core"), "core", "L2-IPV6-01") == []


def test_a_ports_bare_ra_guard_is_the_host_role_even_in_a_router_role_vlan() -> None:
    """`ipv6 nd raguard` alone applies IOS-XE's default policy, role host, and the port's own policy wins over
    its VLAN's: port 2 stays guarded while every other live edge port fires."""
    text = _edit(_text("acc1"), GUARDED, GUARDED.replace("WARDNET-HOSTS", "WARDNET-UPLINK"))
    text = _edit(text, PORT2, PORT2 + " ipv6 nd raguard\n")
    expected = [f"interface GigabitEthernet1/0/{n} {RA}" for n in [1, *range(3, 40)]]
    assert _findings(text, "acc1", "L2-IPV6-01") == sorted(expected)


def test_a_switch_without_ipv6_needs_no_ipv6_access_class() -> None:
    old = "line vty 5 15\n access-class WARDNET-MGMT in\n ipv6 access-class WARDNET-MGMT6 in\n"
    text = _edit(_text("core"), old, "line vty 5 15\n access-class WARDNET-MGMT in\n")
    no_ipv6 = "\n".join(line for line in text.split("\n") if not line.startswith(" ipv6 address "))
    assert _findings(no_ipv6, "core", "L2-IPV6-02") == []
