"""What every device shares: identity, management plane, AAA, time, logging, SNMP, banner."""

from __future__ import annotations

from typing import Any

from wardnet.design.site import PlannedDevice, SitePlan
from wardnet.models import Baseline, SecretRef, Site, slugify

SECRET_MASK = "<<secret:{name}>>"


def secret(ref: SecretRef) -> str:
    """Rendered configs carry a mask, resolved at push time; no secret value ever reaches build/."""
    return SECRET_MASK.format(name=ref.secret)


def site_identity(site: Site) -> dict[str, str]:
    """The site as every device and server config names it."""
    return {"code": site.code, "name": site.name, "slug": site.slug, "type": site.type}


def device_base(device: PlannedDevice, plan: SitePlan, baseline: Baseline) -> dict[str, Any]:
    site = plan.site
    management = plan.management_vlan
    return {
        "hostname": device.hostname,
        "role": device.role,
        "platform": device.platform,
        "model": device.spec.model,
        "members": device.spec.members,
        "site": site_identity(site),
        "location": f"{slugify(site.name)} ({site.code})",
        "domain": baseline.city.domain,
        "timezone": {
            "name": baseline.city.timezone.name,
            "offset_hours": baseline.city.timezone.utc_offset_hours,
        },
        "banner": list(baseline.banner),
        "management": {
            "vlan": management.id,
            "address": str(device.management_address),
            "prefix": management.subnet.prefixlen,
            "netmask": str(management.subnet.netmask),
            "gateway": str(management.gateway),
            "sources": [
                {
                    "cidr": str(n),
                    "network": str(n.network_address),
                    "prefix": n.prefixlen,
                    "netmask": str(n.netmask),
                    "wildcard": str(n.hostmask),
                }
                for n in baseline.management.sources
                if n.version == 4
            ],
            "sources6": [str(n) for n in baseline.management.sources if n.version == 6],
            "address6": str(device.management_address6),
            "prefix6": management.subnet6.prefixlen,
            "gateway6": str(management.gateway6),
            "idle_timeout_minutes": baseline.management.idle_timeout_minutes,
            "ssh_version": baseline.management.ssh_version,
        },
        "aaa": {
            "tacacs": [{"name": s.name, "address": str(s.address)} for s in baseline.aaa.tacacs],
            "tacacs_key": secret(baseline.aaa.tacacs_key),
            "radius": [{"name": s.name, "address": str(s.address)} for s in baseline.aaa.radius],
            "radius_key": secret(baseline.aaa.radius_key),
            "break_glass": {
                "username": baseline.aaa.break_glass.username,
                "secret": secret(baseline.aaa.break_glass.secret),
                "fortios_secret": secret(baseline.aaa.break_glass.fortios_secret),
            },
        },
        "password_policy": baseline.password_policy.model_dump(),
        "ntp": {
            "servers": [str(s) for s in baseline.services.ntp.servers],
            "key_id": baseline.services.ntp.auth_key_id,
            "key": secret(baseline.services.ntp.auth_key),
            "key_algorithm": baseline.services.ntp.key_algorithm,
        },
        "syslog": {
            "servers": [str(s) for s in baseline.services.syslog.servers],
            "level": baseline.services.syslog.level,
        },
        "dns": {
            "servers": [str(s) for s in baseline.services.dns.servers],
            "servers6": [str(s) for s in baseline.services.dns.servers6],
        },
        "snmp": {
            "user": baseline.services.snmp.user,
            "group": baseline.services.snmp.group,
            "auth_key": secret(baseline.services.snmp.auth_key),
            "priv_key": secret(baseline.services.snmp.priv_key),
            "trap_hosts": [str(s) for s in baseline.services.snmp.trap_hosts],
        },
    }
