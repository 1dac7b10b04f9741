"""Cisco IOS-XE (Catalyst): deployed by napalm `wardnet_ios` (configure replace), audited on hier_config."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from wardnet.platforms import cisco_iosxe_candidate as candidate
from wardnet.platforms.base import ON_DEVICE, REDACTED, PlatformDriver, Texts, rules
from wardnet.platforms.hier import hier_remediation, top_blocks

if TYPE_CHECKING:
    from wardnet.checks.expect import Expect, Violation

# Device-generated blocks (self-signed trustpoints and their certificate chains) are dropped whole.
GENERATED_BLOCK = re.compile(
    r"^crypto pki (trustpoint|certificate chain) (TP-self-signed-\d+|SLA-TrustPoint)$"
)
# IOS-XE numbers the entries of a named ACL (` 10 permit ...`) whether or not the config did; the order
# itself is compared (ACLs are ordered blocks), so the numbers add nothing.
ACL_SEQUENCE = re.compile(r"^(\s+)(?:sequence )?\d+ (?=permit |deny |remark |evaluate )")
ACL_ENTRY = re.compile(r"^\s+(permit|deny)\s")
# SNMPv3 users never appear in `show running-config`; the audit reads them with `show snmp user` and
# appends them to the running config after this mark, one line per user in the form compared (no secret).
SNMP_USERS_MARK = "! show snmp user: SNMPv3 users, which IOS keeps out of the running config"
SNMP_USER = re.compile(
    r"^snmp-server user (\S+) (\S+) v3(?: auth (\S+) \S+)?(?: priv (aes \d+|3des|des) \S+)?"
)
# `show snmp user` spells the protocols so (ntc-templates, tests/cisco_ios/show_snmp_user/
# cisco_ios_show_snmp_user.raw: "Authentication Protocol: SHA", "Privacy Protocol: AES128"; None when unset).
PRIVACY = {"AES128": "aes 128", "AES192": "aes 192", "AES256": "aes 256", "DES": "des", "3DES": "3des"}


def snmp_user_line(name: str, group: str, auth: str, priv: str) -> str:
    """One SNMPv3 user in the form both sides are compared in: name, group, algorithms, no secret."""
    return " ".join(
        ["snmp-server user", name, group, "v3"]
        + ([f"auth {auth}"] if auth else [])
        + ([f"priv {priv}"] if priv else [])
    )


def parse_snmp_users(output: str) -> list[str]:
    """`show snmp user` (IOS-XE) → one comparable line per user. Blocks are separated by a blank line:
    `User name:`, `Engine ID:`, `storage-type:`, `Authentication Protocol:`, `Privacy Protocol:`,
    `Group-name:`."""
    lines = []
    for block in re.split(r"\n\s*\n", output.replace("\r", "")):
        fields = dict(re.findall(r"^\s*([A-Za-z][\w -]*?)\s*:\s*(.*?)\s*$", block, flags=re.M))
        name = fields.get("User name", "")
        if not name:
            continue
        auth = fields.get("Authentication Protocol", "None")
        priv = fields.get("Privacy Protocol", "None")
        lines.append(
            snmp_user_line(
                name,
                fields.get("Group-name", ""),
                "" if auth == "None" else auth.lower(),
                "" if priv == "None" else PRIVACY.get(priv, priv.lower()),
            )
        )
    return lines


def _users_compared(text: str, keep: bool) -> str:
    """The config's `snmp-server user` lines in the compared form (keep), or dropped (not comparable)."""
    if "snmp-server user " not in text:
        return text  # no line to change (most configs: the users live outside the running config)
    if not keep:
        return "\n".join([line for line in text.split("\n") if not line.startswith("snmp-server user ")])
    out = []
    for line in text.split("\n"):
        user = SNMP_USER.match(line)
        if user:
            if keep:
                auth, priv = user.group(3) or "", user.group(4) or ""
                out.append(snmp_user_line(user.group(1), user.group(2), auth, priv))
        elif line.startswith("snmp-server user "):
            if keep:
                out.append(line)
        else:
            out.append(line)
    return "\n".join(out)


class CiscoIOSXE(PlatformDriver):
    name = "cisco_iosxe"
    extension = "cfg"
    config_marks = ("hostname ", "interface ")
    cis_prefix = "CIS-IOS-"
    roles = ("core", "access")
    ansible_network_os = "cisco.ios.ios"
    napalm_driver = "wardnet_ios"
    hidden_commands = ("show snmp user",)

    secret_forms = (
        (re.compile(r"\b(secret|password) \d+ \S+"), rf"\1 {REDACTED}"),
        (re.compile(r"\b(key) [07] \S+"), rf"\1 {REDACTED}"),
        (re.compile(r"^(ntp authentication-key \d+ \S+) \S+( \d+)?$"), rf"\1 {REDACTED}"),
        (re.compile(r"^(snmp-server community|crypto isakmp key) \S+"), rf"\1 {REDACTED}"),
    )
    value_forms = (
        (re.compile(r"\b((?:secret|password) \d+) \S+"), rf"\1 {ON_DEVICE}"),
        (re.compile(r"\b(key [067]) \S+"), rf"\1 {ON_DEVICE}"),
        (re.compile(r"^(ntp authentication-key \d+ \S+) \S+"), rf"\1 {ON_DEVICE}"),
        (re.compile(r"^(snmp-server community|crypto isakmp key) \S+"), rf"\1 {ON_DEVICE}"),
    )
    # The header may come indented (a capture pasted from a terminal: tests/fixtures/public, C9300 17.15).
    volatile = re.compile(
        r"^(\s*Building configuration|\s*Current configuration\s*:|! (Last configuration change"
        r"|NVRAM config last updated|No configuration change since)|!Time:|ntp clock-period |license udi "
        r"|diagnostic bootup)"
    )
    closer = re.compile(r"^(\s*!.*|end|\s*exit-address-family|\s*quit)$")
    line_rules = rules(
        (r"^switchport (access|trunk (allowed|native)|voice) vlan ", "vlans"),
        # port authentication is an access-control matter (issue 17: 802.1X/MAB on staff ports)
        (r"^(access-session |mab|dot1x |authentication |service-policy type control )", "aaa"),
        (r"^ip helper-address ", "dhcp"),
        (r"^ip access-group ", "firewall"),
        (r"^access-class ", "management"),
        (r"^(transport input|login authentication|authorization|accounting) ", "management"),
    )
    top_rules = rules(
        (r"^(aaa |username |enable (secret|password)|tacacs|radius|ip (tacacs|radius) )", "aaa"),
        (r"^(dot1x |service-template |class-map type control |policy-map type control )", "aaa"),
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
    )

    def evaluate(self, text: str, expect: Expect, role: str) -> list[Violation]:
        from wardnet.checks.parse import parse_ios
        from wardnet.checks.rules_ios import RULES

        return RULES.evaluate(parse_ios(text), expect, role)

    def logical_lines(self, text: str) -> list[str]:
        if "crypto pki " not in text:
            return super().logical_lines(text)  # no generated block to drop (never in an intended config)
        out: list[str] = []
        skipping = False
        for line in super().logical_lines(text):
            if not line[:1].isspace():
                skipping = line.startswith("crypto pki ") and bool(GENERATED_BLOCK.match(line))
            if not skipping:
                out.append(line)
        return out

    def tidy_line(self, line: str) -> str:
        if not line[:1].isspace():
            return line  # both forms below are indented lines: a top-level line is as it is
        if line[:1] == " " and (line.lstrip()[:1].isdigit() or line.startswith(" sequence ")):
            line = ACL_SEQUENCE.sub(r"\1", line)
        if ACL_ENTRY.match(line):  # a standard ACL prints `deny   any`: padded to the width of `permit`
            return line[: len(line) - len(line.lstrip())] + " ".join(line.split())
        return line

    def hidden_config(self, outputs: dict[str, str]) -> str:
        """`show snmp user` as config lines after SNMP_USERS_MARK, to append to the running config."""
        users = parse_snmp_users(outputs.get("show snmp user", ""))
        return "".join(f"{line}\n" for line in [SNMP_USERS_MARK, *users])

    def device_forms(self, intended: str, running: str, defaults: str = "") -> tuple[str, str]:
        """The intended config completed with the stanzas the switch owns, written as it prints them.
        SNMPv3 users compare (name, group, algorithms) when `show snmp user` was read; otherwise they are
        not comparable and left out on both sides."""
        shown, mark, users = running.partition(f"{SNMP_USERS_MARK}\n")
        keep = bool(mark)
        want = _users_compared(candidate.complete(intended, shown), keep)
        return want, _users_compared(shown, False) + ("\n" + users if keep else "")

    def remediation(self, texts: Texts, intended: list[str], running: list[str], tops: set[str]) -> str:
        try:
            return hier_remediation(top_blocks(intended, tops), top_blocks(running, tops))
        except Exception as exc:  # hier_config refuses some shapes (duplicate children): say so, never crash
            return (
                f"! no line-by-line remediation: hier_config could not model this config ({exc})\n"
                "! `wardnet audit --remediate --commit` replaces the whole config through the deploy path\n"
            )

    def revert_after(self, confirm_timeout: int) -> int:
        """IOS-XE counts whole minutes and the driver rounds up."""
        return 60 * math.ceil(confirm_timeout / 60)
