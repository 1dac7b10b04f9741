"""Level-2 rules for the frr platform (FRR + nftables + Open vSwitch). Rules about AAA, SNMP and banners
live in the host's sshd/PAM set-up, not in these sections, and are not evaluated here."""

from __future__ import annotations

from ipaddress import ip_network

from wardnet.checks.expect import Expect, Violation
from wardnet.checks.parse import FrrDevice, Node
from wardnet.checks.ruleset import RuleSet

RULES: RuleSet[FrrDevice] = RuleSet()
rule = RULES.rule


def _chain(device: FrrDevice, name: str) -> Node | None:
    table = device.nftables.child("table inet wardnet")
    return table.child(f"chain {name}") if table is not None else None


def _policy(chain: Node) -> str | None:
    for line in chain.children:
        if line.text.startswith("type filter hook") and "policy" in line.text:
            return line.text.split("policy", 1)[1].strip(" ;")
    return None


ICMPV6_TRANSIT_ERRORS = {"destination-unreachable", "packet-too-big", "time-exceeded", "parameter-problem"}


def _icmpv6_errors_only(tokens: list[str]) -> bool:
    """`icmpv6 type { <error types> } accept` and nothing else: the transit errors RFC 4890 says to allow."""
    if tokens[:2] != ["icmpv6", "type"] or tokens[-1] != "accept":
        return False
    types = {t.strip("{},") for t in tokens[2:-1]} - {""}
    return bool(types) and types <= ICMPV6_TRANSIT_ERRORS


@rule
def default_deny(device: FrrDevice, expect: Expect, role: str) -> list[Violation]:
    if role != "firewall":
        return []
    chain = _chain(device, "forward")
    if chain is None or _policy(chain) != "drop":
        return [Violation("L2-FLOW-01", "forward chain does not default to drop", "policy drop;")]
    found = []
    rules = [c.text for c in chain.children if not c.text.startswith("type ")]
    if not rules or "drop" not in rules[-1].split() or "log" not in rules[-1].split():
        found.append(Violation("L2-FLOW-01", "forward chain does not end in a logged drop", "log ... drop"))
    for text in rules:
        tokens = text.split()
        if _icmpv6_errors_only(tokens):
            continue  # RFC 4890 4.3.1: ICMPv6 errors must cross the firewall (path MTU discovery)
        if "accept" in tokens and not {"iifname", "ip", "ip6"} & set(tokens) and "ct" not in tokens:
            found.append(Violation("L2-FLOW-03", f"any-to-any accept: '{text}'", "match zones and addresses"))
    return found


@rule
def management_plane(device: FrrDevice, expect: Expect, role: str) -> list[Violation]:
    found = []
    chain = _chain(device, "input")
    if chain is None or _policy(chain) != "drop":
        return [Violation("L2-MGMT-02", "input chain does not default to drop", "policy drop;")]
    for line in chain.children:
        tokens = line.text.replace(",", " ").replace("{", " ").replace("}", " ").split()
        if "accept" in tokens and "dport" in tokens and "22" in tokens:
            if "saddr" not in tokens:
                found.append(
                    Violation("L2-MGMT-02", "SSH accepted from anywhere", "ip saddr <management sources>")
                )
                continue
            sources = {
                str(ip_network(t, strict=False))
                for t in tokens[tokens.index("saddr") + 1 :]
                if ("." in t or ":" in t) and "/" in t and t[0].isalnum()
            }
            if not sources or not sources <= expect.management_sources:
                found.append(
                    Violation(
                        "L2-MGMT-02", f"SSH accepted from {sorted(sources)}", "only the management sources"
                    )
                )
    if device.frr.get_child(equals=f"interface vlan{expect.management_vlan}") is None:
        found.append(
            Violation(
                "L2-MGMT-01",
                f"no management interface vlan{expect.management_vlan}",
                "add the management SVI",
            )
        )
    return found


@rule
def logging(device: FrrDevice, expect: Expect, role: str) -> list[Violation]:
    if device.frr.get_child(startswith="log syslog") is None:
        return [Violation("L2-LOG-01", "FRR does not log to syslog", "log syslog informational")]
    return []


@rule
def parked_ports(device: FrrDevice, expect: Expect, role: str) -> list[Violation]:
    found = []
    for line in device.ovs:
        tokens = line.split()
        if tokens and tokens[-1] == "shutdown" and f"tag={expect.parking_vlan}" not in tokens:
            found.append(
                Violation(
                    "L2-SVC-01",
                    f"'{line.strip()}' is shut down outside the parking VLAN",
                    f"tag={expect.parking_vlan}",
                )
            )
    return found
