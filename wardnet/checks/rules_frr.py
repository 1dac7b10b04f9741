"""Level-2 rules for the frr platform (FRR + nftables + Open vSwitch), judged on the effective nftables
verdict: a rule's matches are followed through `jump`/`goto` into the chain it calls, named sets and named
ports are resolved, a negated source does not narrow, and `ct state new` is new traffic like any other.

The white-box text carries no sshd/AAA/SNMP/NTP/banner/remote-syslog configuration and nftables inspects
nothing: those gaps are reported as findings (not skipped), so the twin never looks more hardened than it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wardnet.checks.expect import Expect, Network, Violation, network
from wardnet.checks.parse import FrrDevice
from wardnet.checks.ruleset import RuleSet
from wardnet.tree import Node

RULES: RuleSet[FrrDevice] = RuleSet()
rule = RULES.rule  # called after each rule, not as a decorator: mutmut mutates no decorated function

# /etc/services names nft accepts in place of numbers (the ones a management or flow rule would use)
PORT_NAMES = {
    "ssh": 22,
    "telnet": 23,
    "http": 80,
    "https": 443,
    "snmp": 161,
    "domain": 53,
    "ntp": 123,
    "netconf": 830,
    "bgp": 179,
    "syslog": 514,
    "tacacs": 49,
    "bootps": 67,
}
MANAGEMENT_PORTS = {22, 23, 80, 443, 161, 830}
ICMPV6_TRANSIT_ERRORS = {"destination-unreachable", "packet-too-big", "time-exceeded", "parameter-problem"}
SPLIT = re.compile(r"[{},]")


@dataclass(frozen=True)
class Match:
    """What an accept (after its jumps) still requires of a packet."""

    sources: tuple[Network, ...] | None  # None: any source (absent or negated)
    destinations: bool  # a positive destination match
    ports: frozenset[int] | None  # None: every port
    protocol_only: bool  # ICMP types, a non-TCP/UDP protocol: no service port to open
    established_only: bool
    loopback_only: bool


def _tables(device: FrrDevice) -> list[Node]:
    return [t for t in device.nftables.children if t.text.startswith("table ")]


def _chain(device: FrrDevice, name: str) -> Node | None:
    for table in _tables(device):
        chain = table.get(f"chain {name}")
        if chain is not None:
            return chain
    return None


def _sets(device: FrrDevice) -> dict[str, list[str]]:
    """Named sets → their elements (`set NAME { type ...; elements = { a, b } }`)."""
    out: dict[str, list[str]] = {}
    for table in _tables(device):
        for block in table.all("set "):
            text = " ".join(c.text for c in block.children)
            elements = text.split("elements =", 1)[1] if "elements =" in text else ""
            out[block.words[1]] = [e for e in SPLIT.sub(" ", elements).replace(";", " ").split() if e]
    return out


def _policy(chain: Node) -> str | None:
    for line in chain.children:
        if line.text.startswith("type ") and "policy" in line.text:
            return line.text.split("policy", 1)[1].strip(" ;")
    return None


def _values(tokens: list[str], index: int, sets: dict[str, list[str]]) -> tuple[bool, list[str]]:
    """The operand after tokens[index]: (negated, values) with `{ }` sets and `@named` sets expanded."""
    i = index + 1
    negated = i < len(tokens) and tokens[i] == "!="
    i += negated
    if i >= len(tokens):
        return negated, []
    if tokens[i] == "{":
        end = tokens.index("}", i) if "}" in tokens[i:] else len(tokens)
        values = [v for t in tokens[i + 1 : end] for v in t.split(",") if v]  # `{ 22, 443 }` or `{22,443}`
    else:
        values = tokens[i].split(",")
    return negated, [
        v for value in values for v in (sets.get(value[1:], []) if value.startswith("@") else [value])
    ]


def _ports(values: list[str]) -> frozenset[int] | None:
    ports: set[int] = set()
    for value in values:
        low, _, high = value.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            ports.update(range(int(low), int(high or low) + 1))
        elif value in PORT_NAMES:
            ports.add(PORT_NAMES[value])
        else:
            return None  # an unknown name: assume it may be anything
    return frozenset(ports) if len(ports) < 65535 else None


def match_of(text: str, sets: dict[str, list[str]]) -> Match:
    tokens = re.sub(r"([{}])", r" \1 ", text).split()
    sources: list[Network] | None = None
    destinations = False
    ports: frozenset[int] | None = None
    protocol_only = established_only = loopback_only = False
    for i, token in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        if token == "saddr" and prev in ("ip", "ip6"):
            negated, values = _values(tokens, i, sets)
            if not negated:
                sources = [network(v) for v in values if "." in v or ":" in v]
        elif token == "daddr" and prev in ("ip", "ip6"):
            negated, values = _values(tokens, i, sets)
            destinations = destinations or not negated
        elif token == "dport":
            negated, values = _values(tokens, i, sets)
            ports = None if negated else _ports(values)
        # a negated state, protocol or interface (`!=`) is every other one: it narrows nothing here
        elif token == "state" and prev == "ct":
            negated, values = _values(tokens, i, sets)
            established_only = not negated and bool(values) and set(values) <= {"established", "related"}
        elif token == "type" and prev in ("icmp", "icmpv6"):
            protocol_only = True
        elif token in ("protocol", "l4proto", "nexthdr"):
            negated, values = _values(tokens, i, sets)
            protocol_only = protocol_only or (not negated and not set(values) & {"tcp", "udp", "sctp"})
        elif token in ("iif", "iifname"):
            negated, values = _values(tokens, i, sets)
            loopback_only = not negated and values in (['"lo"'], ["lo"])
    return Match(
        tuple(sources) if sources is not None else None,
        destinations,
        ports,
        protocol_only,
        established_only,
        loopback_only,
    )


def _combine(outer: Match, inner: Match) -> Match:
    """A jump's matches AND the called chain's rule."""
    return Match(
        inner.sources if inner.sources is not None else outer.sources,
        outer.destinations or inner.destinations,
        inner.ports if inner.ports is not None else outer.ports,
        outer.protocol_only or inner.protocol_only,
        outer.established_only or inner.established_only,
        outer.loopback_only or inner.loopback_only,
    )


def accepts(device: FrrDevice, chain: Node, depth: int = 0) -> list[tuple[str, Match, bool]]:
    """Every way a chain accepts: (rule text, effective match, logged), jumps and gotos followed."""
    sets = _sets(device)
    out: list[tuple[str, Match, bool]] = []
    for line in chain.children:
        words = line.words
        if line.text.startswith("type "):
            continue
        match = match_of(line.text, sets)
        logged = "log" in words
        if "accept" in words:
            out.append((line.text, match, logged))
        for verb in ("jump", "goto"):
            if verb in words[:-1] and depth < 8:
                target = _chain(device, words[words.index(verb) + 1])
                for text, inner, inner_logged in (
                    accepts(device, target, depth + 1) if target is not None else []
                ):
                    out.append((f"{line.text} -> {text}", _combine(match, inner), logged or inner_logged))
    return out


def _icmpv6_errors_only(text: str) -> bool:
    """`icmpv6 type { <error types> } accept`: the transit errors RFC 4890 4.3.1 says must cross."""
    if not text.startswith("icmpv6 type"):
        return False
    types = set(SPLIT.sub(" ", text.removeprefix("icmpv6 type")).split()) - {"accept"}
    return bool(types) and types <= ICMPV6_TRANSIT_ERRORS


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
    for text, match, logged in accepts(device, chain):
        if match.established_only or _icmpv6_errors_only(text.split(" -> ")[-1]):
            continue
        if match.sources is None and not match.destinations:
            found.append(Violation("L2-FLOW-03", f"any-to-any accept: '{text}'", "match zones and addresses"))
        elif match.ports is None and not match.protocol_only:
            found.append(
                Violation("L2-FLOW-03", f"accept of every service: '{text}'", "match the service ports")
            )
        if not logged:
            found.append(
                Violation("L2-FLOW-02", f"accepted flow not logged: '{text}'", "log prefix ... accept")
            )
    found.append(
        Violation(
            "L2-FLOW-02",
            "white-box: no IPS on the firewall: nftables logs flows but inspects nothing",
            "put the site behind the FortiGate, or add an IPS (e.g. Suricata in NFQUEUE) to the design",
        )
    )
    return found


rule(default_deny)


def management_plane(device: FrrDevice, expect: Expect, role: str) -> list[Violation]:
    chain = _chain(device, "input")
    if chain is None or _policy(chain) != "drop":
        return [Violation("L2-MGMT-02", "input chain does not default to drop", "policy drop;")]
    found = []
    for text, match, _ in accepts(device, chain):
        if match.established_only or match.loopback_only or match.protocol_only:
            continue
        if match.ports is not None and not match.ports & MANAGEMENT_PORTS:
            continue
        outside = (
            ["anywhere"]
            if match.sources is None
            else [str(s) for s in match.sources if not expect.managed_from(s)]
        )
        if outside:
            ports = sorted(match.ports & MANAGEMENT_PORTS) if match.ports is not None else "every port"
            found.append(
                Violation(
                    "L2-MGMT-02",
                    f"management ({ports}) accepted from {outside}: '{text}'",
                    "ip saddr <management sources> only",
                )
            )
    if device.frr.get(f"interface vlan{expect.management_vlan}") is None:
        found.append(
            Violation(
                "L2-MGMT-01",
                f"no management interface vlan{expect.management_vlan}",
                "add the management SVI",
            )
        )
    return found


rule(management_plane)


# What the white-box device text would need to carry for the admin-plane rules the vendors get.
NOT_MANAGED = (
    (
        "L2-MGMT-03",
        "sshd",
        "SSH daemon settings (protocol, ciphers, no passwords) are not in the device text",
    ),
    ("L2-AAA-01", "aaa", "no AAA: logins are not checked against TACACS+ (PAM is not managed)"),
    ("L2-AAA-05", "sshd", "no admin idle timeout (sshd ClientAlive*) in the device text"),
    ("L2-AAA-06", "aaa", "no lockout after failed logins (pam_faillock) in the device text"),
    ("L2-SNMP-01", "snmpd", "no SNMPv3 agent configuration in the device text"),
    ("L2-NTP-01", "ntp", "no NTP servers or NTP authentication in the device text"),
    ("L2-BANNER-01", "sshd", "no login banner in the device text"),
)


def admin_plane(device: FrrDevice, expect: Expect, role: str) -> list[Violation]:
    return [
        Violation(rule_id, f"white-box: {message}", f"manage the host's {section} set-up from the baseline")
        for rule_id, section, message in NOT_MANAGED
        if section not in device.sections
    ]


rule(admin_plane)


def port_access_control(device: FrrDevice, expect: Expect, role: str) -> list[Violation]:
    """Open vSwitch does not authenticate ports (nor queue voice): a staff port on the twin is open, said so
    as a white-box gap (issue 17; README, Lab) rather than passed in silence."""
    if role != "access":
        return []
    staff = {f"tag={v}" for v in expect.nac_vlans}
    if not any(staff & set(line.split()) for line in device.ovs):
        return []
    return [
        Violation(
            "L2-NAC-01",
            "white-box: staff ports do not authenticate (no 802.1X/MAB on Open vSwitch)",
            "put the site's staff ports on the Catalysts, or add hostapd-wired per port to the design",
        )
    ]


rule(port_access_control)


def logging(device: FrrDevice, expect: Expect, role: str) -> list[Violation]:
    found = []
    if device.frr.child("log syslog") is None:
        found.append(Violation("L2-LOG-01", "FRR does not log to syslog", "log syslog informational"))
    if "syslog" not in device.sections:
        found.append(
            Violation(
                "L2-LOG-01",
                "white-box: no remote syslog servers in the device text",
                f"forward to {', '.join(sorted(expect.syslog_servers))}",
            )
        )
    return found


rule(logging)


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


rule(parked_ports)
