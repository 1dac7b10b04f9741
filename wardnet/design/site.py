"""Site-level decisions: address plan, VLAN subnets, DHCP pools, device and server names and addresses."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from wardnet import ipam
from wardnet.ipam import PlanError
from wardnet.models import Baseline, DeviceSpec, Site, Vlan
from wardnet.sizing import POOL_FIRST_HOST, PortDemand, port_demand, users_that_fit, vlan_sizing

FIREWALL_HOST = 1  # the firewall is the gateway (.1) of every VLAN: all inter-zone traffic crosses it
CORE_HOST = 2
FIRST_ACCESS_HOST = 11
FIRST_SERVER_HOST = 10  # srvN is host 9 + N of the servers VLAN: removing srv1 never renumbers srv2
SERVERS_ZONE = "servers"


@dataclass(frozen=True)
class PlannedVlan:
    id: int
    name: str
    zone: str
    purpose: str
    subnet: IPv4Network
    gateway: IPv4Address
    peak_clients: int
    pool_needed: int
    pool_start: IPv4Address | None
    pool_end: IPv4Address | None
    lease_minutes: int | None
    subnet6: IPv6Network
    gateway6: IPv6Address
    ipv6_mode: str  # static | slaac | dhcpv6

    @property
    def pool_size(self) -> int:
        if self.pool_start is None or self.pool_end is None:
            return 0
        return int(self.pool_end) - int(self.pool_start) + 1


@dataclass(frozen=True)
class PlannedDevice:
    hostname: str
    role: str
    platform: str
    spec: DeviceSpec
    number: int  # from the identity: N of accN, 1 for fw and core
    management_address: IPv4Address
    management_address6: IPv6Address


@dataclass(frozen=True)
class PlannedServer:
    hostname: str
    name: str
    services: tuple[str, ...]
    vlan: PlannedVlan
    address: IPv4Address
    address6: IPv6Address


@dataclass(frozen=True)
class SitePlan:
    site: Site
    block: IPv4Network
    asn: int
    infra: ipam.Infra
    block6: IPv6Network
    infra6: ipam.Infra6
    vlans: list[PlannedVlan]  # by VLAN id, parking VLAN excluded
    parking_vlan: int
    management_vlan: PlannedVlan
    devices: list[PlannedDevice]
    servers: list[PlannedServer]
    demand: PortDemand

    def vlans_in_zone(self, zone: str) -> list[PlannedVlan]:
        return [v for v in self.vlans if v.zone == zone]

    @property
    def zones(self) -> list[str]:
        return sorted({v.zone for v in self.vlans})

    def device(self, role: str) -> PlannedDevice:
        return next(d for d in self.devices if d.role == role)

    def access_switches(self) -> list[PlannedDevice]:
        return [d for d in self.devices if d.role == "access"]


def hostname(code: str, name: str) -> str:
    return f"hcm-{code}-{name}"


def management_host(spec: DeviceSpec) -> int:
    """Host number in the management VLAN, from the device's identity (never its place in the list)."""
    return {"firewall": FIREWALL_HOST, "core": CORE_HOST}.get(spec.role, FIRST_ACCESS_HOST + spec.number - 1)


def _ipv6_mode(vlan: Vlan, site: Site) -> str:
    """dhcpv6 only where the site has a server to run it; SLAAC otherwise (every client supports it)."""
    if vlan.share is None:
        return "static"
    serves = any("dhcp_dns" in s.services for s in site.servers)
    return vlan.ipv6 if vlan.ipv6 == "slaac" or serves else "slaac"


def plan_vlans(site: Site, block: IPv4Network, block6: IPv6Network, baseline: Baseline) -> list[PlannedVlan]:
    """Each VLAN at its fixed place; a DHCP VLAN refused (never moved) when it outgrows it."""
    vlans = []
    too_small = []
    for vlan in sorted((v for v in baseline.vlans if v.place is not None), key=lambda v: v.id):
        assert vlan.place is not None
        sizing = vlan_sizing(vlan, site.concurrent_users, baseline)
        if sizing.prefix < vlan.place.prefixlen:
            too_small.append((vlan, sizing.prefix))
            continue
        subnet = ipam.grown_subnet(block, vlan.place, sizing.prefix)
        subnet6 = ipam.vlan_subnet6(block6, vlan.id)
        dhcp = vlan.share is not None
        vlans.append(
            PlannedVlan(
                id=vlan.id,
                name=vlan.name,
                zone=vlan.zone,
                purpose=vlan.purpose,
                subnet=subnet,
                gateway=ipam.host(subnet, FIREWALL_HOST),
                peak_clients=sizing.peak_clients,
                pool_needed=sizing.pool_needed,
                pool_start=ipam.host(subnet, POOL_FIRST_HOST) if dhcp else None,
                pool_end=subnet.broadcast_address - 1 if dhcp else None,
                lease_minutes=vlan.lease_minutes,
                subnet6=subnet6,
                gateway6=ipam.host6(subnet6, FIREWALL_HOST),
                ipv6_mode=_ipv6_mode(vlan, site),
            )
        )
    if too_small:
        fits = min(u for v in baseline.vlans if (u := users_that_fit(v, baseline)) is not None)
        outgrown = ", ".join(
            f"VLAN {v.id} {v.name} needs a /{p}, its place {v.place} holds a /{v.place.prefixlen}"
            for v, p in too_small
            if v.place is not None
        )
        raise PlanError(
            f"{site.concurrent_users} users outgrow the plan ({outgrown}); the largest concurrent_users "
            f"the plan holds is {fits}. Set concurrent_users: {fits}, or give the VLAN a larger place in the "
            "baseline (that renumbers the VLAN in every site)"
        )
    return vlans


def device_platform(site: Site, baseline: Baseline, role: str) -> str:
    """The platform a device of this role at this site runs: the site's own choice, else the city's."""
    return str(getattr(site.platforms or baseline.platforms, role))


def plan_site(site: Site, baseline: Baseline) -> SitePlan:
    block = ipam.site_block(site.code, baseline.ip_plan)
    block6 = ipam.site_block6(site.code, baseline.ip_plan)
    parking = baseline.parking_vlan.id
    vlans = plan_vlans(site, block, block6, baseline)
    management = next(v for v in vlans if v.id == baseline.management.vlan)
    devices = [
        PlannedDevice(
            hostname=hostname(site.code, spec.name),
            role=spec.role,
            platform=device_platform(site, baseline, spec.role),
            spec=spec,
            number=spec.number,
            management_address=ipam.host(management.subnet, management_host(spec)),
            management_address6=ipam.host6(management.subnet6, management_host(spec)),
        )
        for role in ("firewall", "core", "access")
        for spec in sorted((d for d in site.devices if d.role == role), key=lambda d: d.number)
    ]
    return SitePlan(
        site=site,
        servers=plan_servers(site, vlans),
        block=block,
        asn=ipam.site_asn(site.code, baseline.ip_plan),
        infra=ipam.infra(block, baseline.ip_plan),
        block6=block6,
        infra6=ipam.infra6(block6),
        vlans=vlans,
        parking_vlan=parking,
        management_vlan=management,
        devices=devices,
        demand=port_demand(site.concurrent_users, baseline),
    )


def plan_servers(site: Site, vlans: list[PlannedVlan]) -> list[PlannedServer]:
    if not site.servers:
        return []
    vlan = next((v for v in vlans if v.zone == SERVERS_ZONE and v.pool_start is None), None)
    if vlan is None:
        raise PlanError(
            f"the baseline has no static VLAN in zone '{SERVERS_ZONE}' for the site's servers; "
            "add one to the baseline's vlans",
            field="servers",
        )
    servers = []
    for index, spec in enumerate(site.servers):
        number = int(spec.name.removeprefix("srv"))
        host_number = FIRST_SERVER_HOST + number - 1
        if number < 1 or host_number >= vlan.subnet.num_addresses - 1:
            raise PlanError(
                f"{spec.name} would be host {host_number} of {vlan.name} {vlan.subnet}, which has "
                f"{vlan.subnet.num_addresses - 2} hosts; number servers from srv1",
                field=f"servers.{index}.name",
            )
        servers.append(
            PlannedServer(
                hostname=f"hcm-{site.code}-{spec.name}",
                name=spec.name,
                services=tuple(spec.services),
                vlan=vlan,
                address=ipam.host(vlan.subnet, host_number),
                address6=ipam.host6(vlan.subnet6, host_number),
            )
        )
    return servers
