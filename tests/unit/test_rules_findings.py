"""Every finding of the rule pack, word for word, on a config broken in many places at once: the rule, the
message and the fix are what a report shows, so each is written out here (checked by hand against the
edits: e.g. `transport input telnet ssh` on each of the three vty ranges is three findings naming the line).
Fast on purpose: `make mutation` runs it on the rule pack's mutants, most of which change a message or a fix.
"""

from __future__ import annotations

from tests.conftest import BEN_THANH
from tests.unit.test_checks import FORTIOS_MUTATIONS, IOS_MUTATIONS, _text
from wardnet.checks.run import rendered_findings
from wardnet.inventory import Inventory


def _findings(text: str, platform: str, role: str, inventory: Inventory) -> list[tuple[str, str, str]]:
    expect = _text(inventory, f"hcm-{BEN_THANH}-core")[2]
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
