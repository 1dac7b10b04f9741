"""What the level-2 rules expect, taken from the city baseline (never from the text being checked)."""

from __future__ import annotations

from dataclasses import dataclass

from wardnet.models import Baseline

MAX_IDLE_MINUTES = 10  # the level-2 figure; the baseline itself asks for 5
MAX_FAILED_LOGINS = 5
MIN_PASSWORD_LENGTH = 14


@dataclass(frozen=True)
class Expect:
    management_sources: frozenset[str]  # "10.0.1.0/24"
    syslog_servers: frozenset[str]
    ntp_servers: frozenset[str]
    dns_servers: frozenset[str]
    utc_offset_hours: int
    parking_vlan: int
    management_vlan: int
    # Wi-Fi (rules_fortios_wifi): per SSID of the baseline, (vlan, security, isolation)
    wifi: tuple[tuple[int, str, bool], ...] = ()

    @classmethod
    def from_baseline(cls, baseline: Baseline) -> Expect:
        parking = baseline.parking_vlan.id
        return cls(
            management_sources=frozenset(str(n) for n in baseline.management.sources),
            syslog_servers=frozenset(str(s) for s in baseline.services.syslog.servers),
            ntp_servers=frozenset(str(s) for s in baseline.services.ntp.servers),
            dns_servers=frozenset(str(s) for s in baseline.services.dns.servers),
            utc_offset_hours=baseline.city.timezone.utc_offset_hours,
            parking_vlan=parking,
            management_vlan=baseline.management.vlan,
            wifi=tuple((s.vlan, s.security, s.isolation) for s in baseline.wifi.ssids),
        )


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    fix: str
