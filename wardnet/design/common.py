"""What every device shares: identity, management plane, AAA, time, logging, SNMP, banner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wardnet import ipam
from wardnet.design.config import (
    Aaa,
    AaaServer,
    BreakGlass,
    DeviceConfig,
    Dns,
    Management,
    ManagementSource,
    Ntp,
    PasswordPolicy,
    SiteIdentity,
    Snmp,
    Syslog,
    Timezone,
)
from wardnet.design.site import PlannedDevice, SitePlan
from wardnet.models import Baseline, SecretRef, Site, slugify

SECRET_MASK = "<<secret:{name}>>"


def secret(ref: SecretRef) -> str:
    """Rendered configs carry a mask, resolved at push time; no secret value ever reaches build/."""
    return SECRET_MASK.format(name=ref.secret)


def site_identity(site: Site) -> SiteIdentity:
    """The site as every device and server config names it."""
    return SiteIdentity(code=site.code, name=site.name, slug=site.slug, type=site.type)


def device_base(device: PlannedDevice, plan: SitePlan, baseline: Baseline) -> DeviceConfig:
    """The part every device's config shares; each kind's config extends it (config.shallow)."""
    site = plan.site
    management = plan.management_vlan
    city = _city_parts(baseline)
    return DeviceConfig(
        hostname=device.hostname,
        role=device.role,
        platform=device.platform,
        model=device.spec.model,
        members=device.spec.members,
        site=site_identity(site),
        location=f"{slugify(site.name)} ({site.code})",
        domain=baseline.city.domain,
        timezone=city.timezone,
        banner=list(baseline.banner),
        management=Management(
            vlan=management.id,
            address=str(device.management_address),
            prefix=management.subnet.prefixlen,
            netmask=str(management.subnet.netmask),
            gateway=str(management.gateway),
            sources=list(city.sources),
            sources6=list(city.sources6),
            address6=ipam.text(device.management_address6),
            prefix6=management.subnet6.prefixlen,
            gateway6=ipam.text(management.gateway6),
            idle_timeout_minutes=baseline.management.idle_timeout_minutes,
            ssh_version=baseline.management.ssh_version,
        ),
        aaa=city.aaa,
        password_policy=city.password_policy,
        ntp=city.ntp,
        syslog=city.syslog,
        dns=city.dns,
        snmp=city.snmp,
    )


@dataclass(frozen=True)
class _CityParts:
    """What device_base takes from the baseline alone: built once per baseline, not for each of the city's
    1,129 devices (formatting its addresses was a fifth of designing the city). Frozen parts, shared."""

    timezone: Timezone
    sources: tuple[ManagementSource, ...]
    sources6: tuple[str, ...]
    aaa: Aaa
    password_policy: PasswordPolicy
    ntp: Ntp
    syslog: Syslog
    dns: Dns
    snmp: Snmp


_MEMO: dict[int, tuple[Baseline, dict[Any, Any]]] = {}  # id(baseline) → (the baseline, its memo); see below


def baseline_memo(baseline: Baseline) -> dict[Any, Any]:
    """A cache of what the design derives from the baseline alone, shared by the city's 169 sites (the
    baseline is a frozen model). The object itself is kept, so its id is not reused; one baseline at a time
    (a run has one; tests build many)."""
    kept = _MEMO.get(id(baseline))
    if kept is not None and kept[0] is baseline:
        return kept[1]
    _MEMO.clear()
    memo: dict[Any, Any] = {}
    _MEMO[id(baseline)] = (baseline, memo)
    return memo


def _city_parts(baseline: Baseline) -> _CityParts:
    memo = baseline_memo(baseline)
    parts: _CityParts | None = memo.get(_CityParts)
    if parts is None:
        parts = memo[_CityParts] = _build_city_parts(baseline)
    return parts


def _build_city_parts(baseline: Baseline) -> _CityParts:
    services = baseline.services
    aaa = baseline.aaa
    return _CityParts(
        timezone=Timezone(
            name=baseline.city.timezone.name, offset_hours=baseline.city.timezone.utc_offset_hours
        ),
        sources=tuple(
            ManagementSource(
                cidr=str(n),
                network=str(n.network_address),
                prefix=n.prefixlen,
                netmask=str(n.netmask),
                wildcard=str(n.hostmask),
            )
            for n in baseline.management.sources
            if n.version == 4
        ),
        sources6=tuple(str(n) for n in baseline.management.sources if n.version == 6),
        aaa=Aaa(
            tacacs=[AaaServer(name=s.name, address=str(s.address)) for s in aaa.tacacs],
            tacacs_key=secret(aaa.tacacs_key),
            radius=[AaaServer(name=s.name, address=str(s.address)) for s in aaa.radius],
            radius_key=secret(aaa.radius_key),
            break_glass=BreakGlass(
                username=aaa.break_glass.username,
                secret=secret(aaa.break_glass.secret),
                fortios_secret=secret(aaa.break_glass.fortios_secret),
            ),
        ),
        password_policy=PasswordPolicy(**baseline.password_policy.model_dump()),
        ntp=Ntp(
            servers=[str(s) for s in services.ntp.servers],
            key_id=services.ntp.auth_key_id,
            key_algorithm=services.ntp.key_algorithm,  # one value city-wide, every platform
            key=secret(services.ntp.auth_key),
        ),
        syslog=Syslog(servers=[str(s) for s in services.syslog.servers], level=services.syslog.level),
        dns=Dns(
            servers=[str(s) for s in services.dns.servers],
            servers6=[str(s) for s in services.dns.servers6],
        ),
        snmp=Snmp(
            user=services.snmp.user,
            group=services.snmp.group,
            auth_key=secret(services.snmp.auth_key),
            priv_key=secret(services.snmp.priv_key),
            trap_hosts=[str(s) for s in services.snmp.trap_hosts],
        ),
    )
