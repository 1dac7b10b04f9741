"""Perimeter firewall (HA pair): gateway of every VLAN, DHCP, zones, default-deny policy, BGP uplink.

DHCP: the firewall serves each client VLAN's pool itself, unless the site has a server with the dhcp_dns
service (roles/ward_dhcp_dns); then every client VLAN is relayed to it and the pools live on the server.
"""

from __future__ import annotations

from typing import Any

from wardnet.design.capacity import capacity
from wardnet.design.common import device_base
from wardnet.design.policy import expand_policy, used_services, vlan_interface, zone_table
from wardnet.design.site import PlannedDevice, SitePlan
from wardnet.models import Baseline

LAN_AGGREGATE = "core-lag"


def firewall(device: PlannedDevice, plan: SitePlan, baseline: Baseline) -> dict[str, Any]:
    hardware = baseline.models[device.spec.model]
    wan = hardware.wan_ports[0]
    infra = plan.infra
    management = plan.management_vlan
    relay_servers = [s for s in plan.servers if "dhcp_dns" in s.services]
    relay_to = [str(s.address) for s in relay_servers]
    vlan_interfaces = [
        {
            "name": vlan_interface(v.id),
            "vlan": v.id,
            "vlan_name": v.name,
            "zone": v.zone,
            "address": str(v.gateway),
            "prefix": v.subnet.prefixlen,
            "netmask": str(v.subnet.netmask),
            "network": str(v.subnet),
            "management": v.id == management.id,
            "dhcp_relay": relay_to if v.pool_start is not None else [],
            "address6": str(v.gateway6),
            "prefix6": v.subnet6.prefixlen,
            "network6": str(v.subnet6),
            "ra": _router_advert(v.ipv6_mode, [str(s) for s in baseline.services.dns.servers6]),
        }
        for v in plan.vlans
    ]
    dhcp = [
        {
            "interface": vlan_interface(v.id),
            "vlan": v.id,
            "network": str(v.subnet),
            "netmask": str(v.subnet.netmask),
            "gateway": str(v.gateway),
            "start": str(v.pool_start),
            "end": str(v.pool_end),
            "lease_minutes": v.lease_minutes,
            "dns": [str(s) for s in baseline.services.dns.servers],
            "ntp": [str(s) for s in baseline.services.ntp.servers],
        }
        for v in plan.vlans
        if v.pool_start is not None
    ]
    router_id = str(infra.loopbacks.network_address + 1)
    policies = expand_policy(plan, baseline, wan)
    return device_base(device, plan, baseline) | {
        "lan": {"name": LAN_AGGREGATE, "members": list(hardware.lan_ports)},
        "parking_vlan": plan.parking_vlan,
        "wan": {
            "name": wan,
            "address": str(infra.site_side),
            "prefix": infra.transit.prefixlen,
            "netmask": str(infra.transit.netmask),
            "peer": str(infra.city_core_side),
            "address6": str(plan.infra6.site_side),
            "prefix6": plan.infra6.transit.prefixlen,
            "peer6": str(plan.infra6.city_core_side),
        },
        "ha": {
            "enabled": device.spec.members > 1,
            "group": f"hcm-{plan.site.code}",
            "ports": list(hardware.ha_ports),
            "members": device.spec.members,
        },
        "vlan_interfaces": vlan_interfaces,
        "dhcp_pools": dhcp,  # what the site's clients get, whoever serves it
        "dhcp_servers": [] if relay_to else dhcp,  # served by the firewall itself
        # The relay agent where the firewall is no DHCP server (frr: dhcrelay, FortiOS: per interface).
        "dhcp_relay": {
            "servers": relay_to,
            "upstream": sorted({vlan_interface(s.vlan.id) for s in relay_servers}),
            "downstream": [d["interface"] for d in dhcp],
        }
        if relay_to and dhcp
        else None,
        "capacity": capacity(plan, baseline),  # what the site is built to serve (wardnet lab prove)
        "zones": zone_table(plan, baseline, wan),
        "policies": policies,
        "services": used_services(policies),
        "bgp": {
            "asn": plan.asn,
            "router_id": router_id,
            "networks": [str(plan.block)],
            "neighbors": [
                {
                    "address": str(infra.city_core_side),
                    "remote_as": baseline.ip_plan.city_core_asn,
                    "description": "city core",
                }
            ],
            "networks6": [str(plan.block6)],
            "neighbors6": [
                {
                    "address": str(plan.infra6.city_core_side),
                    "remote_as": baseline.ip_plan.city_core_asn,
                    "description": "city core IPv6",
                }
            ],
        },
    }


def _router_advert(mode: str, rdnss: list[str]) -> dict[str, Any] | None:
    """Router advertisements per VLAN: none on static VLANs; SLAAC + RDNSS (RFC 8106), or DHCPv6 (M/O flags,
    prefix without autoconfig) where the ward server runs Kea."""
    if mode == "static":
        return None
    return {"managed": mode == "dhcpv6", "autoconfig": mode == "slaac", "rdnss": rdnss}
