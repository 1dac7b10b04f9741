"""What the level-2 rules expect, taken from the city baseline (never from the text being checked).

Every figure a rule compares against (idle timeout, lockout attempts/window/duration, password length, log
level) is the baseline's: TCVN 14423:2026 suggests figures, the city chooses them in baseline.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network

from wardnet.design.switches import NAC_ZONES
from wardnet.models import Baseline

SYSLOG_LEVELS = (
    "emergencies",
    "alerts",
    "critical",
    "errors",
    "warnings",
    "notifications",
    "informational",
    "debugging",
)

Network = IPv4Network | IPv6Network


@dataclass(frozen=True)
class Expect:
    management_sources: frozenset[str]  # "10.0.1.0/24", "2001:db8:0:1::/64"
    syslog_servers: frozenset[str]
    ntp_servers: frozenset[str]
    dns_servers: frozenset[str]
    utc_offset_hours: int
    parking_vlan: int
    management_vlan: int
    idle_minutes: int = 5
    max_failed_logins: int = 5
    lockout_seconds: int = 900
    failed_login_window_seconds: int = 120
    min_password_length: int = 14
    syslog_level: str = "informational"
    city_supernet: str = (
        "10.0.0.0/8"  # internal space: a negated address that still reaches it is not "internet"
    )
    city_supernet6: str = "2001:db8::/32"  # the same for IPv6 (ip_plan.ipv6.supernet)
    # Wi-Fi (rules_fortios_wifi): per SSID of the baseline, (vlan, security, isolation)
    wifi: tuple[tuple[int, str, bool], ...] = ()
    # wired VLANs whose access ports authenticate (802.1X, MAB fallback; rules_ios L2-NAC-01, issue 17)
    nac_vlans: frozenset[int] = frozenset()
    # servers (rules_server L2-SRV-01/02): shadow's inactive days; scanner packages or the documented absence
    inactive_account_days: int = 45
    anti_malware_scanners: frozenset[str] = frozenset()
    anti_malware_absence: str = ""

    @classmethod
    def from_baseline(cls, baseline: Baseline) -> Expect:
        policy = baseline.password_policy
        return cls(
            management_sources=frozenset(str(n) for n in baseline.management.sources),
            syslog_servers=frozenset(str(s) for s in baseline.services.syslog.servers),
            ntp_servers=frozenset(str(s) for s in baseline.services.ntp.servers),
            dns_servers=frozenset(str(s) for s in baseline.services.dns.servers),
            utc_offset_hours=baseline.city.timezone.utc_offset_hours,
            parking_vlan=baseline.parking_vlan.id,
            management_vlan=baseline.management.vlan,
            idle_minutes=baseline.management.idle_timeout_minutes,
            max_failed_logins=policy.max_failed_logins,
            lockout_seconds=policy.lockout_minutes * 60,
            failed_login_window_seconds=policy.failed_login_window_seconds,
            min_password_length=policy.min_length,
            syslog_level=baseline.services.syslog.level,
            city_supernet=str(baseline.ip_plan.supernet),
            city_supernet6=str(baseline.ip_plan.ipv6.supernet),
            wifi=tuple((s.vlan, s.security, s.isolation) for s in baseline.wifi.ssids),
            nac_vlans=frozenset(v.id for v in baseline.vlans if v.wired and v.zone in NAC_ZONES),
            inactive_account_days=baseline.server_policy.inactive_account_days,
            anti_malware_scanners=frozenset(baseline.server_policy.anti_malware.scanners),
            anti_malware_absence=baseline.server_policy.anti_malware.absence or "",
        )

    def managed_from(self, network: Network) -> bool:
        """True when every address of `network` is inside one of the management sources."""
        return any(
            network.version == source.version and network.subnet_of(source)  # type: ignore[arg-type]
            for source in self._sources
        )

    @cached_property
    def _sources(self) -> tuple[Network, ...]:
        """The management sources parsed once (every vty, SNMP and HTTP ACL of the city asks)."""
        return tuple(ip_network(s) for s in sorted(self.management_sources))


def number(text: str, default: int) -> int:
    """A figure as the device wrote it; anything unreadable counts as the default (rules never crash on a
    pulled running config)."""
    return int(text) if text.isdigit() else default


@lru_cache(maxsize=65_536)  # the city's configs name the same prefixes thousands of times; immutable
def network(text: str, fallback: str = "0.0.0.0/0") -> Network:
    """An address/prefix/address-mask; unreadable counts as `fallback` (anywhere, the cautious reading)."""
    try:
        return ip_network(text, strict=False)
    except ValueError:
        return ip_network(fallback)


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    fix: str
