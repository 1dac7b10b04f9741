"""The IPv6 side of the level-2 rule pack (issue 23), on Ben Thanh's golden configs with one edit each: the
finding and its words are written out here, never computed by the rule under test. Disguised forms of the
same violations are in tests/fixtures/disguises.yml."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.inventory import load_baseline

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "26743-ben-thanh"
KINDS = {
    "core": ("cisco_iosxe", "core", "cfg"),
    "acc1": ("cisco_iosxe", "access", "cfg"),
    "fw": ("fortios", "firewall", "conf"),
}


@cache
def _expect() -> Expect:
    return Expect.from_baseline(load_baseline(INVENTORY))


def _text(base: str) -> str:
    return (GOLDEN / f"hcm-{BEN_THANH}-{base}.{KINDS[base][2]}").read_text(encoding="utf-8")


def _findings(text: str, base: str, rule: str) -> list[str]:
    platform, role, _ = KINDS[base]
    found = rendered_findings(text, platform, role, site=BEN_THANH, device="x", expect=_expect())
    return sorted(f.message for f in found if f.rule == rule)


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize("base", sorted(KINDS))
def test_the_rendered_dual_stack_configs_have_no_ipv6_finding(base: str) -> None:
    text = _text(base)
    assert [_findings(text, base, r) for r in ("L2-IPV6-01", "L2-IPV6-02", "L2-IPV6-03")] == [[], [], []]


PORT2 = (
    "interface GigabitEthernet1/0/2\n description staff\n switchport access vlan 20\n"
    " switchport mode access\n switchport nonegotiate\n switchport voice vlan 40\n"
    " access-session host-mode multi-domain\n access-session closed\n access-session port-control auto\n"
    " mab\n dot1x pae authenticator\n dot1x timeout tx-period 10\n"
    " service-policy type control subscriber WARDNET-DOT1X-MAB\n storm-control broadcast level 5\n"
    " storm-control multicast level 5\n storm-control action trap\n ip dhcp snooping limit rate 15\n"
)


def test_ra_guard_missing_on_one_access_port_fires_for_that_port_only() -> None:
    text = _edit(_text("acc1"), PORT2 + " ipv6 nd raguard attach-policy WARDNET-HOSTS\n", PORT2)
    assert _findings(text, "acc1", "L2-IPV6-01") == [
        "interface GigabitEthernet1/0/2 lets a host send router advertisements (no host-role RA guard)"
    ]


def test_ra_guard_without_a_policy_is_the_host_role() -> None:
    """`ipv6 nd raguard` alone applies IOS-XE's default policy, whose device role is host: guarded."""
    text = _text("acc1").replace(" ipv6 nd raguard attach-policy WARDNET-HOSTS\n", " ipv6 nd raguard\n")
    assert _findings(text, "acc1", "L2-IPV6-01") == []


def test_the_core_is_not_held_to_access_port_ra_guard() -> None:
    assert "ipv6 nd raguard attach-policy WARDNET-HOSTS" not in _text("core")
    assert _findings(_text("core"), "core", "L2-IPV6-01") == []


def test_vty_without_ipv6_access_class_fires_and_a_switch_without_ipv6_needs_none() -> None:
    old = "line vty 5 15\n access-class WARDNET-MGMT in\n ipv6 access-class WARDNET-MGMT6 in\n"
    text = _edit(_text("core"), old, "line vty 5 15\n access-class WARDNET-MGMT in\n")
    assert _findings(text, "core", "L2-IPV6-02") == [
        "'line vty 5 15' has no inbound IPv6 access-class (SSH over IPv6 from anywhere)"
    ]
    no_ipv6 = "\n".join(line for line in text.split("\n") if not line.startswith(" ipv6 address "))
    assert _findings(no_ipv6, "core", "L2-IPV6-02") == []


def test_an_ipv6_acl_widened_past_the_noc_fires() -> None:
    text = _edit(_text("core"), " permit ipv6 2001:DB8:0:1::/64 any\n", " permit ipv6 2001:DB8::/32 any\n")
    assert _findings(text, "core", "L2-IPV6-02") == [
        f"'line vty {lines}': WARDNET-MGMT6 permits 2001:db8::/32, not an IPv6 management source"
        for lines in ("0 4", "16 31", "5 15")
    ]


def test_ip6_allowaccess_on_a_user_vlan_fires_only_as_ipv6() -> None:
    text = _edit(
        _text("fw"),
        "set ip6-address 2001:db8:413:20::1/64\n            set ip6-allowaccess ping\n",
        "set ip6-address 2001:db8:413:20::1/64\n            set ip6-allowaccess ping ssh\n",
    )
    assert _findings(text, "fw", "L2-IPV6-02") == [
        "interface vlan20 accepts management over IPv6 outside the management VLAN (['ssh'])"
    ]
    assert _findings(text, "fw", "L2-MGMT-02") == []  # IPv4 allowaccess is still ping only


def test_an_admin_with_ipv4_trusthosts_only_is_open_over_ipv6() -> None:
    text = _edit(
        _text("fw"),
        "        set ip6-trusthost1 2001:db8:0:1::/64\n        set password ENC",
        "        set password ENC",
    )
    assert _findings(text, "fw", "L2-IPV6-02") == [
        "admin hcm-breakglass may log in over IPv6 from ['anywhere (no trusted host)']"
    ]
    assert _findings(text, "fw", "L2-MGMT-02") == []


def test_a_final_deny_without_ipv6_and_an_ipv6_any_to_any_fire() -> None:
    deny = _edit(
        _text("fw"),
        '        set srcaddr6 "all"\n        set dstaddr6 "all"\n        set action deny\n',
        "        set action deny\n",
    )
    assert _findings(deny, "fw", "L2-IPV6-03") == [
        "the last enabled policy is not a logged deny of IPv6 all to all, every service"
    ]
    assert _findings(deny, "fw", "L2-FLOW-01") == []  # IPv4 still ends in the deny
    anyany = _edit(
        _text("fw"),
        'set srcaddr6 "noc6"\n        set dstaddr6 "mgmt6"\n',
        'set srcaddr6 "all"\n        set dstaddr6 "all"\n',
    )
    assert _findings(anyany, "fw", "L2-IPV6-03") == ["policy noc-to-management permits IPv6 any to any"]
    assert _findings(anyany, "fw", "L2-FLOW-03") == []  # its IPv4 side still names the NOC and the VLAN
