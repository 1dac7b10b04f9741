"""Level-2 rules for Cisco IOS-XE, on the hier_config tree of the configuration."""

from __future__ import annotations

from ipaddress import IPv4Network

from hier_config import HConfig

from wardnet.checks.expect import MAX_FAILED_LOGINS, MAX_IDLE_MINUTES, MIN_PASSWORD_LENGTH, Expect, Violation
from wardnet.checks.ruleset import RuleSet

RULES: RuleSet[HConfig] = RuleSet()
rule = RULES.rule


def _has(tree: HConfig, text: str) -> bool:
    return tree.get_child(equals=text) is not None


def _missing(tree: HConfig, rule_id: str, lines: list[str]) -> list[Violation]:
    return [
        Violation(rule_id, f"missing '{line}'", f"add '{line}'") for line in lines if not _has(tree, line)
    ]


def _lines(tree: HConfig, prefix: str) -> list[str]:
    return [c.text for c in tree.get_children(startswith=prefix)]


@rule
def management_vlan(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = []
    vlan1 = tree.get_child(equals="interface Vlan1")
    if vlan1 is None or vlan1.get_child(equals="shutdown") is None:
        found.append(Violation("L2-MGMT-01", "interface Vlan1 is not shut down", "shut down interface Vlan1"))
    svi = tree.get_child(equals=f"interface Vlan{expect.management_vlan}")
    if svi is None or svi.get_child(startswith="ip address ") is None:
        found.append(
            Violation(
                "L2-MGMT-01",
                f"no management SVI in VLAN {expect.management_vlan}",
                f"address interface Vlan{expect.management_vlan}",
            )
        )
    return found


@rule
def management_sources(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = []
    for line in tree.get_children(startswith="line vty"):
        classes = [c.text.split()[1] for c in line.get_children(startswith="access-class ")]
        if not classes:
            found.append(
                Violation(
                    "L2-MGMT-02", f"'{line.text}' has no access-class", "add access-class WARDNET-MGMT in"
                )
            )
        for name in classes:
            acl = tree.get_child(equals=f"ip access-list standard {name}")
            if acl is None:
                found.append(Violation("L2-MGMT-02", f"access-class {name} is not defined", f"define {name}"))
                continue
            for entry in acl.children:
                parts = entry.text.split()
                parts = parts[1:] if parts[0].isdigit() else parts  # hier_config numbers ACL entries
                if parts[0] != "permit":
                    continue
                source = _acl_source(parts[1:])
                if source is None or source not in expect.management_sources:
                    found.append(
                        Violation(
                            "L2-MGMT-02",
                            f"{name} permits {source or ' '.join(parts[1:])}, not a management source",
                            "permit only the management sources",
                        )
                    )
    for group in tree.get_children(startswith="snmp-server group "):
        if " access " not in f" {group.text} ":
            found.append(
                Violation("L2-MGMT-02", f"'{group.text}' has no access list", "add access WARDNET-MGMT")
            )
    return found


def _acl_source(words: list[str]) -> str | None:
    """Standard ACL source → 'a.b.c.d/n'; None for 'any' or anything unparseable."""
    if not words or words[0] == "any":
        return None
    if words[0] == "host" and len(words) > 1:
        return f"{words[1]}/32"
    wildcard = words[1] if len(words) > 1 and words[1][0].isdigit() else "0.0.0.0"
    return str(IPv4Network(f"{words[0]}/{wildcard}", strict=False))


@rule
def ssh_only(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-MGMT-03", ["ip ssh version 2", "no ip http server"])
    if _has(tree, "ip http server"):
        found.append(Violation("L2-MGMT-03", "HTTP server enabled", "no ip http server"))
    for line in tree.get_children(startswith="line vty"):
        transports = [c.text for c in line.get_children(startswith="transport input")]
        if transports != ["transport input ssh"]:
            found.append(
                Violation(
                    "L2-MGMT-03",
                    f"'{line.text}' allows {transports or 'default transports'}",
                    "transport input ssh",
                )
            )
    return found


@rule
def aaa(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-AAA-01", ["aaa new-model"])
    logins = _lines(tree, "aaa authentication login default ")
    if not any("group" in line and line.endswith(" local") for line in logins):
        found.append(
            Violation(
                "L2-AAA-01",
                "login does not use TACACS+ with local fallback",
                "aaa authentication login default group WARDNET-TACACS local",
            )
        )
    if not list(tree.get_children(startswith="tacacs server ")):
        found.append(Violation("L2-AAA-01", "no TACACS+ server", "configure the city TACACS+ servers"))
    console = tree.get_child(equals="line con 0")
    if console is None or console.get_child(startswith="login authentication ") is None:
        found.append(Violation("L2-AAA-01", "console login does not use AAA", "login authentication CONSOLE"))
    users = _lines(tree, "username ")
    if len(users) != 1:
        found.append(
            Violation("L2-AAA-02", f"{len(users)} local accounts", "keep exactly one break-glass account")
        )
    return found


@rule
def secrets(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-AAA-03", ["service password-encryption", "password encryption aes"])
    for child in tree.all_children():
        problem = _secret_problem(child.text.split())
        if problem:
            found.append(
                Violation(
                    "L2-AAA-03",
                    f"{problem} in '{child.text.split()[0]} ...'",
                    "use 'secret 9', a type 6 key or a wardnet secret reference",
                )
            )
    length = _lines(tree, "security passwords min-length ")
    if not length or int(length[0].split()[-1]) < MIN_PASSWORD_LENGTH:
        found.append(
            Violation(
                "L2-AAA-04",
                "minimum password length below 14",
                f"security passwords min-length {MIN_PASSWORD_LENGTH}",
            )
        )
    return found


def _secret_problem(parts: list[str]) -> str | None:
    """'password' on username/enable, type 7, or a clear-text value that is not a wardnet secret mask."""
    if parts[:2] == ["password", "encryption"]:
        return None
    if parts[0] in {"username", "enable"} and "password" in parts:
        return "password instead of secret"
    if parts[:2] == ["ntp", "authentication-key"] and len(parts) >= 5:
        # ntp authentication-key ID ALGORITHM VALUE [7]: the type is after the value
        if parts[-1] == "7" and len(parts) >= 6:
            return "type 7 secret"
        return None if parts[4].startswith("<<secret:") or len(parts) >= 6 else "clear-text secret"
    for keyword in ("secret", "key", "password"):
        if keyword not in parts[:-1]:
            continue
        index = parts.index(keyword)
        kind = parts[index + 1]
        value = parts[index + 2] if kind.isdigit() and index + 2 < len(parts) else kind
        if kind == "7":
            return "type 7 secret"
        if (kind == "0" or not kind.isdigit()) and not value.startswith("<<secret:"):
            return "clear-text secret"
    return None


@rule
def sessions(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = []
    for line in tree.get_children(startswith=("line vty", "line con")):
        timeouts = [c.text.split() for c in line.get_children(startswith="exec-timeout ")]
        minutes = (
            int(timeouts[0][1]) + int(timeouts[0][2]) / 60 if timeouts and len(timeouts[0]) > 2 else None
        )
        if minutes is None or minutes == 0 or minutes > MAX_IDLE_MINUTES:
            found.append(
                Violation(
                    "L2-AAA-05", f"'{line.text}' idle timeout is {minutes or 'unset'}", "exec-timeout 5 0"
                )
            )
    blocks = [c.text.split() for c in tree.get_children(startswith="login block-for ")]
    if not blocks or int(blocks[0][4]) > MAX_FAILED_LOGINS:
        found.append(
            Violation(
                "L2-AAA-06", "no lockout after 5 failed logins", "login block-for 900 attempts 5 within 120"
            )
        )
    if tree.get_child(startswith="banner login") is None:
        found.append(Violation("L2-BANNER-01", "no login banner", "add banner login"))
    return found


@rule
def logging(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-LOG-01", ["service timestamps log datetime msec localtime show-timezone"])
    hosts = {c.text.split()[-1] for c in tree.get_children(startswith="logging host ")}
    for server in sorted(expect.syslog_servers - hosts):
        found.append(Violation("L2-LOG-01", f"no logging to {server}", f"logging host {server}"))
    if tree.get_child(startswith="aaa accounting commands 15 ") is None:
        found.append(
            Violation(
                "L2-LOG-01",
                "privileged commands are not accounted",
                "aaa accounting commands 15 default start-stop group WARDNET-TACACS",
            )
        )
    return found


@rule
def ntp(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-NTP-01", ["ntp authenticate"])
    servers = {c.text.split()[2]: c.text for c in tree.get_children(startswith="ntp server ")}
    for server in sorted(expect.ntp_servers):
        if server not in servers or " key " not in servers[server]:
            found.append(
                Violation("L2-NTP-01", f"no authenticated NTP server {server}", f"ntp server {server} key 1")
            )
    zone = [c.text.split() for c in tree.get_children(startswith="clock timezone ")]
    if not zone or zone[0][3] != str(expect.utc_offset_hours):
        found.append(Violation("L2-NTP-01", "time zone is not UTC+7", "clock timezone ICT 7 0"))
    return found


@rule
def snmp(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = [
        Violation("L2-SNMP-01", "SNMP community configured", "remove snmp-server community")
        for _ in tree.get_children(startswith="snmp-server community ")
    ]
    for group in tree.get_children(startswith="snmp-server group "):
        if " v3 priv" not in group.text:
            found.append(Violation("L2-SNMP-01", f"'{group.text}' is not v3 authPriv", "use v3 priv"))
    for host in tree.get_children(startswith="snmp-server host "):
        if "version 3 priv" not in host.text:
            found.append(Violation("L2-SNMP-01", f"'{host.text}' is not v3 authPriv", "version 3 priv"))
    return found


@rule
def services_and_ports(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = _missing(tree, "L2-SVC-01", ["no service pad", "no service config"])
    for interface in tree.get_children(startswith=("interface GigabitEthernet", "interface TwentyFiveGigE")):
        access = interface.get_child(startswith="switchport access vlan ")
        trunk = interface.get_child(equals="switchport mode trunk")
        shut = interface.get_child(equals="shutdown") is not None
        if access is None and trunk is None:
            found.append(
                Violation("L2-SVC-01", f"{interface.text} sits in VLAN 1", "assign a VLAN or park it")
            )
        elif shut and access is not None and access.text.split()[-1] != str(expect.parking_vlan):
            found.append(
                Violation(
                    "L2-SVC-01",
                    f"{interface.text} is shut down outside the parking VLAN",
                    f"switchport access vlan {expect.parking_vlan}",
                )
            )
    return found


@rule
def rogue_devices(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    if role != "access":
        return []
    found = _missing(tree, "L2-ROGUE-01", ["ip dhcp snooping"])
    if tree.get_child(startswith="ip dhcp snooping vlan ") is None:
        found.append(
            Violation("L2-ROGUE-01", "DHCP snooping on no VLAN", "ip dhcp snooping vlan <client VLANs>")
        )
    if tree.get_child(startswith="ip arp inspection vlan ") is None:
        found.append(
            Violation("L2-ROGUE-01", "no dynamic ARP inspection", "ip arp inspection vlan <client VLANs>")
        )
    return found
