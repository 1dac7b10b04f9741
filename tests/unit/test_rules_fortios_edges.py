"""The FortiOS rule pack's edges (issue 25, the survivors of `make mutation`'s rules-fortios sample), on Ben
Thanh's golden firewall with a few edits each, the kind an engineer makes: a setting left at its FortiOS
default, an object of another type (an address range, a MAC address, a service group, an IP protocol
service), a negated side, a disabled entry before a live one, a half-written entry. Every finding is written
out whole by hand (rule, message, fix), never computed by the rule under test.

FortiOS defaults relied on, with where they are written: fwpolicy-implicit-log disable (container FortiOS
7.2.1 CLI Reference, config log setting); password-policy apply-to admin-password, minimum-length 8
(FortiGate 7.4.8 CLI Reference, config system password-policy); admin-lockout-threshold 3 and
admin-lockout-duration 60 s (FortiManager 5.6 help "Password lockout and retry attempts" and FortiManager 7.4
`get system global`, the same CLI family). The rest are the rule pack's own defaults (rules_fortios.py), not
found written in the stored documentation: policy action deny and logtraffic utm, strong-crypto enable,
pre-login-banner disable, user local type password, an IP service's protocol-number 0 (every protocol).
Fast on purpose: `make mutation` runs this file on each rules-fortios mutant.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.unit.golden_edits import Finding, city_expect, edited, findings, golden
from wardnet.checks.expect import Expect


def _golden() -> str:
    return golden("fw.conf")


def _findings(text: str, expect: Expect | None = None) -> list[Finding]:
    return findings(text, "fortios", "firewall", expect)


def _edited(*edits: tuple[str, str]) -> str:
    return edited(_golden(), edits)


def test_the_golden_firewall_has_no_finding() -> None:
    assert _findings(_golden()) == []


# Blocks and objects the edits add, as FortiOS prints them.
BEFORE_POLICIES = "config firewall policy\n"
POLICY_1 = '    edit 1\n        set name "staff-to-servers"\n'
POLICY_1_SERVICE = 'set service "wn-web" "wn-smb" "wn-print"'
LAST_CUSTOM_SERVICE = '    edit "wn-snmp-trap"\n'
LAST_ADDRESS = '    edit "site_dns-1"\n'
BEFORE_WIFI = "config wireless-controller vap\n"
BEFORE_HA = "config system ha\n"
NTP_SERVER_2 = 'set server "10.0.0.11"\n            set authentication enable'
SNMP_USER = 'config system snmp user\n    edit "wardnet-nms"\n'


def _local_in(srcaddr: str, negate: bool = False) -> tuple[str, str]:
    """A local-in policy on wan1 accepting SSH and HTTPS from `srcaddr` (added before the Wi-Fi block)."""
    negated = "        set srcaddr-negate enable\n" if negate else ""
    block = (
        'config firewall local-in-policy\n    edit 1\n        set intf "wan1"\n'
        f'        set srcaddr "{srcaddr}"\n{negated}        set dstaddr "all"\n        set action accept\n'
        '        set service "SSH" "HTTPS"\n        set schedule "always"\n    next\nend\n'
    )
    return BEFORE_WIFI, block + BEFORE_WIFI


def _address(name: str, *settings: str) -> tuple[str, str]:
    lines = "".join(f"        set {s}\n" for s in settings)
    return LAST_ADDRESS, f'    edit "{name}"\n{lines}    next\n{LAST_ADDRESS}'


def _service_group(name: str, *members: str) -> tuple[str, str]:
    quoted = " ".join(f'"{m}"' for m in members)
    block = f'config firewall service group\n    edit "{name}"\n        set member {quoted}\n    next\nend\n'
    return BEFORE_POLICIES, block + BEFORE_POLICIES


# An SNMP community's hosts: anyone.
ANYONE = (
    "        config hosts\n            edit 1\n                set ip 0.0.0.0 0.0.0.0\n"
    "            next\n        end\n"
)


def _snmp_community(host: str, status: str = "") -> tuple[str, str]:
    block = (
        'config system snmp community\n    edit 1\n        set name "legacy-ro"\n'
        + (f"        set status {status}\n" if status else "")
        + "        config hosts\n"
        f"            edit 1\n                set ip {host}\n            next\n        end\n    next\nend\n"
    )
    return BEFORE_HA, block + BEFORE_HA


LAST_DENY = (
    "the last enabled policy is not a logged deny of all to all, every service",
    "end the policy list with an enabled deny all/all/ALL that logs all",
)
LAST_DENY6 = (
    "the last enabled policy is not a logged deny of IPv6 all to all, every service",
    'set srcaddr6 "all" / set dstaddr6 "all" on the final deny',
)
EVERY_IP = ("L2-FLOW-03", "policy staff-to-servers opens every port of ['ip']", "name the services")

CASES = [
    # --- policies -------------------------------------------------------------------------------------
    pytest.param(
        [("        set action deny\n", "")],
        [],
        id="the final deny with its action left at FortiOS's default (deny)",
    ),
    pytest.param(
        [
            (
                'set srcaddr6 "all"\n        set dstaddr6 "all"',
                'set srcaddr6 "all"\n        set dstaddr6 "internet6"',
            )
        ],
        [("L2-IPV6-03", *LAST_DENY6)],
        id="the final deny's IPv6 destination narrowed, its IPv4 one still all",
    ),
    pytest.param(
        [
            (
                'set srcaddr "all"\n        set dstaddr "all"',
                'set srcaddr "all"\n        set dstaddr "internet"',
            )
        ],
        [("L2-FLOW-01", *LAST_DENY)],
        id="the final deny's IPv4 destination narrowed, its IPv6 one still all",
    ),
    pytest.param(
        [
            ('        set name "staff-to-servers"\n', ""),
            (
                'set srcaddr6 "staff6"\n        set dstaddr6 "servers6"',
                'set srcaddr6 "all"\n        set dstaddr6 "all"',
            ),
        ],
        [("L2-IPV6-03", "policy 1 permits IPv6 any to any", "name the flows")],
        id="an unnamed accept of IPv6 all to all is named by its id",
    ),
    pytest.param(
        [
            (
                BEFORE_POLICIES,
                BEFORE_POLICIES
                + '    edit 21\n        set name "guest-to-mgmt-block"\n        set srcintf "guest"\n'
                '        set dstintf "mgmt"\n        set srcaddr "guest"\n        set dstaddr "mgmt"\n'
                '        set srcaddr6 "guest6"\n        set dstaddr6 "mgmt6"\n        set action deny\n'
                '        set schedule "always"\n        set service "ALL"\n'
                "        set logtraffic all\n    next\n",
            ),
            (
                'set logtraffic all\n        set comments "staff-to-servers"',
                'set logtraffic utm\n        set comments "staff-to-servers"',
            ),
        ],
        [("L2-FLOW-02", "policy staff-to-servers is not logged", "set logtraffic all")],
        id="a deny first in the list: the accepts after it are still judged",
    ),
    pytest.param(
        [
            _address("printers-mac", "type mac", 'macaddr "00:11:22:33:44:55" "00:11:22:33:44:56"'),
            (
                'set srcaddr "services"\n        set dstaddr "servers"',
                'set srcaddr "printers-mac"\n        set dstaddr "all"',
            ),
        ],
        [],
        id="a MAC address source to all is not any to any",
    ),
    pytest.param(
        [_service_group("wn-any", "wn-web", "ALL"), (POLICY_1_SERVICE, 'set service "wn-any"')],
        [EVERY_IP],
        id="ALL inside a service group",
    ),
    pytest.param(
        [
            _service_group("wn-any", "wn-web", "wn-all"),
            (
                LAST_CUSTOM_SERVICE,
                '    edit "wn-all"\n        set protocol IP\n    next\n' + LAST_CUSTOM_SERVICE,
            ),
            (POLICY_1_SERVICE, 'set service "wn-any"'),
        ],
        [EVERY_IP],
        id="an IP service with protocol-number left at 0, inside a group",
    ),
    pytest.param(
        [
            (
                LAST_CUSTOM_SERVICE,
                '    edit "wn-gre"\n        set protocol IP\n    next\n' + LAST_CUSTOM_SERVICE,
            ),
            (POLICY_1_SERVICE, 'set service "wn-web" "wn-gre"'),
        ],
        [EVERY_IP],
        id="an IP service with its protocol-number forgotten opens every protocol",
    ),
    pytest.param(
        [
            (
                LAST_CUSTOM_SERVICE,
                '    edit "wn-gre"\n        set protocol IP\n        set protocol-number 47\n    next\n'
                + LAST_CUSTOM_SERVICE,
            ),
            (POLICY_1_SERVICE, 'set service "wn-web" "wn-gre"'),
        ],
        [],
        id="an IP service for GRE (47) only",
    ),
    pytest.param(
        [
            (
                LAST_CUSTOM_SERVICE,
                '    edit "wn-app"\n        set comment "ports to be agreed"\n    next\n'
                + LAST_CUSTOM_SERVICE,
            ),
            (POLICY_1_SERVICE, 'set service "wn-web" "wn-app"'),
        ],
        [
            (
                "L2-FLOW-03",
                "policy staff-to-servers opens every port of ['sctp', 'tcp', 'udp']",
                "name the services",
            )
        ],
        id="a TCP/UDP/SCTP service without a port range",
    ),
    pytest.param(
        [
            _service_group("wn-icmp6", "PING6", "ALL_ICMP6"),
            (POLICY_1_SERVICE, POLICY_1_SERVICE + ' "wn-icmp6"'),
        ],
        [
            (
                "L2-IPV6-04",
                "policy staff-to-servers permits every ICMPv6 type (ALL_ICMP6)"
                " (RFC 4890: errors ride their session)",
                'name the ICMPv6 types the flow needs (PING6), never "ALL_ICMP6"',
            )
        ],
        id="ALL_ICMP6 inside a service group",
    ),
    pytest.param(
        [('set interface "vlan20" "vlan21"', 'set interface "vlan20"')],
        [("L2-ZONE-01", "VLAN interface vlan21 is in 0 zones", "put it in exactly one zone")],
        id="a VLAN left out of every zone",
    ),
    # --- management plane -----------------------------------------------------------------------------
    pytest.param(
        [
            _address("noc-jump", "type iprange", "start-ip 10.0.1.10", "end-ip 10.0.1.20"),
            _local_in("noc-jump"),
        ],
        [],
        id="a local-in policy from an address range inside the NOC",
    ),
    pytest.param(
        [
            _address("noc-jump", "type iprange", "start-ip 10.0.1.250", "end-ip 10.0.2.5"),
            _local_in("noc-jump"),
        ],
        [
            (
                "L2-MGMT-02",
                "local-in policy 1 accepts from ['10.0.2.0/30', '10.0.2.4/31']",
                "accept only the management sources",
            )
        ],
        id="a local-in policy from an address range running past the NOC",
    ),
    pytest.param(
        [_local_in("noc", negate=True)],
        [
            (
                "L2-MGMT-02",
                "local-in policy 1 accepts from a negated source",
                "accept only the management sources",
            )
        ],
        id="a local-in policy from everything but the NOC",
    ),
    pytest.param(
        [_snmp_community("10.0.1.0 255.255.255.0")],
        [("L2-SNMP-01", "SNMP community 1 configured", "delete it; use SNMPv3")],
        id="an SNMP community answering the NOC only",
    ),
    pytest.param(
        [_snmp_community("0.0.0.0 0.0.0.0")],
        [
            ("L2-MGMT-02", "SNMP community 1 answers ['0.0.0.0/0']", "delete it"),
            ("L2-SNMP-01", "SNMP community 1 configured", "delete it; use SNMPv3"),
        ],
        id="an SNMP community answering anyone",
    ),
    pytest.param(
        [_snmp_community("0.0.0.0 0.0.0.0", status="disable")],
        [],
        id="a disabled SNMP community answers no one, whatever its hosts",
    ),
    pytest.param(
        [
            (
                BEFORE_HA,
                "config system snmp community\n"
                f"    edit 1\n        set status disable\n{ANYONE}    next\n"
                f"    edit 2\n{ANYONE}    next\n"
                "end\n" + BEFORE_HA,
            )
        ],
        [
            ("L2-MGMT-02", "SNMP community 2 answers ['0.0.0.0/0']", "delete it"),
            ("L2-SNMP-01", "SNMP community 2 configured", "delete it; use SNMPv3"),
        ],
        id="a disabled SNMP community before a live one answering anyone",
    ),
    pytest.param(
        [_snmp_community("0.0.0.0 0.0.0.0", status="enable")],
        [
            ("L2-MGMT-02", "SNMP community 1 answers ['0.0.0.0/0']", "delete it"),
            ("L2-SNMP-01", "SNMP community 1 configured", "delete it; use SNMPv3"),
        ],
        id="an SNMP community enabled in so many words answering anyone",
    ),
    pytest.param(
        [("set allowaccess ping https ssh snmp", "set allowaccess ping https ssh snmp telnet")],
        [
            (
                "L2-MGMT-03",
                "interface vlan10 allows ['telnet']",
                "allow only https and ssh, on the management VLAN",
            )
        ],
        id="telnet on the management VLAN",
    ),
    pytest.param(
        [
            (
                "255.255.255.0\n        set ip6-trusthost1 2001:db8:0:1::/64\n        set password",
                "255.255.255.0\n        set ip6-trusthost1 2001:db8:0:1::/640\n        set password",
            )
        ],
        [
            (
                "L2-IPV6-02",
                "admin hcm-breakglass may log in over IPv6 from ['::/0']",
                "ip6-trusthost = the IPv6 management sources only",
            )
        ],
        id="an unreadable IPv6 trusted host counts as anywhere over IPv6",
    ),
    pytest.param(
        [
            (
                BEFORE_HA,
                'config system api-user\n    edit "netbox-sync"\n        set accprofile "prof_admin"\n'
                "        set api-key ENC <<secret:netbox_api_key>>\n        config trusthost\n"
                "            edit 1\n                set type ipv4-trusthost\n"
                "                set ipv4-trusthost 10.0.0.0 255.255.0.0\n            next\n"
                "            edit 2\n                set type ipv6-trusthost\n"
                "                set ipv6-trusthost 2001:db8:0:1::/64\n            next\n"
                "        end\n    next\nend\n" + BEFORE_HA,
            )
        ],
        [
            (
                "L2-MGMT-02",
                "API user netbox-sync may call from ['10.0.0.0/16']",
                "config trusthost: management sources only",
            )
        ],
        id="an API user's IPv4 trusted host wider than the NOC",
    ),
    # --- crypto, accounts, logging, SNMP ---------------------------------------------------------------
    pytest.param(
        [("    set strong-crypto enable\n", "")],
        [],
        id="strong-crypto left at its default (enable)",
    ),
    pytest.param(
        [
            (
                "    set strong-crypto enable\n",
                "    set strong-crypto enable\n"
                "    set admin-https-ssl-versions tlsv1-0 tlsv1-1 tlsv1-2 tlsv1-3\n",
            )
        ],
        [
            (
                "L2-CRYPTO-01",
                "admin HTTPS accepts ['tlsv1-0', 'tlsv1-1']",
                "set admin-https-ssl-versions tlsv1-2 tlsv1-3",
            )
        ],
        id="admin HTTPS still accepting TLS 1.0 and 1.1",
    ),
    pytest.param(
        [("    set strong-crypto enable\n", "    set strong-crypto enable\n    set ssh-kex-sha1 enable\n")],
        [("L2-CRYPTO-01", "system global: ssh-kex-sha1 is enable", "set ssh-kex-sha1 disable")],
        id="SSH key exchange with SHA-1",
    ),
    pytest.param(
        [("    set strong-crypto enable\n", "    set strong-crypto enable\n    set ssh-cbc-cipher enable\n")],
        [("L2-CRYPTO-01", "system global: ssh-cbc-cipher is enable", "set ssh-cbc-cipher disable")],
        id="SSH CBC ciphers",
    ),
    pytest.param(
        [('set server "10.0.0.10"\n', 'set server "10.0.0.10"\n            set key-type MD5\n')],
        [("L2-CRYPTO-01", "NTP server 1 authenticates with MD5", "set key-type SHA1")],
        id="one NTP server keyed with MD5 (per-server key-type)",
    ),
    pytest.param(
        [("    set pre-login-banner enable\n", "")],
        [
            (
                "L2-BANNER-01",
                "system global: pre-login-banner is disable",
                "config system global / set pre-login-banner enable",
            )
        ],
        id="the pre-login banner left at its default (disable)",
    ),
    pytest.param(
        [("    set apply-to admin-password\n", "")],
        [],
        id="the password policy's apply-to left at its default (admin-password)",
    ),
    pytest.param(
        [('    edit "hcm-breakglass"\n', '    edit "admin"\n')],
        [("CIS-FGT-2.4.1", "the factory 'admin' account exists", "rename or delete it")],
        id="the break-glass account kept under the factory name",
    ),
    pytest.param(
        [("        set wildcard enable\n", "")],
        [],
        id="a named remote admin (remote-auth, no wildcard) is not a local account",
    ),
    pytest.param(
        [
            (
                "config system admin\n",
                'config user local\n    edit "helpdesk"\n        set passwd ENC <<secret:helpdesk_hash>>\n'
                "    next\nend\nconfig system admin\n",
            )
        ],
        [
            (
                "L2-AAA-02",
                "2 local accounts (hcm-breakglass, user local helpdesk)",
                "keep one break-glass account",
            )
        ],
        id="a local user with its type left at the default (password) is a second local account",
    ),
    pytest.param(
        [("    set fwpolicy-implicit-log enable\n", "")],
        [
            (
                "L2-LOG-01",
                "log setting: fwpolicy-implicit-log is disable",
                "config log setting / set fwpolicy-implicit-log enable",
            )
        ],
        id="implicit-deny logging left at its default (disable)",
    ),
    pytest.param(
        [(NTP_SERVER_2, 'set server "10.0.0.11"\n            set authentication disable')],
        [("L2-NTP-01", "no authenticated NTP server 10.0.0.11", "config system ntp / config ntpserver")],
        id="one NTP server unauthenticated",
    ),
    pytest.param(
        [
            (
                "        next\n    end\n    set authentication enable\n",
                "        next\n        edit 3\n            set authentication enable\n"
                '            set key "<<secret:ntp_key>>"\n            set key-id 1\n        next\n'
                "    end\n    set authentication enable\n",
            )
        ],
        [],
        id="a third NTP entry written without its server yet",
    ),
    pytest.param(
        [
            (
                SNMP_USER,
                'config system snmp user\n    edit "legacy-nms"\n        set status disable\n'
                '        set security-level no-auth-no-priv\n    next\n    edit "wardnet-nms"\n',
            ),
            ("set auth-proto sha256", "set auth-proto md5"),
        ],
        [("L2-SNMP-01", "SNMP user wardnet-nms authenticates with MD5", "set auth-proto sha256")],
        id="a disabled SNMP user before a live one: the live one is still judged",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), CASES)
def test_an_edit_gives_exactly_these_findings(edits: list[tuple[str, str]], expected: list[Finding]) -> None:
    assert _findings(_edited(*edits)) == expected


def test_a_firewall_with_no_policy_fails_both_final_deny_checks() -> None:
    text = _golden()
    start, end = text.index(BEFORE_POLICIES), text.index(BEFORE_WIFI)
    assert _findings(text[:start] + BEFORE_POLICIES + "end\n" + text[end:]) == [
        ("L2-FLOW-01", *LAST_DENY),
        ("L2-IPV6-03", *LAST_DENY6),
    ]


def test_fortios_default_lockout_threshold_meets_a_city_allowing_three() -> None:
    """admin-lockout-threshold unset is FortiOS's 3 attempts: enough for a baseline of 3, not for 2."""
    text = _edited(("    set admin-lockout-threshold 5\n", ""))
    assert _findings(text, replace(city_expect(), max_failed_logins=3)) == []
    assert _findings(text, replace(city_expect(), max_failed_logins=2)) == [
        ("L2-AAA-06", "lockout only after 3 failed logins", "set admin-lockout-threshold 2")
    ]
