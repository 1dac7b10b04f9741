"""Which feature a config line belongs to, per platform, from its top-level block and the line itself.

A line's own text is tried first (an access port's VLAN is a VLAN matter even inside `interface`), then its
top-level ancestor. The first matching rule wins; anything unmatched is `other`. The features and their
severities are in model.FEATURES.
"""

from __future__ import annotations

import functools
import re

Rules = list[tuple[re.Pattern[str], str]]


def _rules(*pairs: tuple[str, str]) -> Rules:
    return [(re.compile(pattern), feature) for pattern, feature in pairs]


LINE_RULES: dict[str, Rules] = {
    "cisco_iosxe": _rules(
        (r"^switchport (access|trunk (allowed|native)) vlan ", "vlans"),
        (r"^ip helper-address ", "dhcp"),
        (r"^ip access-group ", "firewall"),
        (r"^access-class ", "management"),
        (r"^(transport input|login authentication|authorization|accounting) ", "management"),
    ),
    "fortios": _rules(),
    "frr": _rules(),
}

TOP_RULES: dict[str, Rules] = {
    "cisco_iosxe": _rules(
        (r"^(aaa |username |enable (secret|password)|tacacs|radius|ip (tacacs|radius) )", "aaa"),
        (
            r"^(line |ip ssh |ip scp |ip http |banner |login |security passwords|service password"
            r"|password encryption|ip access-list (standard|extended) (MGMT|VTY|SSH)|no ip http )",
            "management",
        ),
        (r"^(ip access-list |ipv6 access-list |access-list |object-group )", "firewall"),
        (r"^(logging |service timestamps |archive)", "logging"),
        (r"^(ntp |clock )", "ntp"),
        (r"^snmp-server ", "snmp"),
        (r"^(vlan |spanning-tree |vtp )", "vlans"),
        (r"^(interface |no interface )", "interfaces"),
        (r"^(router |ip route |ip prefix-list |route-map |ip routing|bfd )", "routing"),
        (r"^(ip dhcp |no ip dhcp |ipv6 dhcp |no service dhcp|service dhcp)", "dhcp"),
    ),
    "fortios": _rules(
        (r"^config (system admin|system accprofile|user |system password-policy)", "aaa"),
        (r"^config (system global|system replacemsg admin|system interface-admin)", "management"),
        (r"^config (firewall |ips |antivirus |webfilter |application )", "firewall"),
        (r"^config log ", "logging"),
        (r"^config system ntp", "ntp"),
        (r"^config system snmp", "snmp"),
        (r"^config (router |system gre-tunnel)", "routing"),
        (r"^config system dhcp ", "dhcp"),
        (r"^config system (interface|switch-interface|zone)", "interfaces"),
    ),
    # The frr platform: the section decides for nftables (firewall) and Open vSwitch (vlans).
    "frr": _rules(
        (r"^!== nftables", "firewall"),
        (r"^!== ovs", "vlans"),
        (r"^(log |logging )", "logging"),
        (r"^(router |ip route |ipv6 route |ip prefix-list |route-map |bfd|ip protocol )", "routing"),
        (r"^interface ", "interfaces"),
        (r"^(line vty|ip ssh |username |password |enable password|access-list )", "management"),
        (r"^ntp ", "ntp"),
        (r"^(agentx|snmp)", "snmp"),
    ),
}


def feature_of(platform: str, path: tuple[str, ...], line: str) -> str:
    """path: the line's ancestors, outermost first (for frr, the `!== section` mark comes first)."""
    top = path[0] if path else line
    if platform == "frr" and path and path[0].startswith("!== frr"):
        top = path[1] if len(path) > 1 else line
    return _feature(platform, top, line)


@functools.lru_cache(maxsize=1 << 16)  # a city's configs share most lines: classify each text once
def _feature(platform: str, top: str, line: str) -> str:
    for pattern, feature in LINE_RULES.get(platform, []):
        if pattern.match(line):
            return feature
    for pattern, feature in TOP_RULES.get(platform, []):
        if pattern.match(top):
            return feature
    return "other"
