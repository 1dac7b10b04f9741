"""Perimeter firewall (HA pair): gateway of every VLAN, DHCP, zones, default-deny policy, BGP uplink.

DHCP: the firewall serves each client VLAN's pool itself, unless the site has a server with the dhcp_dns
service (roles/ward_dhcp_dns); then every client VLAN is relayed to it and the pools live on the server.
"""

from __future__ import annotations

from wardnet import ipam
from wardnet.design.capacity import capacity
from wardnet.design.common import device_base, secret
from wardnet.design.config import (
    ApProfile,
    Bgp,
    BgpNeighbor,
    DhcpRelay,
    FirewallConfig,
    Ha,
    Lan,
    RouterAdvert,
    Ssid,
    VlanInterface,
    Wan,
    Wifi,
    shallow,
)
from wardnet.design.dhcp import client_pools, client_pools6, dhcp_servers
from wardnet.design.policy import expand_policy, used_services, vlan_interface, zone_table
from wardnet.design.site import PlannedDevice, SitePlan
from wardnet.design.switches import AP_ZONE
from wardnet.models import Baseline

LAN_AGGREGATE = "core-lag"


def firewall(device: PlannedDevice, plan: SitePlan, baseline: Baseline) -> FirewallConfig:
    hardware = baseline.models[device.spec.model]
    wan = hardware.wan_ports[0]
    infra = plan.infra
    management = plan.management_vlan
    relay_servers = dhcp_servers(plan)
    relay_to = [str(s.address) for s in relay_servers]
    relay6 = [ipam.text(s.address6) for s in relay_servers]
    rdnss = [str(s) for s in baseline.services.dns.servers6]
    vlan_interfaces = [
        VlanInterface(
            name=vlan_interface(v.id),
            vlan=v.id,
            vlan_name=v.name,
            zone=v.zone,
            address=ipam.text(v.gateway),
            prefix=v.subnet.prefixlen,
            netmask=str(v.subnet.netmask),
            network=ipam.text(v.subnet),
            management=v.id == management.id,
            # issue 17 item 3: the APs' VLAN lets in CAPWAP to the FortiGate itself (allowaccess fabric) and
            # nothing else; zone ap has no forwarding policy, so APs reach nothing beyond the controller.
            ap_management=v.zone == AP_ZONE,
            dhcp_relay=relay_to if v.pool_start is not None else [],
            address6=ipam.text(v.gateway6),
            prefix6=v.subnet6.prefixlen,
            network6=ipam.text(v.subnet6),
            ra=_router_advert(v.ipv6_mode, rdnss),
            dhcp6_relay=relay6 if v.ipv6_mode == "dhcpv6" else [],
        )
        for v in plan.vlans
    ]
    dhcp = client_pools(plan, baseline)
    dhcp6 = client_pools6(plan)
    router_id = str(infra.loopbacks.network_address + 1)
    zones = zone_table(plan, baseline, wan)
    policies = expand_policy(plan, baseline, zones)
    return FirewallConfig(
        **(shallow(device_base(device, plan, baseline)) | {"timezone": hardware.timezone}),
        lan=Lan(name=LAN_AGGREGATE, members=list(hardware.lan_ports)),
        parking_vlan=plan.parking_vlan,
        wan=Wan(
            name=wan,
            address=str(infra.site_side),
            prefix=infra.transit.prefixlen,
            netmask=str(infra.transit.netmask),
            peer=str(infra.city_core_side),
            address6=ipam.text(plan.infra6.site_side),
            prefix6=plan.infra6.transit.prefixlen,
            peer6=ipam.text(plan.infra6.city_core_side),
        ),
        # The factory `fortilink` aggregate may hold the ports the core LAG needs: released first.
        fortilink_release=[p for p in hardware.fortilink_members if p in hardware.lan_ports],
        ha=_ha(device, plan, baseline, [wan, LAN_AGGREGATE], hardware.ha_mgmt_port),
        vlan_interfaces=vlan_interfaces,
        wifi=_wifi(plan, baseline),
        dhcp_pools=dhcp,  # what the site's clients get, whoever serves it
        dhcp_servers=[] if relay_to else dhcp,  # served by the firewall itself
        dhcp6_pools=dhcp6,
        # The relay agent where the firewall is no DHCP server (frr: dhcrelay, FortiOS: per interface).
        dhcp_relay=DhcpRelay(
            servers=relay_to,
            upstream=sorted({vlan_interface(s.vlan.id) for s in relay_servers}),
            downstream=[d.interface for d in dhcp],
            servers6=relay6 if dhcp6 else [],
            downstream6=[d.interface for d in dhcp6],
        )
        if relay_to and dhcp
        else None,
        capacity=capacity(plan, baseline),  # what the site is built to serve (wardnet lab prove)
        zones=zones,
        policies=policies,
        services=used_services(policies),
        bgp=Bgp(
            asn=plan.asn,
            router_id=router_id,
            networks=[str(plan.block)],
            neighbors=[
                BgpNeighbor(
                    address=str(infra.city_core_side),
                    remote_as=baseline.ip_plan.city_core_asn,
                    description="city core",
                )
            ],
            # RFC 7454: announce the site block only; accept the default route and the city's own networks.
            announce=[str(plan.block)],
            accept=["0.0.0.0/0", *_city_prefixes(baseline, 4)],
            announce6=[ipam.text(plan.block6)],
            accept6=["::/0", *_city_prefixes(baseline, 6)],
            password=secret(baseline.city_core_bgp.password),
            max_prefix=baseline.city_core_bgp.max_prefix,
            bfd=baseline.city_core_bgp.bfd,
            graceful_restart=baseline.city_core_bgp.graceful_restart,
            networks6=[ipam.text(plan.block6)],
            neighbors6=[
                BgpNeighbor(
                    address=ipam.text(plan.infra6.city_core_side),
                    remote_as=baseline.ip_plan.city_core_asn,
                    description="city core IPv6",
                )
            ],
        ),
    )


def _ha(
    device: PlannedDevice, plan: SitePlan, baseline: Baseline, monitor: list[str], mgmt_port: str | None
) -> Ha:
    """FGCP a-p: heartbeat on the HA ports, authenticated; the WAN and the core LAG monitored (a dead link
    fails over); sessions picked up; the reserved management port out of band. Priority and the
    management port's address are per member and never synchronised (FortiOS 7.2 Administration Guide,
    "HA cluster configuration synchronization"): the rendered config is the primary's, the secondary gets
    its own at its bring-up."""
    priorities = baseline.firewall_ha.priorities
    return Ha(
        enabled=device.spec.members > 1,
        group=f"hcm-{plan.site.code}",
        ports=list(baseline.models[device.spec.model].ha_ports),
        members=device.spec.members,
        password=secret(baseline.firewall_ha.password),
        priority=priorities[0],
        priorities=priorities[: device.spec.members],
        monitor=monitor,
        mgmt_port=mgmt_port,
    )


def _wifi(plan: SitePlan, baseline: Baseline) -> Wifi:
    """The site's SSIDs (those whose VLAN the site has) and the AP profile of the city's AP model."""
    vlans = {v.id: v for v in plan.vlans}
    ap = baseline.ap_models[baseline.wifi.ap_model]
    ssids = [
        Ssid(
            vap=f"wn-{s.name}",
            ssid=s.ssid,
            vlan=s.vlan,
            zone=vlans[s.vlan].zone,
            interface=vlan_interface(s.vlan),
            security=s.security,
            isolation=s.isolation,
            client_kbps=s.client_kbps,
            client_sessions=s.client_sessions,
            max_clients_per_ap=s.max_clients_per_ap,
            schedule=s.schedule or "always",
        )
        for s in baseline.wifi.ssids
        if s.vlan in vlans
    ]
    return Wifi(
        ssids=ssids,
        profile=ApProfile(name=f"wn-{ap.platform}", platform=ap.platform, bands=list(ap.bands)),
        radius=[s.name for s in baseline.aaa.radius],
    )


def _city_prefixes(baseline: Baseline, version: int) -> list[str]:
    """The city's own networks (remote zones that are lists of prefixes, not the negated internet)."""
    out: list[str] = []
    for _, spec in sorted(baseline.remote_zones.items()):
        if isinstance(spec, list):
            out += [str(n) for n in spec if n.version == version]
    return out


def _router_advert(mode: str, rdnss: list[str]) -> RouterAdvert | None:
    """Router advertisements per VLAN: none on static VLANs; SLAAC + RDNSS (RFC 8106), or DHCPv6 (M/O flags,
    prefix without autoconfig) where the ward server runs Kea."""
    if mode == "static":
        return None
    return RouterAdvert(managed=mode == "dhcpv6", autoconfig=mode == "slaac", rdnss=rdnss)
