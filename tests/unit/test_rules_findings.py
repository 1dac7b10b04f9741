"""Every finding of the rule pack, word for word, on a config broken in many places at once: the rule, the
message and the fix are what a report shows, so each is written out here (checked by hand against the
edits: e.g. `transport input telnet ssh` on each of the three vty ranges is three findings naming the line).
Fast on purpose: `make mutation` runs it on the rule pack's mutants, most of which change a message or a fix.
"""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import BEN_THANH, REPO
from tests.unit.test_checks import FORTIOS_MUTATIONS, IOS_MUTATIONS, _text
from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.inventory import Inventory


def _findings(text: str, platform: str, role: str, inventory: Inventory) -> list[tuple[str, str, str]]:
    expect = Expect.from_baseline(inventory.baseline)
    found = rendered_findings(text, platform, role, site=BEN_THANH, device="x", expect=expect)
    return [(f.rule, f.message, f.fix) for f in found]


def test_an_access_switch_broken_everywhere_gets_each_finding_word_for_word(inventory: Inventory) -> None:
    text, role, _ = _text(inventory, f"hcm-{BEN_THANH}-acc1")
    assert _findings(text, "cisco_iosxe", role, inventory) == []
    for old, new, _rule in IOS_MUTATIONS:
        assert old in text, old
        text = text.replace(old, new)
    vty = ("'line vty 0 4'", "'line vty 5 15'", "'line vty 16 31'")
    assert _findings(text, "cisco_iosxe", role, inventory) == [
        ("L2-MGMT-01", "interface Vlan1 is not shut down", "shut down interface Vlan1"),
        *[
            ("L2-MGMT-02", f"{line} has no inbound access-class", "access-class WARDNET-MGMT in")
            for line in vty
        ],
        (
            "L2-MGMT-02",
            "SNMP group WARDNET-RO: WARDNET-MGMT permits 10.0.0.0/8, not a management source",
            "permit only the management sources",
        ),
        ("L2-MGMT-02", "an SNMP community has no access list", "remove the community"),
        ("L2-MGMT-03", "missing 'ip ssh version 2'", "add 'ip ssh version 2'"),
        ("L2-MGMT-03", "missing 'no ip http server'", "add 'no ip http server'"),
        ("L2-MGMT-03", "HTTP server enabled", "no ip http server"),
        *[("L2-MGMT-03", f"{line} allows ['ssh', 'telnet']", "transport input ssh") for line in vty],
        ("L2-AAA-01", "missing 'aaa new-model'", "add 'aaa new-model'"),
        (
            "L2-AAA-03",
            "password instead of secret in 'username ...'",
            "use 'secret 9', a type 6 key or a wardnet secret reference",
        ),
        ("L2-AAA-04", "minimum password length below 14", "security passwords min-length 14"),
        *[
            ("L2-AAA-05", f"{line} idle timeout is never, above 5 min", "exec-timeout 5 0")
            for line in (*vty, "'line con 0'")
        ],
        ("L2-AAA-06", "lockout only after 50 failed logins", "login block-for 900 attempts 5 within 120"),
        ("L2-BANNER-01", "no login banner", "add banner login"),
        ("L2-LOG-01", "no logging to 10.0.0.20", "logging host 10.0.0.20"),
        ("L2-NTP-01", "missing 'ntp authenticate'", "add 'ntp authenticate'"),
        ("L2-NTP-01", "time zone is not UTC+7", "clock timezone ICT 7 0"),
        ("L2-SNMP-01", "SNMP community configured", "remove snmp-server community"),
        ("L2-SNMP-01", "SNMP group WARDNET-RO is not v3 authPriv", "use v3 priv"),
        ("L2-SVC-01", "missing 'no service pad'", "add 'no service pad'"),
        ("L2-ROGUE-01", "missing 'ip dhcp snooping'", "add 'ip dhcp snooping'"),
    ]


def test_a_firewall_broken_everywhere_gets_each_finding_word_for_word(inventory: Inventory) -> None:
    text, role, _ = _text(inventory, f"hcm-{BEN_THANH}-fw")
    assert _findings(text, "fortios", role, inventory) == []
    for old, new, _rule in FORTIOS_MUTATIONS:
        assert old in text, old
        text = text.replace(old, new, 1)
    ips = "set utm-status enable, ips-sensor"
    assert _findings(text, "fortios", role, inventory) == [
        (
            "L2-FLOW-01",
            "the last enabled policy is not a logged deny of all to all, every service",
            "end the policy list with an enabled deny all/all/ALL that logs all",
        ),
        ("L2-FLOW-02", "policy staff-to-servers has no IPS", ips),
        ("L2-FLOW-03", "policy default-deny permits any to any", "name the flows"),
        ("L2-FLOW-03", "policy default-deny opens every port of ['ip']", "name the services"),
        ("L2-FLOW-02", "policy default-deny has no IPS", ips),
        (
            "L2-IPV6-03",
            "the last enabled policy is not a logged deny of IPv6 all to all, every service",
            'set srcaddr6 "all" / set dstaddr6 "all" on the final deny',
        ),
        ("L2-IPV6-03", "policy default-deny permits IPv6 any to any", "name the flows"),
        (
            "L2-MGMT-03",
            "interface vlan10 allows ['http']",
            "allow only https and ssh, on the management VLAN",
        ),
        (
            "L2-MGMT-03",
            "system global: admin-telnet is enable",
            "config system global / set admin-telnet disable",
        ),
        ("L2-AAA-04", "password policy below 14 characters", "set status enable / set minimum-length 14"),
        ("L2-AAA-05", "admin idle timeout 480 min, above 5", "set admintimeout 5"),
        ("L2-AAA-06", "lockout only after 10 failed logins", "set admin-lockout-threshold 5"),
        (
            "L2-BANNER-01",
            "system global: pre-login-banner is disable",
            "config system global / set pre-login-banner enable",
        ),
        (
            "L2-LOG-01",
            "log setting: fwpolicy-implicit-log is disable",
            "config log setting / set fwpolicy-implicit-log enable",
        ),
        ("L2-SNMP-01", "SNMP user wardnet-nms is not authPriv", "set security-level auth-priv"),
    ]


def _frr(text: str, inventory: Inventory) -> list[tuple[str, str, str]]:
    return _findings(text, "frr", "firewall", inventory)


BOX = "manage the host's {} set-up from the baseline"
# The white-box twin's firewall as rendered: only what its device text cannot carry.
FRR_GAPS = [
    (
        "L2-FLOW-02",
        "white-box: no IPS on the firewall: nftables logs flows but inspects nothing",
        "put the site behind the FortiGate, or add an IPS (e.g. Suricata in NFQUEUE) to the design",
    ),
    (
        "L2-MGMT-03",
        "white-box: SSH daemon settings (protocol, ciphers, no passwords) are not in the device text",
        BOX.format("sshd"),
    ),
    (
        "L2-AAA-01",
        "white-box: no AAA: logins are not checked against TACACS+ (PAM is not managed)",
        BOX.format("aaa"),
    ),
    (
        "L2-AAA-05",
        "white-box: no admin idle timeout (sshd ClientAlive*) in the device text",
        BOX.format("sshd"),
    ),
    (
        "L2-AAA-06",
        "white-box: no lockout after failed logins (pam_faillock) in the device text",
        BOX.format("aaa"),
    ),
    ("L2-SNMP-01", "white-box: no SNMPv3 agent configuration in the device text", BOX.format("snmpd")),
    ("L2-NTP-01", "white-box: no NTP servers or NTP authentication in the device text", BOX.format("ntp")),
    ("L2-BANNER-01", "white-box: no login banner in the device text", BOX.format("sshd")),
    (
        "L2-LOG-01",
        "white-box: no remote syslog servers in the device text",
        "forward to 10.0.0.20, 10.0.0.21",
    ),
]
ANY = "ip saddr <management sources> only"
# Each disguise of tests/fixtures/disguises.yml on the frr twin's firewall → the findings it adds.
FRR_ADDED = {
    "forward policy accept": [("L2-FLOW-01", "forward chain does not default to drop", "policy drop;")],
    "final logged drop removed": [
        ("L2-FLOW-01", "forward chain does not end in a logged drop", "log ... drop")
    ],
    "final drop not logged": [("L2-FLOW-01", "forward chain does not end in a logged drop", "log ... drop")],
    "ct state new accept": [
        ("L2-FLOW-03", "any-to-any accept: 'ct state new accept'", "match zones and addresses"),
        ("L2-FLOW-02", "accepted flow not logged: 'ct state new accept'", "log prefix ... accept"),
    ],
    "jump to an accept-all chain": [
        (
            "L2-FLOW-03",
            """any-to-any accept: 'iifname "vlan20" log prefix "wardnet-staff " jump staff_out"""
            """ -> counter accept'""",
            "match zones and addresses",
        )
    ],
    "negated source": [
        (
            "L2-FLOW-03",
            """any-to-any accept: 'ip saddr != 192.0.2.0/24 log prefix "x " accept'""",
            "match zones and addresses",
        )
    ],
    "every service between two subnets": [
        (
            "L2-FLOW-03",
            """accept of every service: 'ip saddr 10.65.54.0/25 ip daddr 10.0.2.0/23"""
            """ log prefix "x " accept'""",
            "match the service ports",
        )
    ],
    "port range 1-65535": [
        (
            "L2-FLOW-03",
            """accept of every service: 'ip saddr 10.65.54.0/25 tcp dport 1-65535 log prefix "x " accept'""",
            "match the service ports",
        )
    ],
    "an allowed flow not logged": [
        (
            "L2-FLOW-02",
            """accepted flow not logged: 'iifname "vlan30" oifname "vlan60" ip saddr 10.65.54.0/25"""
            """ ip daddr 10.65.55.64/27 tcp dport { 80, 443, 631, 9100 } counter accept"""
            """ comment "services-to-servers"'""",
            "log prefix ... accept",
        )
    ],
    "jump target accepts unlogged": [
        (
            "L2-FLOW-02",
            """accepted flow not logged: 'iifname "vlan30" ip daddr 10.0.2.0/23 tcp dport 8443 jump apps"""
            """ -> counter accept'""",
            "log prefix ... accept",
        )
    ],
    "ssh by name from anywhere": [
        ("L2-MGMT-02", "management ([22]) accepted from ['anywhere']: 'tcp dport ssh accept'", ANY)
    ],
    "ct state new accept on input": [
        ("L2-MGMT-02", "management (every port) accepted from ['anywhere']: 'ct state new accept'", ANY)
    ],
    "named set holding 0.0.0.0/0": [
        (
            "L2-MGMT-02",
            "management ([22]) accepted from ['0.0.0.0/0']: 'ip saddr @admins tcp dport 22 accept'",
            ANY,
        )
    ],
    "input policy accept": [("L2-MGMT-02", "input chain does not default to drop", "policy drop;")],
    "negated source on SNMP": [
        (
            "L2-MGMT-02",
            "management ([161]) accepted from ['anywhere']: 'ip saddr != 192.0.2.0/24 udp dport 161 accept'",
            ANY,
        )
    ],
    "jump into a chain accepting ssh": [
        (
            "L2-MGMT-02",
            "management ([22]) accepted from ['anywhere']: 'jump admin -> tcp dport 22 accept'",
            ANY,
        )
    ],
    "management interface renamed": [
        ("L2-MGMT-01", "no management interface vlan10", "add the management SVI")
    ],
    "management interface removed": [
        ("L2-MGMT-01", "no management interface vlan10", "add the management SVI")
    ],
    "FRR syslog removed": [("L2-LOG-01", "FRR does not log to syslog", "log syslog informational")],
    "FRR logs to a file only": [("L2-LOG-01", "FRR does not log to syslog", "log syslog informational")],
}
FRR_DISGUISES = {
    d["name"]: d
    for d in yaml.safe_load((REPO / "tests/fixtures/disguises.yml").read_text(encoding="utf-8"))
    if d["base"] == "frr-fw"
}


@pytest.fixture(scope="module")
def frr_fw(inventory: Inventory) -> str:
    text, role, _ = _text(inventory, f"hcm-{BEN_THANH}-fw", platform="frr")
    assert role == "firewall"
    return text


def test_the_frr_twin_firewall_reports_exactly_its_white_box_gaps(inventory: Inventory, frr_fw: str) -> None:
    assert _frr(frr_fw, inventory) == FRR_GAPS


@pytest.mark.parametrize("name", sorted(FRR_ADDED))
def test_each_frr_disguise_adds_exactly_its_findings(inventory: Inventory, frr_fw: str, name: str) -> None:
    disguise = FRR_DISGUISES[name]
    assert disguise["old"] in frr_fw
    found = _frr(frr_fw.replace(disguise["old"], disguise["new"], 1), inventory)
    assert [f for f in found if f not in FRR_GAPS] == FRR_ADDED[name]


def test_a_finding_cites_the_tcvn_clauses_and_only_its_own_platforms_cis_controls(
    inventory: Inventory,
) -> None:
    # L2-MGMT-03 lists CIS-IOS-1.2.2, CIS-IOS-2.1.1.2 and CIS-FGT-2.4.5 (wardnet/checks/level2.yml): each
    # platform cites its own benchmark's controls, and the white box (no CIS benchmark) the clauses alone.
    expect = Expect.from_baseline(inventory.baseline)
    clauses = "TCVN 14423:2026 §4.12.2.4a, §4.5.2.1c"
    cases = (
        ("cisco_iosxe", "hostname x\nip http server\n", f"{clauses}; CIS-IOS-1.2.2, CIS-IOS-2.1.1.2"),
        ("fortios", "config system global\n    set admin-telnet enable\nend\n", f"{clauses}; CIS-FGT-2.4.5"),
    )
    for platform, text, cited in cases:
        found = rendered_findings(text, platform, "access", site=BEN_THANH, device="x", expect=expect)
        assert {f.clause for f in found if f.rule == "L2-MGMT-03"} == {cited}, platform
    frr = rendered_findings(
        "!== frr\nhostname x\n", "frr", "access", site=BEN_THANH, device="x", expect=expect
    )
    assert {f.clause for f in frr if f.rule == "L2-MGMT-03"} == {clauses}
