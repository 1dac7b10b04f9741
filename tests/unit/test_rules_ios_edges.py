"""The IOS-XE rule pack at its edges, on Ben Thanh's golden configs with one small edit each (a default left
unset, another accepted form of a command, the second of two lines, a line in another block): every finding
the edited config gets, (rule, message, fix) as a report shows them, written out here by hand from IOS-XE's
reading of the edit, never computed by the rule under test. The golden configs have no finding at all.
Fast on purpose: `make mutation` runs it on the rule pack's mutants (issue 25's survivors)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.unit.golden_edits import Finding, city_expect, edited, findings, golden
from wardnet.checks.expect import Expect

ROLES = {"acc1": "access", "core": "core"}


def _findings(text: str, base: str, expect: Expect | None = None) -> list[Finding]:
    return findings(text, "cisco_iosxe", ROLES[base], expect)


def _edited(base: str, edits: list[tuple[str, str]]) -> str:
    return edited(golden(f"{base}.cfg"), edits)


def test_the_golden_switches_have_no_finding() -> None:
    assert [_findings(_edited(base, []), base) for base in ROLES] == [[], []]


ACL = "ip access-list standard WARDNET-MGMT\n 10 permit 10.0.1.0 0.0.0.255\n"
VTY = ("'line vty 0 4'", "'line vty 5 15'", "'line vty 16 31'")
CON = " exec-timeout 5 0\n login authentication CONSOLE\n logging synchronous\n"
CON0 = "line con 0\n" + CON
GROUP = "snmp-server group WARDNET-RO v3 priv read WARDNET-VIEW access WARDNET-MGMT\n"
USER = (
    "snmp-server user wardnet-nms WARDNET-RO v3 auth sha <<secret:snmp_auth>>"
    " priv aes 256 <<secret:snmp_priv>>\n"
)
AP39 = "interface GigabitEthernet1/0/39\n description access point\n switchport trunk native vlan 15\n"
AP39_LIST = AP39 + " switchport trunk allowed vlan 15,21,50\n"
PARKED40 = "interface GigabitEthernet1/0/40\n description unused\n switchport access vlan 999\n"
RA = "lets a host send router advertisements (no host-role RA guard)"
RA_FIX = "vlan configuration <client VLANs> / ipv6 nd raguard attach-policy WARDNET-HOSTS"
MGMT_FIX = "permit only the management sources"
UNRESOLVED = "WARDNET-MGMT permits '10.0.1.0 255.255.255.0', which cannot be resolved to addresses"
UNDEFINED = "is not defined (an undefined access-class permits every source)"

CASES = [
    # --- ACL sources: a standard entry with an address and no wildcard is that one host
    pytest.param(
        "acc1",
        [(ACL, ACL.replace("10.0.1.0 0.0.0.255", "10.0.1.5"))],
        [],
        id="a standard ACL permitting one management host by its bare address",
    ),
    pytest.param(
        "acc1",
        [(ACL, ACL.replace("10.0.1.0 0.0.0.255", "10.0.2.5"))],
        [
            *[
                ("L2-MGMT-02", f"{v}: WARDNET-MGMT permits 10.0.2.5/32, not a management source", MGMT_FIX)
                for v in VTY
            ],
            (
                "L2-MGMT-02",
                "SNMP group WARDNET-RO: WARDNET-MGMT permits 10.0.2.5/32, not a management source",
                MGMT_FIX,
            ),
        ],
        id="a standard ACL permitting one host outside management by its bare address",
    ),
    # --- wildcards are inverse masks: 0.0.0.0 is one host, 255.255.255.255 every address, and a netmask typed
    # in its place (255.255.255.0: "any address ending in .0") is no prefix at all
    pytest.param(
        "acc1",
        [(ACL, ACL.replace("10.0.1.0 0.0.0.255", "10.0.1.5 0.0.0.0"))],
        [],
        id="a standard ACL permitting one management host by the host wildcard",
    ),
    pytest.param(
        "acc1",
        [(ACL, ACL.replace("10.0.1.0 0.0.0.255", "10.0.1.0 255.255.255.255"))],
        [
            *[
                ("L2-MGMT-02", f"{v}: WARDNET-MGMT permits 0.0.0.0/0, not a management source", MGMT_FIX)
                for v in VTY
            ],
            (
                "L2-MGMT-02",
                "SNMP group WARDNET-RO: WARDNET-MGMT permits 0.0.0.0/0, not a management source",
                MGMT_FIX,
            ),
        ],
        id="a standard ACL permitting every address by the any wildcard",
    ),
    pytest.param(
        "acc1",
        [(ACL, ACL.replace("10.0.1.0 0.0.0.255", "10.0.1.0 255.255.255.0"))],
        [
            *[("L2-MGMT-02", f"{v}: {UNRESOLVED}", MGMT_FIX) for v in VTY],
            ("L2-MGMT-02", f"SNMP group WARDNET-RO: {UNRESOLVED}", MGMT_FIX),
        ],
        id="a standard ACL with a netmask typed for the wildcard",
    ),
    # --- the HTTPS server's access-class (ip http secure-server switched on)
    pytest.param(
        "acc1",
        [("no ip http secure-server\n", "ip http secure-server\nip http access-class ipv4 WARDNET-MGMT\n")],
        [],
        id="HTTPS server on behind the management ACL",
    ),
    pytest.param(
        "acc1",
        [("no ip http secure-server\n", "ip http secure-server\nip http access-class ipv4 WARDNET-WEB\n")],
        [("L2-MGMT-02", f"HTTPS server: ACL WARDNET-WEB {UNDEFINED}", MGMT_FIX)],
        id="HTTPS server on behind an ACL never defined",
    ),
    pytest.param(
        "acc1",
        [("no ip http secure-server\n", "ip http secure-server\n")],
        [("L2-MGMT-02", "HTTPS server with no access-class", "no ip http secure-server")],
        id="HTTPS server on with no access-class",
    ),
    # --- SNMP: group access lists, communities, hosts, users
    pytest.param(
        "acc1",
        [(GROUP, GROUP.replace("access WARDNET-MGMT", "access ipv6 WARDNET-MGMT6"))],
        [
            (
                "L2-MGMT-02",
                "'snmp-server group WARDNET-RO v3 priv read WARDNET-VIEW access ipv6 WARDNET-MGMT6'"
                " has no IPv4 access list",
                "access WARDNET-MGMT",
            )
        ],
        id="SNMP group with only an IPv6 access list",
    ),
    pytest.param(
        "acc1",
        [(GROUP, GROUP.replace("access WARDNET-MGMT", "access ipv6 WARDNET-MGMT6 WARDNET-MGMT"))],
        [],
        id="SNMP group with an IPv6 and an IPv4 access list",
    ),
    pytest.param(
        "acc1",
        [
            (
                GROUP,
                GROUP
                + "snmp-server community wardnet-ro RO 20\naccess-list 20 permit 10.0.0.0 0.255.255.255\n",
            )
        ],
        [
            (
                "L2-MGMT-02",
                "SNMP community: 20 permits 10.0.0.0/8, not a management source",
                "remove the community",
            ),
            ("L2-SNMP-01", "SNMP community configured", "remove snmp-server community"),
        ],
        id="SNMP community behind a numbered ACL of the whole city",
    ),
    pytest.param(
        "acc1",
        [(GROUP, GROUP + "snmp-server community wardnet-ro RO ipv6 WARDNET-MGMT6 WARDNET-MGMT\n")],
        [("L2-SNMP-01", "SNMP community configured", "remove snmp-server community")],
        id="SNMP community behind an IPv6 and the IPv4 management ACL",
    ),
    pytest.param(
        "acc1",
        [(GROUP, GROUP + "snmp-server community wardnet-rw rw WARDNET-MGMT\n")],
        [("L2-SNMP-01", "SNMP community configured", "remove snmp-server community")],
        id="SNMP community typed in lower case behind the management ACL",
    ),
    pytest.param(
        "acc1",
        [
            (
                "snmp-server host 10.0.0.25 version 3 priv wardnet-nms",
                "snmp-server host 10.0.0.25 version 3 auth wardnet-nms",
            )
        ],
        [("L2-SNMP-01", "SNMP host 10.0.0.25 is not v3 authPriv", "version 3 priv")],
        id="SNMP traps sent authNoPriv",
    ),
    pytest.param(
        "acc1",
        [(USER, USER.replace(" priv aes 256 <<secret:snmp_priv>>", ""))],
        [("L2-SNMP-01", "SNMP user wardnet-nms is not v3 with auth and priv", "auth sha ... priv aes 256")],
        id="SNMP user without privacy",
    ),
    pytest.param(
        "acc1",
        [(USER, USER.replace("priv aes 256", "priv 3des"))],
        [("L2-SNMP-01", "SNMP user wardnet-nms encrypts with 3DES", "priv aes 256")],
        id="SNMP user encrypting with 3DES",
    ),
    # --- AAA
    pytest.param(
        "acc1",
        [("aaa new-model\n", "no aaa new-model\n")],
        [
            ("L2-AAA-01", "missing 'aaa new-model'", "add 'aaa new-model'"),
            ("L2-AAA-01", "AAA is switched off", "aaa new-model"),
        ],
        id="AAA switched off",
    ),
    pytest.param(
        "acc1",
        [
            (
                "aaa authentication login default group WARDNET-TACACS local",
                "aaa authentication login default local",
            )
        ],
        [
            (
                "L2-AAA-01",
                "login does not use TACACS+ with local fallback",
                "aaa authentication login default group WARDNET-TACACS local",
            )
        ],
        id="default login by local accounts only",
    ),
    pytest.param(
        "acc1",
        [
            (
                "aaa authentication login default group WARDNET-TACACS local",
                "aaa authentication login default group tacacs+ local",
            )
        ],
        [],
        id="default login through the global tacacs+ group",
    ),
    pytest.param(
        "acc1",
        [(CON0, "line con 0\n exec-timeout 5 0\n no login\n logging synchronous\n")],
        [
            ("L2-AAA-01", "'line con 0' asks for no login", "login authentication"),
            ("L2-AAA-01", "console login does not use AAA", "login authentication CONSOLE"),
        ],
        id="console with no login",
    ),
    pytest.param(
        "acc1",
        [
            (
                "username hcm-breakglass",
                "username hcm-ops privilege 15 secret 9 <<secret:ops_hash>>\nusername hcm-breakglass",
            )
        ],
        [("L2-AAA-02", "2 local accounts", "keep exactly one break-glass account")],
        id="a second local account",
    ),
    pytest.param(
        "acc1",
        [("security passwords min-length 14", "security passwords min-length l4")],
        [("L2-AAA-04", "minimum password length below 14", "security passwords min-length 14")],
        id="password length typed with a letter l",
    ),
    pytest.param(
        "acc1",
        [
            (
                "aaa authentication enable default group WARDNET-TACACS enable",
                "aaa authentication enable default enable",
            )
        ],
        [
            (
                "CIS-IOS-1.1.3",
                "enable is not authenticated through AAA",
                "aaa authentication enable default group WARDNET-TACACS enable",
            )
        ],
        id="enable by the enable secret only",
    ),
    # --- the aux line: read by the session, telnet and login rules like the console
    pytest.param(
        "acc1",
        [(CON0, CON0 + "line aux 0\n no exec\n")],
        [("L2-AAA-05", "'line aux 0' idle timeout is unset, above 5 min", "exec-timeout 5 0")],
        id="aux line with the default idle timeout",
    ),
    pytest.param(
        "acc1",
        [(CON0, CON0 + "line aux 0\n exec-timeout 5 0\n no exec\n transport input telnet\n")],
        [("L2-MGMT-03", "'line aux 0' accepts telnet", "transport input none")],
        id="aux line accepting telnet",
    ),
    # --- logging
    pytest.param(
        "acc1",
        [("no logging console\n", "no logging console\nno logging on\n")],
        [("L2-LOG-01", "logging is switched off ('no logging on')", "logging on")],
        id="logging switched off",
    ),
    pytest.param(
        "acc1",
        [("logging trap informational\n", "no logging trap\n")],
        [("L2-LOG-01", "syslog gets only 'informational' and worse", "logging trap informational")],
        id="no logging trap",
    ),
    pytest.param(
        "acc1",
        [("logging trap informational\n", "")],
        [],
        id="logging trap left at its default level informational",
    ),
    pytest.param(
        "acc1",
        [
            (
                "aaa accounting commands 15 default start-stop group",
                "aaa accounting commands 15 default stop-only group",
            )
        ],
        [],
        id="privileged commands accounted stop-only",
    ),
    pytest.param(
        "acc1",
        [("aaa accounting exec default start-stop group WARDNET-TACACS", "aaa accounting exec default none")],
        [
            (
                "L2-LOG-01",
                "'aaa accounting exec default none' records nothing",
                "start-stop group WARDNET-TACACS",
            )
        ],
        id="exec accounting set to none",
    ),
    pytest.param(
        "acc1",
        [("logging source-interface Vlan10\n", "")],
        [("CIS-IOS-2.2.7", "syslog source interface not set", "logging source-interface Vlan10")],
        id="syslog source interface left unset",
    ),
    # --- time
    pytest.param(
        "acc1",
        [("ntp server 10.0.0.11 key 1", "ntp server 10.0.0.11")],
        [("L2-NTP-01", "no authenticated NTP server 10.0.0.11", "ntp server 10.0.0.11 key 1")],
        id="the second NTP server without its key",
    ),
    pytest.param(
        "acc1",
        [("ntp server 10.0.0.11 key 1", "ntp server vrf Mgmt-vrf 10.0.0.11 key 1")],
        [],
        id="the second NTP server reached through the management VRF",
    ),
    # --- services and ports
    pytest.param(
        "acc1",
        [("no service config\n", "no service config\nservice tcp-small-servers\n")],
        [("L2-SVC-01", "'service tcp-small-servers' is on", "no service tcp-small-servers")],
        id="TCP small servers on",
    ),
    pytest.param(
        "acc1",
        [(PARKED40, PARKED40.replace(" switchport access vlan 999\n", ""))],
        [("L2-SVC-01", "interface GigabitEthernet1/0/40 sits in VLAN 1", "assign a VLAN or park it")],
        id="a shut port whose parking VLAN line was dropped",
    ),
    pytest.param(
        "acc1",
        [("no ip source-route\n", "")],
        [("CIS-IOS-3.1.1", "missing 'no ip source-route'", "no ip source-route")],
        id="IP source routing left at its default",
    ),
    # --- rogue devices and 802.1X
    pytest.param(
        "acc1",
        [("ip dhcp snooping vlan 15,20,21,30,40,50,70\n", "")],
        [("L2-ROGUE-01", "DHCP snooping on no VLAN", "ip dhcp snooping vlan <client VLANs>")],
        id="DHCP snooping on no VLAN",
    ),
    pytest.param(
        "acc1",
        [("ip arp inspection vlan 15,20,21,30,40,50,70\n", "")],
        [("L2-ROGUE-01", "no dynamic ARP inspection", "ip arp inspection vlan <client VLANs>")],
        id="ARP inspection on no VLAN",
    ),
    pytest.param(
        "acc1",
        [("dot1x system-auth-control\n", "")],
        [("L2-NAC-01", "802.1X is off switch-wide", "dot1x system-auth-control")],
        id="802.1X off switch-wide",
    ),
    # --- RA guard on the VLANs a trunk carries (management VLAN 10 has no RA guard)
    pytest.param(
        "acc1",
        [
            (
                AP39_LIST,
                AP39
                + " switchport trunk allowed vlan 10,15,21,50\n switchport trunk allowed vlan remove 10\n",
            )
        ],
        [],
        id="an AP trunk with the management VLAN added then removed",
    ),
    pytest.param(
        "acc1",
        [
            (
                AP39_LIST,
                AP39
                + " switchport trunk allowed vlan 10,15,21,50\n switchport trunk allowed vlan remove 15\n",
            )
        ],
        [("L2-IPV6-01", f"interface GigabitEthernet1/0/39 {RA}", RA_FIX)],
        id="an AP trunk still carrying the management VLAN after a remove",
    ),
    pytest.param(
        "acc1",
        [
            (
                AP39_LIST,
                AP39_LIST.replace("GigabitEthernet1/0/39", "TwentyFiveGigE1/0/39").replace(
                    "15,21,50", "10,15,21,50"
                ),
            )
        ],
        [("L2-IPV6-01", f"interface TwentyFiveGigE1/0/39 {RA}", RA_FIX)],
        id="a 25G AP trunk carrying the management VLAN",
    ),
]


@pytest.mark.parametrize(("base", "edits", "expected"), CASES)
def test_one_edit_gives_exactly_these_findings(
    base: str, edits: list[tuple[str, str]], expected: list[Finding]
) -> None:
    assert _findings(_edited(base, edits), base) == expected


def test_a_syslog_server_named_by_its_ipv6_address_is_logged_to_with_logging_host_ipv6() -> None:
    """`logging host ipv6 X` logs to X: a city whose syslog server has an IPv6 address (Expect takes any
    address text) finds it; without the line it is missing."""
    server6 = "2001:db8:0:20::20"
    expect = replace(city_expect(), syslog_servers=frozenset({"10.0.0.20", "10.0.0.21", server6}))
    line = "logging host 10.0.0.21\n"
    assert _findings(_edited("acc1", [(line, line + f"logging host ipv6 {server6}\n")]), "acc1", expect) == []
    assert _findings(_edited("acc1", []), "acc1", expect) == [
        ("L2-LOG-01", f"no logging to {server6}", f"logging host {server6}")
    ]
