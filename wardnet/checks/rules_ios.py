"""Level-2 and CIS rules for Cisco IOS-XE, on the parsed tree: what the config does, references followed
(vty/SNMP/HTTP → the ACL's entries, login lists → their methods), figures from the baseline via Expect."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network, IPv6Network
from typing import TypeVar

from wardnet.checks.expect import SYSLOG_LEVELS, Expect, Violation, number
from wardnet.checks.memo import per_bodies, per_body
from wardnet.checks.ruleset import RuleSet
from wardnet.tree import Node

RULES: RuleSet[Node] = RuleSet(replay=True)
rule = RULES.rule  # called after each rule, not as a decorator: mutmut mutates no decorated function
MASK = "<<secret:"
EXEC_TIMEOUT_DEFAULT = 10.0  # minutes, when a line has no exec-timeout (IOS default)
N = TypeVar("N", IPv4Network, IPv6Network)  # one address family per ACL walk
WEAK_SSH = ("cbc", "3des", "hmac-sha1", "hmac-md5", "group1-", "group14-sha1")


def _missing(tree: Node, rule_id: str, lines: list[str]) -> list[Violation]:
    return [Violation(rule_id, f"missing '{line}'", f"add '{line}'") for line in lines if not tree.has(line)]


# --- ACLs ----------------------------------------------------------------------------------------------


def _acl_entries(tree: Node, name: str) -> tuple[bool, list[list[str]]] | None:
    """(extended?, entries as words, sequence numbers dropped) of a named or numbered ACL; None: undefined."""
    for kind in ("standard", "extended"):
        block = tree.get(f"ip access-list {kind} {name}")
        if block is not None:
            entries = [c.words[1:] if c.words[0].isdigit() else c.words for c in block.children]
            return kind == "extended", [e for e in entries if e and e[0] in ("permit", "deny")]
    numbered = [c.words[2:] for c in tree.all(f"access-list {name} ")]
    if numbered:
        extended = name.isdigit() and (100 <= int(name) <= 199 or 2000 <= int(name) <= 2699)
        return extended, [e for e in numbered if e and e[0] in ("permit", "deny")]
    return None


def _source(words: list[str]) -> IPv4Network | None:
    """An ACL source → network; None when it cannot be resolved here (object-group, odd wildcard)."""
    key = tuple(words[:2])
    if key not in _SOURCES:
        _SOURCES[key] = _source_of(key)
    return _SOURCES[key]


# The same few management sources in every vty/SNMP/HTTP ACL of the city, each resolved once (a dict, not
# @cache: mutmut mutates no decorated function, and tests/mutation_order.py empties this module's memos).
_SOURCES: dict[tuple[str, ...], IPv4Network | None] = {}


def _source_of(words: tuple[str, ...]) -> IPv4Network | None:
    if not words or words[0] == "any":
        return IPv4Network("0.0.0.0/0")
    if words[0] == "host" and len(words) > 1:
        return IPv4Network(f"{words[1]}/32")
    wildcard = words[1] if len(words) > 1 and words[1][:1].isdigit() else "0.0.0.0"  # none: one host
    # The wildcard's set bits are the host part, read here (ipaddress takes 0.0.0.0 and 255.255.255.255 as
    # netmasks, the opposite: a host as every address, `any` as one host); a mask with holes: unresolved.
    try:
        host_bits = int(IPv4Address(wildcard))
        prefix = 32 - host_bits.bit_length()
        if host_bits != (1 << (32 - prefix)) - 1:
            return None
        return IPv4Network((words[0], prefix), strict=False)
    except ValueError:
        return None


def acl_problems(tree: Node, name: str, expect: Expect) -> list[str]:
    """What an ACL used to guard management lets in that is not a management source. First match wins: a
    permit wholly under an earlier deny is never reached. An undefined ACL permits everything on IOS."""
    for kind in ("standard", "extended"):
        block = tree.get(f"ip access-list {kind} {name}")
        if block is not None:  # a named ACL's body is the same text in every config: judged once
            key = ("acl problems", name, kind, expect.management_sources)
            return per_body(block.children, key, _acl_problems, tree, name, expect)
    return _acl_problems(tree, name, expect)


def _acl_problems(tree: Node, name: str, expect: Expect) -> list[str]:
    acl = _acl_entries(tree, name)
    if acl is None:
        return [f"ACL {name} is not defined (an undefined access-class permits every source)"]
    extended, entries = acl
    return _first_match(
        name, [(e[0], e[2:] if extended else e[1:]) for e in entries], _source, expect, IPV4_WORDS
    )


def _source6(words: list[str]) -> IPv6Network | None:
    """An IPv6 ACL source (after the protocol) → network; None when it cannot be resolved here."""
    if not words or words[0] == "any":
        return IPv6Network("::/0")
    text = f"{words[1]}/128" if words[0] == "host" and len(words) > 1 else words[0]
    try:
        return IPv6Network(text, strict=False)
    except ValueError:
        return None


def _acl6_entries(acl: Node) -> list[list[str]]:
    """An IPv6 ACL's permit/deny entries as words, `sequence N` dropped (remarks and the rest skipped)."""
    entries = [c.words[2:] if c.words[:1] == ["sequence"] else c.words for c in acl.children]
    return [e for e in entries if e and e[0] in ("permit", "deny")]


def acl6_problems(tree: Node, name: str, expect: Expect) -> list[str]:
    """What an IPv6 ACL guarding management lets in that is not a management source. An undefined IPv6
    access-class filters nothing."""
    acl = tree.get(f"ipv6 access-list {name}")
    if acl is None:
        return [f"IPv6 ACL {name} is not defined (an undefined access-class permits every source)"]
    key = ("acl6 problems", name, expect.management_sources)
    return per_body(acl.children, key, _acl6_problems, acl, name, expect)


def _acl6_problems(acl: Node, name: str, expect: Expect) -> list[str]:
    entries = [(e[0], e[2:]) for e in _acl6_entries(acl)]  # permit|deny <protocol> <source> ...
    return _first_match(name, entries, _source6, expect, IPV6_WORDS)


# How the walk words a problem, per family: (an unresolvable source's tail, what a management source is).
IPV4_WORDS = ("which cannot be resolved to addresses", "a management source")
IPV6_WORDS = ("which cannot be resolved", "an IPv6 management source")


def _first_match(
    name: str,
    entries: list[tuple[str, list[str]]],
    parse: Callable[[list[str]], N | None],
    expect: Expect,
    words: tuple[str, str],
) -> list[str]:
    """(action, source words) in order, one address family: first match wins, so a permit wholly under an
    earlier deny is never reached; any other permit must stay inside the management sources."""
    denied: list[N] = []
    problems = []
    for action, spec in entries:
        source = parse(spec)
        if source is None:
            if action == "permit":
                problems.append(f"{name} permits '{' '.join(spec)}', {words[0]}")
            continue
        if action == "deny":
            denied.append(source)
        elif not any(source.subnet_of(d) for d in denied) and not expect.managed_from(source):
            problems.append(f"{name} permits {source}, not {words[1]}")
    return problems


# --- management plane ----------------------------------------------------------------------------------


def _management6(tree: Node, expect: Expect) -> list[Violation]:
    """A switch with an IPv6 address takes SSH over IPv6 on every vty line the IPv4 access-class does not
    cover: each line needs `ipv6 access-class <ACL> in` permitting only the IPv6 management sources."""
    if not any(per_bodies(tree.all("interface "), "ipv6 address", _has_ipv6)):
        return []
    found = []
    for line in tree.all("line vty"):
        inbound = [c.words[2] for c in line.all("ipv6 access-class ") if c.words[3:4] == ["in"]]
        if not inbound:
            found.append(
                Violation(
                    "L2-IPV6-02",
                    f"'{line.text}' has no inbound IPv6 access-class (SSH over IPv6 from anywhere)",
                    "ipv6 access-class WARDNET-MGMT6 in",
                )
            )
        for name in inbound:
            found += [
                Violation("L2-IPV6-02", f"'{line.text}': {p}", "permit only the IPv6 management sources")
                for p in acl6_problems(tree, name, expect)
            ]
    return found


def _has_ipv6(interface: Node) -> bool:
    return interface.child("ipv6 address ") is not None


def management_vlan(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = []
    vlan1 = tree.get("interface Vlan1")
    if vlan1 is None or not vlan1.has("shutdown"):
        found.append(Violation("L2-MGMT-01", "interface Vlan1 is not shut down", "shut down interface Vlan1"))
    svi = tree.get(f"interface Vlan{expect.management_vlan}")
    if svi is None or svi.child("ip address ") is None:
        found.append(
            Violation(
                "L2-MGMT-01",
                f"no management SVI in VLAN {expect.management_vlan}",
                f"address interface Vlan{expect.management_vlan}",
            )
        )
    return found


rule(management_vlan)


def management_sources(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = []
    for line in tree.all("line vty"):
        inbound = [c.words[1] for c in line.all("access-class ") if len(c.words) > 2 and c.words[2] == "in"]
        if not inbound:
            others = [c.text for c in line.all("access-class ")]
            found.append(
                Violation(
                    "L2-MGMT-02",
                    f"'{line.text}' has no inbound access-class" + (f" (only {others})" if others else ""),
                    "access-class WARDNET-MGMT in",
                )
            )
        for name in inbound:
            found += [
                Violation("L2-MGMT-02", f"'{line.text}': {p}", "permit only the management sources")
                for p in acl_problems(tree, name, expect)
            ]
    for group in tree.all("snmp-server group "):
        # access [ipv6 <IPv6 ACL>] [<IPv4 ACL>]: the IPv4 list follows the IPv6 one when both are set
        words = group.words
        rest = words[words.index("access") + 1 :] if "access" in words else []
        if rest[:1] == ["ipv6"]:
            rest = rest[2:]
        acl = rest[0] if rest else None
        if acl is None:
            found.append(
                Violation("L2-MGMT-02", f"'{group.text}' has no IPv4 access list", "access WARDNET-MGMT")
            )
        else:
            found += [
                Violation("L2-MGMT-02", f"SNMP group {words[2]}: {p}", "permit only the management sources")
                for p in acl_problems(tree, acl, expect)
            ]
    for community in tree.all("snmp-server community "):
        words, acls = community.words[3:], []
        while words:
            word = words.pop(0)
            if word in ("view", "ipv6") and words:
                words.pop(0)
            elif word not in ("RO", "RW", "ro", "rw"):
                acls.append(word)
        if not acls:
            found.append(
                Violation("L2-MGMT-02", "an SNMP community has no access list", "remove the community")
            )
        for acl in acls:
            found += [
                Violation("L2-MGMT-02", f"SNMP community: {p}", "remove the community")
                for p in acl_problems(tree, acl, expect)
            ]
    return found


rule(management_sources)


def management_sources6(tree: Node, expect: Expect, role: str) -> list[Violation]:
    """The IPv6 side of management_sources (its own rule: it reads every interface, the others do not)."""
    return _management6(tree, expect)


rule(management_sources6)


def management_https(tree: Node, expect: Expect, role: str) -> list[Violation]:
    """The HTTPS server's access-class, the last of management_sources' questions."""
    found = []
    if tree.has("ip http secure-server"):
        http = tree.child("ip http access-class ")
        if http is None:
            found.append(
                Violation("L2-MGMT-02", "HTTPS server with no access-class", "no ip http secure-server")
            )
        else:
            found += [
                Violation("L2-MGMT-02", f"HTTPS server: {p}", "permit only the management sources")
                for p in acl_problems(tree, http.words[-1], expect)
            ]
    return found


rule(management_https)


def ssh_only(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-MGMT-03", ["ip ssh version 2", "no ip http server"])
    if tree.has("ip http server"):
        found.append(Violation("L2-MGMT-03", "HTTP server enabled", "no ip http server"))
    for line in tree.all(("line vty", "line con", "line aux")):
        transports = [c.words[2:] for c in line.all("transport input")]
        allowed = {w for t in transports for w in t}
        if line.text.startswith("line vty") and allowed != {"ssh"}:
            found.append(
                Violation(
                    "L2-MGMT-03",
                    f"'{line.text}' allows {sorted(allowed) or 'default transports'}",
                    "transport input ssh",
                )
            )
        elif not line.text.startswith("line vty") and allowed & {"telnet", "all"}:
            found.append(Violation("L2-MGMT-03", f"'{line.text}' accepts telnet", "transport input none"))
    return found


rule(ssh_only)


def weak_crypto(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = []
    for line in tree.all("ip ssh server algorithm "):
        weak = [w for w in line.words[4:] if any(k in w for k in WEAK_SSH)]
        if weak:
            found.append(Violation("L2-CRYPTO-01", f"SSH offers {weak}", f"remove {' '.join(weak)}"))
    for key in tree.all("ntp authentication-key "):
        if len(key.words) > 3 and key.words[3] == "md5":
            found.append(
                Violation("L2-CRYPTO-01", "NTP key uses MD5", "ntp authentication-key N hmac-sha2-256")
            )
    return found


rule(weak_crypto)


# --- AAA -----------------------------------------------------------------------------------------------


def _method_lists(tree: Node, kind: str) -> dict[str, list[str]]:
    """`aaa authentication login NAME methods...` → {NAME: methods}."""
    return {c.words[3]: c.words[4:] for c in tree.all(f"aaa authentication {kind} ") if len(c.words) > 3}


def aaa(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-AAA-01", ["aaa new-model"])
    if tree.has("no aaa new-model"):
        found.append(Violation("L2-AAA-01", "AAA is switched off", "aaa new-model"))
    tacacs_groups = {c.words[4] for c in tree.all("aaa group server tacacs+ ") if len(c.words) > 4}
    logins = _method_lists(tree, "login")
    for line in tree.all("aaa "):
        if "none" in line.words and line.words[1] in ("authentication", "authorization"):
            found.append(
                Violation("L2-AAA-01", f"'{line.text}' lets a session in with no check", "drop 'none'")
            )
    default = logins.get("default", [])
    if (
        default[:1] != ["group"]
        or len(default) < 2
        or default[1] not in tacacs_groups | {"tacacs+"}
        or default[-1] != "local"
    ):
        found.append(
            Violation(
                "L2-AAA-01",
                "login does not use TACACS+ with local fallback",
                "aaa authentication login default group WARDNET-TACACS local",
            )
        )
    if not tree.all("tacacs server "):
        found.append(Violation("L2-AAA-01", "no TACACS+ server", "configure the city TACACS+ servers"))
    for line in tree.all(("line con", "line vty", "line aux")):
        if line.has("no login"):
            found.append(Violation("L2-AAA-01", f"'{line.text}' asks for no login", "login authentication"))
        named = line.child("login authentication ")
        name = named.words[2] if named is not None else "default"
        if line.text.startswith("line con") and named is None:
            found.append(
                Violation("L2-AAA-01", "console login does not use AAA", "login authentication CONSOLE")
            )
        elif name not in logins:
            found.append(
                Violation(
                    "L2-AAA-01",
                    f"'{line.text}' uses undefined login list {name}",
                    f"aaa authentication login {name} group WARDNET-TACACS local",
                )
            )
    users = tree.all("username ")
    if len(users) != 1:
        found.append(
            Violation("L2-AAA-02", f"{len(users)} local accounts", "keep exactly one break-glass account")
        )
    return found


rule(aaa)


def secrets(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-AAA-03", ["service password-encryption", "password encryption aes"])
    for node in tree.containing("secret", "key", "password"):
        problem = _secret_problem(node.words)
        if problem:
            found.append(
                Violation(
                    "L2-AAA-03",
                    f"{problem} in '{node.words[0]} ...'",
                    "use 'secret 9', a type 6 key or a wardnet secret reference",
                )
            )
    length = tree.child("security passwords min-length ")
    if length is None or number(length.words[-1], 0) < expect.min_password_length:
        found.append(
            Violation(
                "L2-AAA-04",
                f"minimum password length below {expect.min_password_length}",
                f"security passwords min-length {expect.min_password_length}",
            )
        )
    return found


rule(secrets)


def _secret_problem(parts: list[str]) -> str | None:
    """'password' on username/enable, type 5 (MD5) or 7, or a clear-text value that is not a secret mask."""
    if not parts or parts[:2] == ["password", "encryption"] or parts[0] == "snmp-server":
        return None
    if parts[0] in {"username", "enable"} and "password" in parts:
        return "password instead of secret"
    if parts[:2] == ["ntp", "authentication-key"] and len(parts) >= 5:
        # ntp authentication-key ID ALGORITHM VALUE [7]: the type is after the value
        if parts[-1] == "7" and len(parts) >= 6:
            return "type 7 secret"
        return None if parts[4].startswith(MASK) or len(parts) >= 6 else "clear-text secret"
    for keyword in ("secret", "key", "password"):
        if keyword not in parts[:-1]:
            continue
        index = parts.index(keyword)
        kind = parts[index + 1]
        value = parts[index + 2] if kind.isdigit() and index + 2 < len(parts) else kind
        if kind == "7":
            return "type 7 secret"
        if kind == "5":
            return "type 5 (MD5) hash"
        if (kind == "0" or not kind.isdigit()) and not value.startswith(MASK):
            return "clear-text secret"
    return None


def sessions(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = []
    for line in tree.all(("line vty", "line con", "line aux")):
        timeout = line.child("exec-timeout ")
        minutes = EXEC_TIMEOUT_DEFAULT
        if timeout is not None:
            figures = [int(w) for w in timeout.words[1:3] if w.isdigit()]
            minutes = figures[0] + (figures[1] / 60 if len(figures) > 1 else 0) if figures else 0
        if minutes == 0 or minutes > expect.idle_minutes:
            shown = "unset" if timeout is None else "never" if minutes == 0 else f"{minutes:g} min"
            found.append(
                Violation(
                    "L2-AAA-05",
                    f"'{line.text}' idle timeout is {shown}, above {expect.idle_minutes} min",
                    f"exec-timeout {expect.idle_minutes} 0",
                )
            )
    fix = (
        f"login block-for {expect.lockout_seconds} attempts {expect.max_failed_logins} "
        f"within {expect.failed_login_window_seconds}"
    )
    block = tree.child("login block-for ")
    words = block.words if block is not None else []
    if len(words) < 6 or not all(w.isdigit() for w in (words[2], words[4], words[-1])):
        found.append(Violation("L2-AAA-06", "no lockout after failed logins", fix))
    else:
        seconds, attempts, window = int(words[2]), int(words[4]), int(words[-1])
        if attempts > expect.max_failed_logins:
            found.append(Violation("L2-AAA-06", f"lockout only after {attempts} failed logins", fix))
        if seconds < expect.lockout_seconds:
            found.append(Violation("L2-AAA-06", f"lockout lasts {seconds} s", fix))
        if window < expect.failed_login_window_seconds:
            found.append(Violation("L2-AAA-06", f"failures counted over {window} s only", fix))
    banner = tree.get("banner login")
    if banner is None or not banner.children:
        found.append(Violation("L2-BANNER-01", "no login banner", "add banner login"))
    return found


rule(sessions)


# --- logging, time, SNMP -------------------------------------------------------------------------------


def logging(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-LOG-01", ["service timestamps log datetime msec localtime show-timezone"])
    if tree.has("no logging on"):
        found.append(Violation("L2-LOG-01", "logging is switched off ('no logging on')", "logging on"))
    hosts = set()
    for line in tree.all("logging host "):
        words = [w for w in line.words[2:] if w not in ("ipv4", "ipv6")]
        hosts.add(words[0] if words else "")
    for server in sorted(expect.syslog_servers - hosts):
        found.append(Violation("L2-LOG-01", f"no logging to {server}", f"logging host {server}"))
    trap = tree.child("logging trap")
    level = trap.words[2] if trap is not None and len(trap.words) > 2 else "informational"
    if (
        tree.has("no logging trap")
        or (level in SYSLOG_LEVELS and SYSLOG_LEVELS.index(level) < SYSLOG_LEVELS.index(expect.syslog_level))
        or (level.isdigit() and int(level) < SYSLOG_LEVELS.index(expect.syslog_level))
    ):
        found.append(
            Violation(
                "L2-LOG-01", f"syslog gets only '{level}' and worse", f"logging trap {expect.syslog_level}"
            )
        )
    commands = tree.child("aaa accounting commands 15 ")
    if (
        commands is None
        or not {"start-stop", "stop-only"} & set(commands.words)
        or "group" not in commands.words
    ):
        found.append(
            Violation(
                "L2-LOG-01",
                "privileged commands are not accounted",
                "aaa accounting commands 15 default start-stop group WARDNET-TACACS",
            )
        )
    for line in tree.all("aaa accounting "):
        if "none" in line.words:
            found.append(
                Violation("L2-LOG-01", f"'{line.text}' records nothing", "start-stop group WARDNET-TACACS")
            )
    return found


rule(logging)


def ntp(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-NTP-01", ["ntp authenticate"])
    servers = dict(_ntp_server(c.words) for c in tree.all("ntp server "))
    for server in sorted(expect.ntp_servers):
        if server not in servers or "key" not in servers[server]:
            found.append(
                Violation("L2-NTP-01", f"no authenticated NTP server {server}", f"ntp server {server} key 1")
            )
    zone = tree.child("clock timezone ")
    if zone is None or len(zone.words) < 4 or zone.words[3] != str(expect.utc_offset_hours):
        found.append(
            Violation(
                "L2-NTP-01", f"time zone is not UTC+{expect.utc_offset_hours}", "clock timezone ICT 7 0"
            )
        )
    return found


rule(ntp)


def _ntp_server(words: list[str]) -> tuple[str, list[str]]:
    """`ntp server [vrf NAME] [ip|ipv6] ADDRESS ...` → (the address, the words after it)."""
    rest = words[2:]
    if rest[:1] == ["vrf"]:
        rest = rest[2:]
    if rest[:1] in (["ip"], ["ipv6"]):
        rest = rest[1:]
    return (rest[0], rest[1:]) if rest else ("", [])


def snmp(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = [
        Violation("L2-SNMP-01", "SNMP community configured", "remove snmp-server community")
        for _ in tree.all("snmp-server community ")
    ]
    for group in tree.all("snmp-server group "):
        if group.words[3:5] != ["v3", "priv"]:
            found.append(
                Violation("L2-SNMP-01", f"SNMP group {group.words[2]} is not v3 authPriv", "use v3 priv")
            )
    for host in tree.all("snmp-server host "):
        if "version 3 priv" not in host.text:
            found.append(
                Violation("L2-SNMP-01", f"SNMP host {host.words[2]} is not v3 authPriv", "version 3 priv")
            )
    for user in tree.all("snmp-server user "):
        words = user.words
        auth = words[words.index("auth") + 1] if "auth" in words[:-1] else None
        priv = words[words.index("priv") + 1] if "priv" in words[:-1] else None
        if "v3" not in words or auth is None or priv is None:
            found.append(
                Violation(
                    "L2-SNMP-01",
                    f"SNMP user {words[2]} is not v3 with auth and priv",
                    "auth sha ... priv aes 256",
                )
            )
        if auth == "md5":
            found.append(Violation("L2-SNMP-01", f"SNMP user {words[2]} authenticates with MD5", "auth sha"))
        if priv in ("des", "3des"):
            found.append(
                Violation("L2-SNMP-01", f"SNMP user {words[2]} encrypts with {priv.upper()}", "priv aes 256")
            )
    return found


rule(snmp)


# --- services, ports, rogue devices --------------------------------------------------------------------

SMALL_SERVICES = ("service tcp-small-servers", "service udp-small-servers", "service finger", "ip finger")


def _port_vlan(interface: Node, expect: Expect) -> str:
    """'vlan 1' (neither access VLAN nor trunk), 'shut outside parking' or '' (as it should be)."""
    access = interface.child("switchport access vlan ")
    if access is None and not interface.has("switchport mode trunk"):
        return "vlan 1"
    if interface.has("shutdown") and access is not None and access.words[-1] != str(expect.parking_vlan):
        return "shut outside parking"
    return ""


def services_and_ports(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-SVC-01", ["no service pad", "no service config"])
    for line in SMALL_SERVICES:
        if tree.has(line):
            found.append(Violation("L2-SVC-01", f"'{line}' is on", f"no {line}"))
    key = ("port vlan", expect.parking_vlan)
    ports = tree.all(("interface GigabitEthernet", "interface TwentyFiveGigE"))
    for interface, state in zip(ports, per_bodies(ports, key, lambda i: _port_vlan(i, expect)), strict=True):
        if state == "vlan 1":
            found.append(
                Violation("L2-SVC-01", f"{interface.text} sits in VLAN 1", "assign a VLAN or park it")
            )
        elif state == "shut outside parking":
            found.append(
                Violation(
                    "L2-SVC-01",
                    f"{interface.text} is shut down outside the parking VLAN",
                    f"switchport access vlan {expect.parking_vlan}",
                )
            )
    return found


rule(services_and_ports)


def rogue_devices(tree: Node, expect: Expect, role: str) -> list[Violation]:
    if role != "access":
        return []
    found = _missing(tree, "L2-ROGUE-01", ["ip dhcp snooping"])
    if tree.child("ip dhcp snooping vlan ") is None:
        found.append(
            Violation("L2-ROGUE-01", "DHCP snooping on no VLAN", "ip dhcp snooping vlan <client VLANs>")
        )
    if tree.child("ip arp inspection vlan ") is None:
        found.append(
            Violation("L2-ROGUE-01", "no dynamic ARP inspection", "ip arp inspection vlan <client VLANs>")
        )
    return found


rule(rogue_devices)


def _raguard_hosts(tree: Node) -> set[str]:
    """RA guard policies that drop router advertisements: device-role host, IOS-XE's default role."""
    out = set()
    for policy in tree.all("ipv6 nd raguard policy "):
        roles = [c.words[1] for c in policy.all("device-role ") if len(c.words) > 1]
        if not roles or roles[-1] == "host":
            out.add(policy.words[-1])
    return out


def vlan_list(text: str) -> set[int]:
    """An IOS VLAN list (`10,20,30-32`) → VLAN ids; what does not parse is left out."""
    out: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            out.update(range(int(low), int(high or low) + 1))
    return out


def _raguard_guards(node: Node, hosts: set[str]) -> bool | None:
    """What a port's or a VLAN's own RA guard attachment says: True host role (`ipv6 nd raguard` alone is
    the default policy, role host), False another role, None nothing attached here."""
    attached = [c.words for c in node.all("ipv6 nd raguard")]
    if not attached:
        return None
    return any(
        w == ["ipv6", "nd", "raguard"] or (w[3:4] == ["attach-policy"] and w[4:5] and w[4] in hosts)
        for w in attached
    )


ALL_VLANS = frozenset(range(1, 4095))


def _port_vlans(port: Node) -> set[int]:
    """The VLANs a host-facing switchport carries. Access mode: its access VLAN (1 when unset) and voice VLAN.
    Trunk: its allowed list, every VLAN without one (IOS's default is `allowed vlan all`); the native VLAN
    rides the trunk only when the list allows it, so it adds nothing of its own."""
    if port.has("switchport mode trunk"):
        return _trunk_allowed(port)
    access = port.child("switchport access vlan ")
    out = {int(access.words[-1]) if access is not None and access.words[-1].isdigit() else 1}
    voice = port.child("switchport voice vlan ")
    if voice is not None and voice.words[-1].isdigit():  # not `dot1p`, `untagged` or `none`
        out.add(int(voice.words[-1]))
    return out


def _trunk_allowed(port: Node) -> set[int]:
    """A trunk's allowed VLANs, its `allowed vlan` lines applied in order from IOS's default (all): a list
    replaces, `add`/`remove`/`except` edit (running configs wrap a long list into `add` lines)."""
    allowed = set(ALL_VLANS)
    for line in port.all("switchport trunk allowed vlan "):
        verb, listed = line.words[4], vlan_list(line.words[-1])
        if verb == "add":
            allowed |= listed
        elif verb == "remove":
            allowed -= listed
        elif verb == "except":
            allowed = set(ALL_VLANS - listed)
        elif verb in ("all", "none"):
            allowed = set(ALL_VLANS) if verb == "all" else set()
        else:
            allowed = listed
    return allowed


def ra_guard(tree: Node, expect: Expect, role: str) -> list[Violation]:
    """IPv6 first-hop security on the access edge: every host-facing port (access mode, or an edge trunk to
    an AP) drops router advertisements, so no host can make itself the clients' router (RFC 6105). The
    policy is the port's own attachment or, with none on the port, that of every VLAN it carries
    (`vlan configuration <list>`): FHS applies a port's policy before its VLAN's."""
    if role != "access":
        return []
    hosts = _raguard_hosts(tree)
    by_vlan: dict[int, bool] = {}
    for block in tree.all("vlan configuration "):
        guards = _raguard_guards(block, hosts)
        if guards is not None:
            for vlan in vlan_list(block.words[-1]):
                by_vlan[vlan] = by_vlan.get(vlan, True) and guards
    found = []
    key = ("ra guard", frozenset(hosts), expect.parking_vlan, frozenset(by_vlan.items()))
    ports = tree.all(("interface GigabitEthernet", "interface TwentyFiveGigE"))
    answers = per_bodies(ports, key, lambda i: _ra_guarded(i, hosts, expect.parking_vlan, by_vlan))
    for interface, guarded in zip(ports, answers, strict=True):
        if not guarded:
            found.append(
                Violation(
                    "L2-IPV6-01",
                    f"{interface.text} lets a host send router advertisements (no host-role RA guard)",
                    "vlan configuration <client VLANs> / ipv6 nd raguard attach-policy WARDNET-HOSTS",
                )
            )
    return found


rule(ra_guard)


def _ra_guarded(interface: Node, hosts: set[str], parking_vlan: int, by_vlan: dict[int, bool]) -> bool:
    """False for a host-facing port (access mode or an edge trunk, enabled, not parked) guarded neither by
    its own host-role RA guard nor, without an attach of its own, on every VLAN it carries; True otherwise."""
    access = interface.child("switchport access vlan ")
    edge_trunk = interface.has("switchport mode trunk") and interface.has("spanning-tree portfast trunk")
    if interface.has("shutdown") or not (interface.has("switchport mode access") or edge_trunk):
        return True
    if access is not None and access.words[-1] == str(parking_vlan):
        return True
    guarded = _raguard_guards(interface, hosts)
    if guarded is None:
        guarded = all(by_vlan.get(v, False) for v in _port_vlans(interface))  # none carried: nothing to guard
    return guarded


# --- ICMPv6 as RFC 4890 recommends (issue 23 item 3) ---------------------------------------------------

# IOS IPv6 ACL ICMP message keywords → ICMPv6 type (the code keywords of destination unreachable included).
ICMPV6_TYPES = {
    **dict.fromkeys(
        ("unreachable", "destination-unreachable", "no-route", "admin-prohibited", "beyond-scope"), 1
    ),
    **dict.fromkeys(("address-unreachable", "port-unreachable", "source-policy", "reject-route"), 1),
    "packet-too-big": 2,
    **dict.fromkeys(("time-exceeded", "hop-limit", "reassembly-timeout"), 3),
    **dict.fromkeys(("parameter-problem", "header", "next-header", "parameter-option"), 4),
    "echo-request": 128,
    "echo-reply": 129,
    "mld-query": 130,
    "mld-report": 131,
    "mld-reduction": 132,
    "router-solicitation": 133,
    "router-advertisement": 134,
    "nd-ns": 135,
    "nd-na": 136,
    "redirect": 137,
    "router-renumbering": 138,
}
# RFC 4890 4.3.1/4.4.1: errors must reach whoever is behind the filter (path MTU discovery dies without
# packet-too-big) and neighbour solicitation/advertisement must reach the interface, or nothing resolves.
ICMPV6_MUST_PASS = {1: "unreachable", 2: "packet-too-big", 3: "time-exceeded", 4: "parameter-problem"}
ICMPV6_ND = {135: "nd-ns", 136: "nd-na"}  # IOS permits these implicitly, unless an explicit deny comes first
# RFC 4890 4.3.5/4.4.5: router renumbering and node information are never to be let in.
ICMPV6_NEVER = {138: "router-renumbering", 139: "node information query", 140: "node information reply"}


def _acl6_address(words: list[str]) -> tuple[bool, list[str]]:
    """An IPv6 ACL address (any | host A | prefix) at the head of words → (is it ::/0, the words after)."""
    if words[:1] == ["host"]:
        return False, words[2:]
    if not words:
        return False, []
    return words[0] == "any" or words[0] == "::/0", words[1:]


def _icmp6_match(entry: list[str]) -> tuple[bool, int | None] | None:
    """An IPv6 ACL entry as ICMPv6 sees it: None when it cannot match ICMPv6 (another protocol); else (from
    and to anywhere?, the one ICMPv6 type it names or None for every type)."""
    if len(entry) < 2 or entry[1] not in ("ipv6", "icmp"):
        return None
    source_any, rest = _acl6_address(entry[2:])
    destination_any, rest = _acl6_address(rest)
    if entry[1] == "ipv6" or not rest or rest[0] in ("log", "log-input", "sequence", "dscp", "time-range"):
        return source_any and destination_any, None
    kind = int(rest[0]) if rest[0].isdigit() else ICMPV6_TYPES.get(rest[0], -1)
    return source_any and destination_any, kind


def icmpv6_problems(acl: Node, name: str) -> list[str]:
    """What a traffic-filtering IPv6 ACL does to ICMPv6 against RFC 4890. First match wins: a type passes
    when the first entry that can match it from anywhere is a permit; a deny met first blocks it (for some
    sources at least). Past the last entry IOS permits nd-ns/nd-na and denies the rest."""
    entries = [(e[0], e[1:2] == ["icmp"], _icmp6_match(e)) for e in _acl6_entries(acl)]
    problems = []
    for kind, label in {**ICMPV6_MUST_PASS, **ICMPV6_ND}.items():
        decided = "permit" if kind in ICMPV6_ND else "deny"
        for action, _, match in entries:
            if match is not None and match[1] in (None, kind) and (action == "deny" or match[0]):
                decided = action
                break
        if decided == "deny":
            problems.append(f"{name} drops ICMPv6 {label} (RFC 4890: it must pass)")
    for action, icmp, match in entries:
        if action != "permit" or match is None:
            continue
        if icmp and match[1] is None:
            problems.append(f"{name} permits every ICMPv6 type (RFC 4890: errors, echo and ND only)")
        elif match[1] in ICMPV6_NEVER:
            problems.append(f"{name} permits ICMPv6 {ICMPV6_NEVER[match[1]]} (RFC 4890: drop it)")
    return problems


def icmpv6(tree: Node, expect: Expect, role: str) -> list[Violation]:
    """ICMPv6 allowed as RFC 4890 recommends wherever an IPv6 ACL filters packets (`ipv6 traffic-filter` on
    an SVI or a port). The rendered switches filter none: they forward their users' IPv6 at layer 2 and
    their one IPv6 ACL is the vty access-class, which judges SSH sessions and never meets ICMPv6."""
    found: list[Violation] = []
    if not tree.containing("ipv6 traffic-filter "):
        return found  # no filter anywhere (a search kept per block body): no interface to walk
    for interface in tree.all("interface "):
        for line in interface.all("ipv6 traffic-filter "):
            acl = tree.get(f"ipv6 access-list {line.words[2]}") if len(line.words) > 2 else None
            if acl is None:
                continue  # an undefined filter filters nothing
            found += [
                Violation(
                    "L2-IPV6-04",
                    f"{interface.text}: {p}",
                    "permit icmp any any <unreachable|packet-too-big|time-exceeded|parameter-problem|nd-ns|"
                    "nd-na> before any deny; no untyped 'permit icmp'",
                )
                for p in icmpv6_problems(acl, line.words[2])
            ]
    return found


rule(icmpv6)


# --- port access control (issue 17 item 3) ---------------------------------------------------------------


def _control_policies(tree: Node) -> tuple[tuple[str, frozenset[str]], ...]:
    """Every IBNS 2.0 control policy of the config and the methods it authenticates with."""
    head = "policy-map type control subscriber "
    return tuple(
        (p.text[len(head) :], per_body(p.children, "authenticate using", _methods, p)) for p in tree.all(head)
    )


def _methods(policy: Node) -> frozenset[str]:
    return frozenset(
        n.words[3] for n in policy.walk() if n.words[1:3] == ["authenticate", "using"] and len(n.words) > 3
    )


def _nac_gaps(
    port: Node, nac_vlans: frozenset[int], policies: tuple[tuple[str, frozenset[str]], ...]
) -> list[str] | None:
    """None for a port that is not an enabled staff port; else what keeps it from 802.1X with MAB fallback,
    closed until authorized: IBNS 2.0 (access-session and a control policy) or the legacy `authentication`
    form, as the box prints one or the other."""
    if not _staff(port, nac_vlans):
        return None
    gaps = []
    control = port.child("access-session port-control ") or port.child("authentication port-control ")
    if control is None or control.words[-1] != "auto":
        gaps.append("port-control is not auto" if control else "no port-control auto")
    if not port.has("mab"):
        gaps.append("no MAB")
    if not (port.has("dot1x pae authenticator") or port.has("dot1x pae both")):
        gaps.append("no dot1x pae authenticator")
    legacy = port.child("authentication port-control ") is not None
    if port.has("authentication open") or (not legacy and not port.has("access-session closed")):
        gaps.append("open before authentication")
    if not legacy:
        bound = port.child("service-policy type control subscriber ")
        methods = _defined(policies, bound.words[-1]) if bound else None
        if bound is None:
            gaps.append("no control policy")
        elif methods is None:
            gaps.append(f"control policy {bound.words[-1]} is not defined")
        elif not {"dot1x", "mab"} <= methods:
            gaps.append(f"control policy {bound.words[-1]} does not authenticate with both dot1x and mab")
    return gaps


def _defined(policies: tuple[tuple[str, frozenset[str]], ...], name: str) -> frozenset[str] | None:
    """The methods of the policy called `name` (the first of that name, as tree.get finds it)."""
    return next((methods for policy, methods in policies if policy == name), None)


def port_access_control(tree: Node, expect: Expect, role: str) -> list[Violation]:
    """Staff access ports authenticate (802.1X, MAB for what has no supplicant) and stay closed until then."""
    if role != "access" or not expect.nac_vlans:
        return []
    found = []
    nac_vlans = frozenset(expect.nac_vlans)
    policies = _control_policies(tree)
    key = ("nac gaps", nac_vlans, policies)
    interfaces = tree.all("interface ")
    gaps_of = per_bodies(interfaces, key, lambda i: _nac_gaps(i, nac_vlans, policies))
    staff = [(port, gaps) for port, gaps in zip(interfaces, gaps_of, strict=True) if gaps is not None]
    if staff and not tree.has("dot1x system-auth-control"):
        found.append(Violation("L2-NAC-01", "802.1X is off switch-wide", "dot1x system-auth-control"))
    for port, gaps in staff:
        if gaps:
            found.append(
                Violation(
                    "L2-NAC-01",
                    f"{port.text} (staff) lets devices in without 802.1X/MAB: {', '.join(gaps)}",
                    "access-session closed, access-session port-control auto, mab, dot1x pae authenticator, "
                    "service-policy type control subscriber WARDNET-DOT1X-MAB",
                )
            )
    return found


rule(port_access_control)


def _staff(port: Node, nac_vlans: frozenset[int]) -> bool:
    """An enabled port in a staff (802.1X) VLAN."""
    vlan = port.child("switchport access vlan ")
    return not port.has("shutdown") and vlan is not None and number(vlan.words[-1], 0) in nac_vlans


# --- CIS Cisco IOS XE Level 1 controls not already a level-2 rule (IDs: level2.yml) ---------------------


def _proxy_arp(interface: Node) -> bool:
    """An addressed interface that answers proxy ARP (IOS-XE's default)."""
    return interface.child("ip address ") is not None and not interface.has("no ip proxy-arp")


def cis_hardening(tree: Node, expect: Expect, role: str) -> list[Violation]:
    found = []
    enable = _method_lists(tree, "enable").get("default")
    if not enable or enable[0] != "group":
        found.append(
            Violation(
                "CIS-IOS-1.1.3",
                "enable is not authenticated through AAA",
                "aaa authentication enable default group WARDNET-TACACS enable",
            )
        )
    aux = tree.get("line aux 0")
    if aux is not None and not aux.has("no exec"):
        found.append(Violation("CIS-IOS-1.2.3", "'line aux 0' starts an exec", "no exec"))
    retries = tree.child("ip ssh authentication-retries ")
    if retries is not None and number(retries.words[-1], 3) > 3:
        found.append(
            Violation(
                "CIS-IOS-2.1.1.1.5",
                f"SSH allows {retries.words[-1]} authentication retries",
                "ip ssh authentication-retries 3",
            )
        )
    timeout = tree.child("ip ssh time-out ")
    if timeout is None or number(timeout.words[-1], 120) > 60:
        found.append(
            Violation("CIS-IOS-2.1.1.1.4", "SSH negotiation time-out above 60 s", "ip ssh time-out 60")
        )
    for line, cis in (
        ("no ip bootp server", "CIS-IOS-2.1.3"),
        ("no service dhcp", "CIS-IOS-2.1.4"),
        ("service tcp-keepalives-in", "CIS-IOS-2.1.6"),
        ("service tcp-keepalives-out", "CIS-IOS-2.1.7"),
        ("no ip source-route", "CIS-IOS-3.1.1"),
    ):
        if not tree.has(line):
            found.append(Violation(cis, f"missing '{line}'", line))
    if tree.child("logging source-interface ") is None:
        found.append(
            Violation("CIS-IOS-2.2.7", "syslog source interface not set", "logging source-interface Vlan10")
        )
    return found


rule(cis_hardening)


def cis_proxy_arp(tree: Node, expect: Expect, role: str) -> list[Violation]:
    """The last of the CIS controls, on its own: it reads every interface, the others do not."""
    found = []
    interfaces = tree.all("interface ")
    for interface, answers in zip(interfaces, per_bodies(interfaces, "proxy arp", _proxy_arp), strict=True):
        if answers:
            found.append(Violation("CIS-IOS-3.1.2", f"{interface.text} answers proxy ARP", "no ip proxy-arp"))
    return found


rule(cis_proxy_arp)
