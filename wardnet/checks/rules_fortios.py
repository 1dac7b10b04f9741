"""Level-2 and CIS rules for FortiOS, on the parsed config/edit/set tree: policies are judged by what their
address objects/groups and service objects/groups resolve to (negation included), admins and API users by
their trusted hosts, figures from the baseline via Expect."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Network,
    collapse_addresses,
    ip_network,
    summarize_address_range,
)

from wardnet.checks.expect import Expect, Network, Violation, network, number
from wardnet.checks.parse import FortiBlock
from wardnet.checks.ruleset import RuleSet

RULES: RuleSet[FortiBlock] = RuleSet()
rule = RULES.rule  # called after each rule, not as a decorator: mutmut mutates no decorated function
MASK = "<<secret:"
ANY4 = IPv4Network("0.0.0.0/0")
ANY6 = IPv6Network("::/0")
ALL_PORTS = 65535
MANAGEMENT_ACCESS = {"https", "ssh", "snmp", "http", "telnet", "fgfm", "radius-acc", "ftm"}
# FortiOS factory services that are not in a rendered config: the ALL family opens every port of a protocol.
FACTORY_SERVICES = {"ALL": {"ip"}, "ALL_TCP": {"tcp"}, "ALL_UDP": {"udp"}, "ALL_ICMP": {"icmp"}}
LOG_SEVERITIES = (
    "emergency",
    "alert",
    "critical",
    "error",
    "warning",
    "notification",
    "information",
    "debug",
)


def _entries(tree: FortiBlock, name: str) -> Iterator[tuple[str, FortiBlock]]:
    yield from tree.sub(name).entries.items()


def _want(
    block: FortiBlock, key: str, value: str, rule_id: str, where: str, *, default: str = ""
) -> list[Violation]:
    if block.value(key, default) != value:
        return [
            Violation(
                rule_id,
                f"{where}: {key} is {block.value(key, default) or 'unset'}",
                f"config {where} / set {key} {value}",
            )
        ]
    return []


# --- what objects resolve to ---------------------------------------------------------------------------


def _network(values: list[str]) -> Network:
    """`a.b.c.d m.m.m.m`, `a.b.c.d/n` or an IPv6 prefix → network (unreadable: anywhere)."""
    text = "/".join(values[:2]) if len(values) > 1 else values[0]
    return network(text, "::/0" if ":" in text else "0.0.0.0/0")


def addresses(
    tree: FortiBlock, name: str, family: str = "", seen: frozenset[str] = frozenset()
) -> list[Network]:
    """The prefixes an address object or group (`family` "" or "6") stands for, groups followed."""
    table, groups = tree.sub(f"firewall address{family}"), tree.sub(f"firewall addrgrp{family}")
    if name in seen:
        return []
    if name in groups.entries:
        return [
            n
            for m in groups.entries[name].settings.get("member", [])
            for n in addresses(tree, m, family, seen | {name})
        ]
    entry = table.entries.get(name)
    if entry is None:
        return [] if name == "none" else [ip_network("::/0" if family else "0.0.0.0/0")]  # factory "all"
    kind = entry.value("type", "ipmask" if not family else "ipprefix")
    if kind == "iprange":
        start, end = entry.value("start-ip"), entry.value("end-ip")
        try:
            return list(summarize_address_range(IPv4Address(start), IPv4Address(end)))
        except ValueError:
            return [ANY4]
    key = "subnet" if not family else "ip6"
    if kind in ("ipmask", "ipprefix") and entry.settings.get(key):
        return [_network(entry.settings[key])]
    if kind in ("fqdn", "wildcard-fqdn", "mac", "dynamic", "interface-subnet"):
        return []  # named hosts, not a prefix: never "any" on their own
    return [ip_network("::/0" if family else "0.0.0.0/0")]  # no subnet = 0.0.0.0/0; fqdn/geography: anywhere


# Policies repeat the same sides: each set of prefixes is collapsed once per target (a dict, not @lru_cache:
# mutmut mutates no decorated function, and tests/mutation_order.py empties this module's memos).
_COVERED: dict[tuple[tuple[Network, ...], Network], bool] = {}


def _covers(networks: tuple[Network, ...], target: Network) -> bool:
    key = (networks, target)
    if key not in _COVERED:
        _COVERED[key] = _collapsed_covers(networks, target)
    return _COVERED[key]


def _collapsed_covers(networks: tuple[Network, ...], target: Network) -> bool:
    if target.version == 4:
        merged: list[Network] = list(collapse_addresses(n for n in networks if isinstance(n, IPv4Network)))
    else:
        merged = list(collapse_addresses(n for n in networks if isinstance(n, IPv6Network)))
    return any(n.version == target.version and target.subnet_of(n) for n in merged)  # type: ignore[arg-type]


def side_is_any(tree: FortiBlock, policy: FortiBlock, side: str, expect: Expect, family: str = "") -> bool:
    """A policy's source or destination reaches every address of the family ("" IPv4, "6" IPv6: srcaddr6,
    dstaddr6 of a 7.x consolidated policy): it resolves to 0.0.0.0/0 (::/0), or it is negated and what it
    excludes leaves internal (city) space reachable, not only the internet."""
    nets = tuple(
        n for name in policy.settings.get(f"{side}addr{family}", []) for n in addresses(tree, name, family)
    )
    if policy.value(f"{side}addr{family}-negate") == "enable":
        return not _covers(nets, ip_network(expect.city_supernet6 if family else expect.city_supernet))
    return _covers(nets, ANY6 if family else ANY4)


def _ranges(spec: list[str]) -> list[tuple[int, int]]:
    out = []
    for item in spec:
        dest = item.split(":", 1)[0]
        low, _, high = dest.partition("-")
        if low.isdigit():
            out.append((int(low), int(high) if high.isdigit() else int(low)))
    return out


def _all_ports(ranges: list[tuple[int, int]]) -> bool:
    reach = 0
    for low, high in sorted(ranges):
        if low > reach + 1:
            return False
        reach = max(reach, high)
    return reach >= ALL_PORTS


def open_protocols(tree: FortiBlock, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The protocols on which a service or service group opens every port (ALL, ALL_TCP, 1-65535, IP/0)."""
    groups = tree.sub("firewall service group").entries
    if name in seen:
        return set()
    if name in groups:
        return {
            p for m in groups[name].settings.get("member", []) for p in open_protocols(tree, m, seen | {name})
        }
    entry = tree.sub("firewall service custom").entries.get(name)
    if entry is None:
        return FACTORY_SERVICES.get(name, set())
    protocol = entry.value("protocol", "TCP/UDP/SCTP")
    if protocol == "IP":
        return {"ip"} if entry.value("protocol-number", "0") == "0" else set()
    if protocol != "TCP/UDP/SCTP":
        return set()
    ranges = {p: _ranges(entry.settings.get(f"{p}-portrange", [])) for p in ("tcp", "udp", "sctp")}
    if not any(ranges.values()):
        return {"tcp", "udp", "sctp"}
    return {p for p, r in ranges.items() if r and _all_ports(r)}


# --- zones and flows -----------------------------------------------------------------------------------


def zones(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    vlans = [
        name
        for name, s in _entries(tree, "system interface")
        if s.value("type") == "vlan" or s.value("vlanid")
    ]
    membership: dict[str, int] = dict.fromkeys(vlans, 0)
    found = []
    for zone, settings in _entries(tree, "system zone"):
        for member in settings.settings.get("interface", []):
            membership[member] = membership.get(member, 0) + 1
        if settings.value("intrazone", "deny") != "deny":
            found.append(
                Violation("L2-ZONE-01", f"zone {zone} allows intra-zone traffic", "set intrazone deny")
            )
    return found + [
        Violation("L2-ZONE-01", f"VLAN interface {name} is in {count} zones", "put it in exactly one zone")
        for name, count in sorted(membership.items())
        if count != 1
    ]


rule(zones)


class _Judge:
    """side_is_any and open_protocols for one config's policies, each distinct side (its names, negated
    or not, the family) and service resolved once: a firewall's 40 policies name the same few objects."""

    def __init__(self, tree: FortiBlock, expect: Expect) -> None:
        self.tree, self.expect = tree, expect
        self._sides: dict[tuple[tuple[str, ...], bool, str], bool] = {}
        self._services: dict[str, set[str]] = {}

    def side_is_any(self, policy: FortiBlock, side: str, family: str = "") -> bool:
        names = tuple(policy.settings.get(f"{side}addr{family}", []))
        key = (names, policy.value(f"{side}addr{family}-negate") == "enable", family)
        known = self._sides.get(key)
        if known is None:
            known = self._sides[key] = side_is_any(self.tree, policy, side, self.expect, family)
        return known

    def opened(self, policy: FortiBlock) -> set[str]:
        """The protocols on which the policy's services open every port."""
        out: set[str] = set()
        for name in policy.settings.get("service", []):
            known = self._services.get(name)
            if known is None:
                known = self._services[name] = open_protocols(self.tree, name)
            out |= known
        return out


def flows(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    found = []
    judge = _Judge(tree, expect)
    policies = [
        (n, p) for n, p in _entries(tree, "firewall policy") if p.value("status", "enable") != "disable"
    ]
    last = policies[-1][1] if policies else None
    if (
        last is None
        or last.value("action", "deny") != "deny"
        or last.value("logtraffic") != "all"
        or not judge.side_is_any(last, "src")
        or not judge.side_is_any(last, "dst")
        or "ip" not in judge.opened(last)
    ):
        found.append(
            Violation(
                "L2-FLOW-01",
                "the last enabled policy is not a logged deny of all to all, every service",
                "end the policy list with an enabled deny all/all/ALL that logs all",
            )
        )
    for name, policy in policies:
        if policy.value("action", "deny") != "accept":
            continue
        label = policy.value("name", name)
        if judge.side_is_any(policy, "src") and judge.side_is_any(policy, "dst"):
            found.append(Violation("L2-FLOW-03", f"policy {label} permits any to any", "name the flows"))
        opened = judge.opened(policy)
        if opened:
            found.append(
                Violation(
                    "L2-FLOW-03", f"policy {label} opens every port of {sorted(opened)}", "name the services"
                )
            )
        if policy.value("utm-status") != "enable" or not policy.value("ips-sensor"):
            found.append(
                Violation("L2-FLOW-02", f"policy {label} has no IPS", "set utm-status enable, ips-sensor")
            )
        if policy.value("logtraffic", "utm") != "all":
            found.append(Violation("L2-FLOW-02", f"policy {label} is not logged", "set logtraffic all"))
    found += _want(
        tree.sub("system autoupdate schedule"), "status", "enable", "L2-IPS-01", "system autoupdate schedule"
    )
    return found + _flows6(judge, policies)


rule(flows)


def _flows6(judge: _Judge, policies: list[tuple[str, FortiBlock]]) -> list[Violation]:
    """The IPv6 side of a consolidated policy list: IPv6 matches only srcaddr6/dstaddr6, so the last enabled
    policy must drop and log IPv6 all to all as well, and no accept may open IPv6 any to any."""
    found = []
    last = policies[-1][1] if policies else None
    if (
        last is None
        or last.value("action", "deny") != "deny"
        or last.value("logtraffic") != "all"
        or not judge.side_is_any(last, "src", "6")
        or not judge.side_is_any(last, "dst", "6")
        or "ip" not in judge.opened(last)
    ):
        found.append(
            Violation(
                "L2-IPV6-03",
                "the last enabled policy is not a logged deny of IPv6 all to all, every service",
                'set srcaddr6 "all" / set dstaddr6 "all" on the final deny',
            )
        )
    for name, policy in policies:
        if policy.value("action", "deny") != "accept" or not policy.settings.get("srcaddr6"):
            continue
        if judge.side_is_any(policy, "src", "6") and judge.side_is_any(policy, "dst", "6"):
            label = policy.value("name", name)
            found.append(Violation("L2-IPV6-03", f"policy {label} permits IPv6 any to any", "name the flows"))
    return found


# RFC 4890 4.3.5: router renumbering and node information are never to cross a firewall.
ICMPV6_NEVER = {"138": "router renumbering", "139": "node information query", "140": "node information reply"}


def icmpv6_opened(tree: FortiBlock, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """What a service or service group opens of ICMPv6 beyond RFC 4890: every type (the factory ALL_ICMP6,
    or an ICMP6 custom service with no icmptype) or a type never to cross. ALL is left to L2-FLOW-03."""
    groups = tree.sub("firewall service group").entries
    if name in seen:
        return set()
    if name in groups:
        return {
            r for m in groups[name].settings.get("member", []) for r in icmpv6_opened(tree, m, seen | {name})
        }
    entry = tree.sub("firewall service custom").entries.get(name)
    if entry is None:
        return {"every ICMPv6 type (ALL_ICMP6)"} if name == "ALL_ICMP6" else set()
    if entry.value("protocol") != "ICMP6":
        return set()
    kind = entry.value("icmptype")
    if not kind:
        return {f"every ICMPv6 type ({name}: ICMP6 with no icmptype)"}
    return {f"ICMPv6 {ICMPV6_NEVER[kind]} ({name})"} if kind in ICMPV6_NEVER else set()


def icmpv6(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    """ICMPv6 between zones only as RFC 4890 recommends. FortiOS forwards an ICMPv6 error with the session
    it belongs to (the embedded header is matched to the session: FortiOS 5.0 Help, "Configure ICMP error
    message verification", help.fortinet.com/fos50hlp/50/FortiOS%205.0%20Help/protection_chapter.069.08.html;
    Fortinet community tip 192196 on anti-replay: ICMP errors pass with their TCP/UDP session), so
    packet-too-big and the other errors of an accepted flow need no policy,
    and neighbour discovery is the interface's own business, not a policy's: no policy need open ICMPv6,
    and none may open it wholesale."""
    found = []
    for name, policy in _entries(tree, "firewall policy"):
        if policy.value("status", "enable") == "disable" or policy.value("action", "deny") != "accept":
            continue
        if not policy.settings.get("srcaddr6"):
            continue  # an IPv4-only policy matches no ICMPv6
        label = policy.value("name", name)
        for opened in sorted({r for s in policy.settings.get("service", []) for r in icmpv6_opened(tree, s)}):
            found.append(
                Violation(
                    "L2-IPV6-04",
                    f"policy {label} permits {opened} (RFC 4890: errors ride their session)",
                    'name the ICMPv6 types the flow needs (PING6), never "ALL_ICMP6"',
                )
            )
    return found


rule(icmpv6)


def dhcp_dns(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    found = []
    for name, settings in _entries(tree, "system dhcp server"):
        servers = {
            v for key, value in settings.settings.items() if key.startswith("dns-server") for v in value
        }
        if settings.value("dns-service") != "specify" or servers != expect.dns_servers:
            found.append(
                Violation(
                    "L2-DNS-01",
                    f"DHCP server {name} hands out {sorted(servers) or 'other DNS'}",
                    "dns-service specify with the city resolvers",
                )
            )
    return found


rule(dhcp_dns)


# --- management plane ----------------------------------------------------------------------------------


def _trusthosts(block: FortiBlock, prefixes: tuple[str, ...] | None = None) -> list[Network]:
    keys = prefixes or ("trusthost", "ip6-trusthost", "ipv4-trusthost", "ipv6-trusthost")
    return [_network(v) for k, v in block.settings.items() if k.startswith(keys) and v]


def _untrusted(hosts: list[Network], expect: Expect) -> list[str]:
    if not hosts:
        return ["anywhere (no trusted host)"]
    return [str(h) for h in hosts if not expect.managed_from(h)]


def management(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    found = []
    for name, settings in _entries(tree, "system interface"):
        access4 = set(settings.settings.get("allowaccess", []))
        access6 = set(settings.sub("ipv6").settings.get("ip6-allowaccess", []))
        access = access4 | access6
        if access & {"http", "telnet"}:
            found.append(
                Violation(
                    "L2-MGMT-03",
                    f"interface {name} allows {sorted(access & {'http', 'telnet'})}",
                    "allow only https and ssh, on the management VLAN",
                )
            )
        user_vlan = settings.value("vlanid") != str(expect.management_vlan)
        if access4 & MANAGEMENT_ACCESS and user_vlan:
            found.append(
                Violation(
                    "L2-MGMT-02",
                    f"interface {name} accepts management outside the management VLAN",
                    "set allowaccess ping",
                )
            )
        if access6 & MANAGEMENT_ACCESS and user_vlan:
            found.append(
                Violation(
                    "L2-IPV6-02",
                    f"interface {name} accepts management over IPv6 outside the management VLAN "
                    f"({sorted(access6 & MANAGEMENT_ACCESS)})",
                    "config ipv6 / set ip6-allowaccess ping",
                )
            )
    found += _want(
        tree.sub("system global"), "admin-telnet", "disable", "L2-MGMT-03", "system global", default="enable"
    )
    for name, admin in _entries(tree, "system admin"):
        kind = "wildcard admin" if admin.value("wildcard") == "enable" else "admin"
        bad = _untrusted(_trusthosts(admin, ("trusthost",)), expect)
        if bad:
            found.append(
                Violation(
                    "L2-MGMT-02",
                    f"{kind} {name} may log in from {bad}",
                    "trusthost = management sources only",
                )
            )
        # Each family has its own list; ip6-trusthost defaults to ::/0, so IPv4 trusted hosts alone leave
        # IPv6 logins open from anywhere (FortiOS 7.2 CLI Reference, config system admin: ip6-trusthost1-10).
        bad6 = _untrusted(_trusthosts(admin, ("ip6-trusthost",)), expect)
        if bad6:
            found.append(
                Violation(
                    "L2-IPV6-02",
                    f"{kind} {name} may log in over IPv6 from {bad6}",
                    "ip6-trusthost = the IPv6 management sources only",
                )
            )
    for name, user in _entries(tree, "system api-user"):
        hosts = [n for _, e in user.sub("trusthost").entries.items() for n in _trusthosts(e)]
        bad = _untrusted(hosts, expect)
        if bad:
            found.append(
                Violation(
                    "L2-MGMT-02",
                    f"API user {name} may call from {bad}",
                    "config trusthost: management sources only",
                )
            )
    for name, policy in _entries(tree, "firewall local-in-policy"):
        if policy.value("status", "enable") == "disable" or policy.value("action", "deny") != "accept":
            continue
        sources = [n for a in policy.settings.get("srcaddr", []) for n in addresses(tree, a)]
        outside = [str(n) for n in sources if not expect.managed_from(n)]
        if outside or policy.value("srcaddr-negate") == "enable":
            found.append(
                Violation(
                    "L2-MGMT-02",
                    f"local-in policy {name} accepts from {outside or 'a negated source'}",
                    "accept only the management sources",
                )
            )
    for name, community in _entries(tree, "system snmp community"):
        if community.value("status", "enable") == "disable":
            continue  # answers no one (L2-SNMP-01 skips it too)
        hosts = [
            n
            for _, h in community.sub("hosts").entries.items()
            if h.settings.get("ip")
            for n in [_network(h.settings["ip"])]
        ]
        bad = _untrusted(hosts, expect)
        if bad:
            found.append(Violation("L2-MGMT-02", f"SNMP community {name} answers {bad}", "delete it"))
    return found


rule(management)


def crypto(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    system = tree.sub("system global")
    found = _want(system, "strong-crypto", "enable", "L2-CRYPTO-01", "system global", default="enable")
    weak = [
        v for v in system.settings.get("admin-https-ssl-versions", []) if v in ("tlsv1-0", "tlsv1-1", "sslv3")
    ]
    if weak:
        found.append(
            Violation(
                "L2-CRYPTO-01", f"admin HTTPS accepts {weak}", "set admin-https-ssl-versions tlsv1-2 tlsv1-3"
            )
        )
    for key in ("ssh-cbc-cipher", "ssh-hmac-md5", "ssh-kex-sha1"):
        if system.value(key) == "enable":
            found.append(Violation("L2-CRYPTO-01", f"system global: {key} is enable", f"set {key} disable"))
    if tree.sub("system ntp").value("key-type").upper() == "MD5":  # 7.x: one key-type for every server
        found.append(
            Violation("L2-CRYPTO-01", "NTP authenticates with MD5", "config system ntp / set key-type SHA1")
        )
    ntp = tree.sub("system ntp").sub("ntpserver")
    for name, server in ntp.entries.items():  # older builds: per server
        if server.value("key-type").upper() == "MD5":
            found.append(
                Violation("L2-CRYPTO-01", f"NTP server {name} authenticates with MD5", "set key-type SHA1")
            )
    return found


rule(crypto)


def accounts(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    found = []
    tacacs = dict(_entries(tree, "user tacacs+"))
    if not tacacs:
        found.append(Violation("L2-AAA-01", "no TACACS+ server", "config user tacacs+"))
    groups = dict(_entries(tree, "user group"))
    admins = dict(_entries(tree, "system admin"))
    for name, admin in admins.items():
        if admin.value("wildcard") == "enable" or admin.value("remote-auth") == "enable":
            members = groups.get(admin.value("remote-group"), FortiBlock()).settings.get("member", [])
            if not set(members) & set(tacacs):
                found.append(
                    Violation(
                        "L2-AAA-01",
                        f"remote admin {name} is not tied to a TACACS+ server",
                        "set remote-group to a group of the TACACS+ servers",
                    )
                )
    local = [
        n for n, a in admins.items() if a.value("wildcard") != "enable" and a.value("remote-auth") != "enable"
    ]
    local += [
        f"user local {n}"
        for n, u in _entries(tree, "user local")
        if u.value("type", "password") == "password"
    ]
    if len(local) != 1:
        found.append(
            Violation(
                "L2-AAA-02",
                f"{len(local)} local accounts ({', '.join(local)})",
                "keep one break-glass account",
            )
        )
    if "admin" in admins:
        found.append(Violation("CIS-FGT-2.4.1", "the factory 'admin' account exists", "rename or delete it"))
    for table, key in (("system admin", "password"), ("user local", "passwd")):
        for name, entry in _entries(tree, table):
            secret = entry.settings.get(key)
            if secret and not (secret[0] == "ENC" or secret[0].startswith(MASK)):
                found.append(
                    Violation(
                        "L2-AAA-03", f"{table} {name} has a clear-text password", "use a secret reference"
                    )
                )
    policy = tree.sub("system password-policy")
    length = policy.value("minimum-length", "8")
    if (
        policy.value("status") != "enable"
        or "admin-password" not in policy.settings.get("apply-to", ["admin-password"])
        or not length.isdigit()
        or int(length) < expect.min_password_length
    ):
        found.append(
            Violation(
                "L2-AAA-04",
                f"password policy below {expect.min_password_length} characters",
                f"set status enable / set minimum-length {expect.min_password_length}",
            )
        )
    system = tree.sub("system global")
    timeout = number(system.value("admintimeout"), 5)
    if timeout > expect.idle_minutes:
        found.append(
            Violation(
                "L2-AAA-05",
                f"admin idle timeout {timeout} min, above {expect.idle_minutes}",
                f"set admintimeout {expect.idle_minutes}",
            )
        )
    threshold = number(system.value("admin-lockout-threshold"), 3)
    duration = number(system.value("admin-lockout-duration"), 60)
    if threshold > expect.max_failed_logins:
        found.append(
            Violation(
                "L2-AAA-06",
                f"lockout only after {threshold} failed logins",
                f"set admin-lockout-threshold {expect.max_failed_logins}",
            )
        )
    if duration < expect.lockout_seconds:
        found.append(
            Violation(
                "L2-AAA-06",
                f"lockout lasts {duration} s",
                f"set admin-lockout-duration {expect.lockout_seconds}",
            )
        )
    found += _want(system, "pre-login-banner", "enable", "L2-BANNER-01", "system global", default="disable")
    return found


rule(accounts)


def logging_and_time(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    found = []
    servers = set()
    wanted = LOG_SEVERITIES.index("information") if expect.syslog_level == "informational" else 6
    for block in ("log syslogd", "log syslogd2", "log syslogd3", "log syslogd4"):
        settings = tree.sub(f"{block} setting")
        if settings.value("status") == "enable":
            servers.update(settings.settings.get("server", []))
        severity = tree.sub(f"{block} filter").value("severity", "information")
        if severity in LOG_SEVERITIES and LOG_SEVERITIES.index(severity) < wanted:
            found.append(
                Violation(
                    "L2-LOG-01",
                    f"{block} sends only '{severity}' and worse",
                    f"config {block} filter / set severity information",
                )
            )
    for server in sorted(expect.syslog_servers - servers):
        found.append(Violation("L2-LOG-01", f"no logging to {server}", "config log syslogd setting"))
    found += _want(
        tree.sub("log setting"),
        "fwpolicy-implicit-log",
        "enable",
        "L2-LOG-01",
        "log setting",
        default="disable",
    )
    ntp = tree.sub("system ntp")
    found += _want(ntp, "ntpsync", "enable", "L2-NTP-01", "system ntp")
    found += _want(ntp, "authentication", "enable", "L2-NTP-01", "system ntp")
    configured = set()
    for _, entry in ntp.sub("ntpserver").entries.items():
        if entry.value("authentication") == "enable":
            configured.update(entry.settings.get("server", []))
    for server in sorted(expect.ntp_servers - configured):
        found.append(
            Violation(
                "L2-NTP-01", f"no authenticated NTP server {server}", "config system ntp / config ntpserver"
            )
        )
    if not tree.sub("system global").value("timezone"):
        found.append(Violation("L2-NTP-01", "time zone not set", "set timezone"))
    return found


rule(logging_and_time)


def snmp_and_ha(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    found = [
        Violation("L2-SNMP-01", f"SNMP community {name} configured", "delete it; use SNMPv3")
        for name, community in _entries(tree, "system snmp community")
        if community.value("status", "enable") == "enable"
    ]
    for name, settings in _entries(tree, "system snmp user"):
        if settings.value("status", "enable") == "disable":
            continue
        if settings.value("security-level", "no-auth-no-priv") != "auth-priv":
            found.append(
                Violation("L2-SNMP-01", f"SNMP user {name} is not authPriv", "set security-level auth-priv")
            )
        if settings.value("auth-proto", "sha") == "md5":
            found.append(
                Violation("L2-SNMP-01", f"SNMP user {name} authenticates with MD5", "set auth-proto sha256")
            )
        if settings.value("priv-proto", "aes") == "des":
            found.append(
                Violation("L2-SNMP-01", f"SNMP user {name} encrypts with DES", "set priv-proto aes256")
            )
    if tree.sub("system ha").value("mode", "standalone") not in ("a-p", "a-a"):
        found.append(
            Violation("L2-HA-01", "firewall is not in an HA cluster", "config system ha / set mode a-p")
        )
    install = tree.sub("system auto-install")
    for key in ("auto-install-config", "auto-install-image"):
        found += _want(install, key, "disable", "CIS-FGT-2.1.7", "system auto-install", default="enable")
    return found


rule(snmp_and_ha)


# Wi-Fi rules live in their own module and register on RULES when imported.
from wardnet.checks import rules_fortios_wifi as _wifi  # noqa: E402,F401
