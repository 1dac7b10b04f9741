"""Level-2 rules for FortiOS, on the hier_config tree (config/edit/set blocks) of the configuration."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Network

from hier_config import HConfig, HConfigChild

from wardnet.checks.expect import MAX_FAILED_LOGINS, MAX_IDLE_MINUTES, MIN_PASSWORD_LENGTH, Expect, Violation
from wardnet.checks.parse import fortios_sets
from wardnet.checks.ruleset import RuleSet

RULES: RuleSet[HConfig] = RuleSet()
rule = RULES.rule
MASK = "<<secret:"


def _block(tree: HConfig, name: str) -> HConfigChild | None:
    return tree.get_child(equals=f"config {name}")


def _settings(tree: HConfig, name: str) -> dict[str, list[str]]:
    block = _block(tree, name)
    return fortios_sets(block) if block is not None else {}


def _entries(tree: HConfig, name: str) -> Iterator[tuple[str, dict[str, list[str]]]]:
    block = _block(tree, name)
    for entry in block.get_children(startswith="edit ") if block is not None else []:
        yield entry.text.split(maxsplit=1)[1].strip('"'), fortios_sets(entry)


def _want(settings: dict[str, list[str]], key: str, value: str, rule_id: str, where: str) -> list[Violation]:
    if settings.get(key) != [value]:
        return [
            Violation(
                rule_id,
                f"{where}: {key} is {' '.join(settings.get(key, ['unset']))}",
                f"config {where} / set {key} {value}",
            )
        ]
    return []


@rule
def zones(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    vlans = [name for name, s in _entries(tree, "system interface") if s.get("type") == ["vlan"]]
    membership: dict[str, int] = dict.fromkeys(vlans, 0)
    for _, settings in _entries(tree, "system zone"):
        for member in settings.get("interface", []):
            membership[member] = membership.get(member, 0) + 1
    return [
        Violation("L2-ZONE-01", f"VLAN interface {name} is in {count} zones", "put it in exactly one zone")
        for name, count in sorted(membership.items())
        if count != 1
    ]


@rule
def flows(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = []
    policies = list(_entries(tree, "firewall policy"))
    if (
        not policies
        or policies[-1][1].get("action") != ["deny"]
        or policies[-1][1].get("logtraffic") != ["all"]
    ):
        found.append(
            Violation(
                "L2-FLOW-01",
                "the last policy is not a logged deny",
                "end the policy list with a deny that logs all",
            )
        )
    for name, settings in policies:
        if settings.get("action") != ["accept"]:
            continue
        label = " ".join(settings.get("name", [name]))
        if (
            settings.get("srcaddr") == ["all"]
            and settings.get("dstaddr") == ["all"]
            and settings.get("dstaddr-negate") != ["enable"]
        ):
            found.append(Violation("L2-FLOW-03", f"policy {label} permits any to any", "name the flows"))
        if settings.get("service") == ["ALL"]:
            found.append(
                Violation("L2-FLOW-03", f"policy {label} permits every service", "name the services")
            )
        if settings.get("utm-status") != ["enable"] or not settings.get("ips-sensor"):
            found.append(
                Violation("L2-FLOW-02", f"policy {label} has no IPS", "set utm-status enable, ips-sensor")
            )
        if settings.get("logtraffic") != ["all"]:
            found.append(Violation("L2-FLOW-02", f"policy {label} is not logged", "set logtraffic all"))
    found += _want(
        _settings(tree, "system autoupdate schedule"),
        "status",
        "enable",
        "L2-IPS-01",
        "system autoupdate schedule",
    )
    return found


@rule
def dhcp_dns(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = []
    for name, settings in _entries(tree, "system dhcp server"):
        servers = {v for key, value in settings.items() if key.startswith("dns-server") for v in value}
        if settings.get("dns-service") != ["specify"] or servers != expect.dns_servers:
            found.append(
                Violation(
                    "L2-DNS-01",
                    f"DHCP server {name} hands out {sorted(servers) or 'other DNS'}",
                    "dns-service specify with the city resolvers",
                )
            )
    return found


@rule
def management(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = []
    for name, settings in _entries(tree, "system interface"):
        access = set(settings.get("allowaccess", []))
        if access & {"http", "telnet"}:
            found.append(
                Violation(
                    "L2-MGMT-03",
                    f"interface {name} allows {sorted(access & {'http', 'telnet'})}",
                    "allow only https and ssh, on the management VLAN",
                )
            )
        if access & {"https", "ssh", "snmp"} and settings.get("vlanid") != [str(expect.management_vlan)]:
            found.append(
                Violation(
                    "L2-MGMT-02",
                    f"interface {name} accepts management outside the management VLAN",
                    "set allowaccess ping",
                )
            )
    system = _settings(tree, "system global")
    found += _want(system, "admin-telnet", "disable", "L2-MGMT-03", "system global")
    for name, settings in _entries(tree, "system admin"):
        if settings.get("wildcard") == ["enable"]:
            continue
        hosts = {f"{v[0]}/{v[1]}" for k, v in settings.items() if k.startswith("trusthost") and len(v) == 2}
        networks = {str(IPv4Network(h, strict=False)) for h in hosts}
        if not networks or not networks <= expect.management_sources:
            found.append(
                Violation(
                    "L2-MGMT-02",
                    f"admin {name} may log in from {sorted(networks) or 'anywhere'}",
                    "trusthost = management sources only",
                )
            )
    return found


@rule
def accounts(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = []
    if not list(_entries(tree, "user tacacs+")):
        found.append(Violation("L2-AAA-01", "no TACACS+ server", "config user tacacs+"))
    local = [name for name, s in _entries(tree, "system admin") if s.get("wildcard") != ["enable"]]
    if len(local) != 1:
        found.append(
            Violation("L2-AAA-02", f"{len(local)} local admin accounts", "keep one break-glass account")
        )
    for name, settings in _entries(tree, "system admin"):
        secret = settings.get("password")
        if secret is not None and not (secret[:1] == ["ENC"] or secret[0].startswith(MASK)):
            found.append(
                Violation("L2-AAA-03", f"admin {name} has a clear-text password", "use a secret reference")
            )
    policy = _settings(tree, "system password-policy")
    if (
        policy.get("status") != ["enable"]
        or int(policy.get("minimum-length", ["0"])[0]) < MIN_PASSWORD_LENGTH
    ):
        found.append(
            Violation(
                "L2-AAA-04",
                "password policy below 14 characters",
                f"set minimum-length {MIN_PASSWORD_LENGTH}",
            )
        )
    system = _settings(tree, "system global")
    if int(system.get("admintimeout", ["480"])[0]) > MAX_IDLE_MINUTES:
        found.append(Violation("L2-AAA-05", "admin idle timeout above 10 minutes", "set admintimeout 5"))
    if int(system.get("admin-lockout-threshold", ["99"])[0]) > MAX_FAILED_LOGINS:
        found.append(
            Violation("L2-AAA-06", "no lockout after 5 failed logins", "set admin-lockout-threshold 5")
        )
    found += _want(system, "pre-login-banner", "enable", "L2-BANNER-01", "system global")
    return found


@rule
def logging_and_time(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = []
    servers = set()
    for block in ("log syslogd setting", "log syslogd2 setting", "log syslogd3 setting"):
        settings = _settings(tree, block)
        if settings.get("status") == ["enable"]:
            servers.update(settings.get("server", []))
    for server in sorted(expect.syslog_servers - servers):
        found.append(Violation("L2-LOG-01", f"no logging to {server}", "config log syslogd setting"))
    found += _want(
        _settings(tree, "log setting"), "fwpolicy-implicit-log", "enable", "L2-LOG-01", "log setting"
    )
    ntp = _settings(tree, "system ntp")
    found += _want(ntp, "ntpsync", "enable", "L2-NTP-01", "system ntp")
    found += _want(ntp, "authentication", "enable", "L2-NTP-01", "system ntp")
    ntp_block = _block(tree, "system ntp")
    configured = set()
    if ntp_block is not None:
        inner = ntp_block.get_child(equals="config ntpserver")
        for entry in inner.get_children(startswith="edit ") if inner is not None else []:
            configured.update(fortios_sets(entry).get("server", []))
    for server in sorted(expect.ntp_servers - configured):
        found.append(
            Violation("L2-NTP-01", f"no NTP server {server}", "config system ntp / config ntpserver")
        )
    return found


@rule
def snmp_and_ha(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found = [
        Violation("L2-SNMP-01", f"SNMP community {name} configured", "delete it; use SNMPv3")
        for name, _ in _entries(tree, "system snmp community")
    ]
    for name, settings in _entries(tree, "system snmp user"):
        if settings.get("security-level") != ["auth-priv"]:
            found.append(
                Violation("L2-SNMP-01", f"SNMP user {name} is not authPriv", "set security-level auth-priv")
            )
    ha = _settings(tree, "system ha")
    if ha.get("mode") not in (["a-p"], ["a-a"]):
        found.append(
            Violation("L2-HA-01", "firewall is not in an HA cluster", "config system ha / set mode a-p")
        )
    return found


# Wi-Fi rules live in their own module and register on RULES when imported.
from wardnet.checks import rules_fortios_wifi as _wifi  # noqa: E402,F401
