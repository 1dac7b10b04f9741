"""The structured config: what the design stage decides for one device or server, as typed frozen objects.

Render, checks, deploy, the lab and both inventory plugins read attributes; templates read them as `cfg.x`
(Jinja2 falls back to getattr). Where plain data is needed at a boundary (`wardnet show`, Ansible variables,
JSON) `as_dict()` gives it, keys in field order. Field order is the order `wardnet show` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Literal

from pydantic import BaseModel


def plain(value: Any) -> Any:
    """Plain data (dicts, lists, scalars) of a config object, recursively; keys in field order."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def shallow(value: Any) -> dict[str, Any]:
    """A dataclass's fields as keyword arguments (one level): a base part into a derived config."""
    return {f.name: getattr(value, f.name) for f in fields(value)}


class _Plain:
    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = plain(self)
        return data


# --- what every device shares (design/common.py) -------------------------------------------------------


@dataclass(frozen=True)
class SiteIdentity(_Plain):
    code: str
    name: str
    slug: str
    type: str


@dataclass(frozen=True)
class Timezone(_Plain):
    name: str
    offset_hours: int


@dataclass(frozen=True)
class ManagementSource(_Plain):
    cidr: str
    network: str
    prefix: int
    netmask: str
    wildcard: str


@dataclass(frozen=True)
class Management(_Plain):
    vlan: int
    address: str
    prefix: int
    netmask: str
    gateway: str
    sources: list[ManagementSource]
    sources6: list[str]
    address6: str
    prefix6: int
    gateway6: str
    idle_timeout_minutes: int
    ssh_version: int


@dataclass(frozen=True)
class AaaServer(_Plain):
    name: str
    address: str


@dataclass(frozen=True)
class BreakGlass(_Plain):
    username: str
    secret: str
    fortios_secret: str


@dataclass(frozen=True)
class Aaa(_Plain):
    tacacs: list[AaaServer]
    tacacs_key: str
    radius: list[AaaServer]
    radius_key: str
    break_glass: BreakGlass


@dataclass(frozen=True)
class PasswordPolicy(_Plain):
    min_length: int
    max_failed_logins: int
    lockout_minutes: int
    failed_login_window_seconds: int


@dataclass(frozen=True)
class Ntp(_Plain):
    servers: list[str]
    key_id: int
    key_algorithm: str
    key: str


@dataclass(frozen=True)
class Syslog(_Plain):
    servers: list[str]
    level: str


@dataclass(frozen=True)
class Dns(_Plain):
    servers: list[str]
    servers6: list[str]


@dataclass(frozen=True)
class Snmp(_Plain):
    user: str
    group: str
    auth_key: str
    priv_key: str
    trap_hosts: list[str]


@dataclass(frozen=True)
class DeviceConfig(_Plain):
    """The part every device's config has; FirewallConfig and SwitchConfig add their own."""

    hostname: str
    role: str
    platform: str
    model: str
    members: int
    site: SiteIdentity
    location: str
    domain: str
    # The city's zone on a switch; on the firewall its model's `set timezone` value (FirewallConfig).
    timezone: Timezone | str | None
    banner: list[str]
    management: Management
    aaa: Aaa
    password_policy: PasswordPolicy
    ntp: Ntp
    syslog: Syslog
    dns: Dns
    snmp: Snmp


# --- the firewall (design/firewall.py, design/policy.py, design/capacity.py) ---------------------------


@dataclass(frozen=True)
class Lan(_Plain):
    name: str
    members: list[str]


@dataclass(frozen=True)
class Wan(_Plain):
    name: str
    address: str
    prefix: int
    netmask: str
    peer: str
    address6: str
    prefix6: int
    peer6: str


@dataclass(frozen=True)
class Ha(_Plain):
    enabled: bool
    group: str
    ports: list[str]
    members: int
    password: str
    priority: int
    priorities: list[int]
    monitor: list[str]
    mgmt_port: str | None


@dataclass(frozen=True)
class RouterAdvert(_Plain):
    managed: bool
    autoconfig: bool
    rdnss: list[str]


@dataclass(frozen=True)
class VlanInterface(_Plain):
    name: str
    vlan: int
    vlan_name: str
    zone: str
    address: str
    prefix: int
    netmask: str
    network: str
    management: bool
    # the APs' VLAN lets CAPWAP in to the FortiGate itself (allowaccess fabric) and nothing else
    ap_management: bool
    dhcp_relay: list[str]
    address6: str
    prefix6: int
    network6: str
    ra: RouterAdvert | None
    dhcp6_relay: list[str]  # the ward server's Kea where the VLAN's IPv6 addresses come from DHCPv6


@dataclass(frozen=True)
class Ssid(_Plain):
    vap: str
    ssid: str
    vlan: int
    zone: str
    interface: str
    security: str
    isolation: bool
    client_kbps: int | None
    client_sessions: int | None
    max_clients_per_ap: int
    schedule: str


@dataclass(frozen=True)
class ApProfile(_Plain):
    name: str
    platform: str
    bands: list[str]


@dataclass(frozen=True)
class Wifi(_Plain):
    ssids: list[Ssid]
    profile: ApProfile
    radius: list[str]


@dataclass(frozen=True)
class DhcpPool(_Plain):
    """One VLAN's DHCP pool, as the FortiGate or the ward server's Kea serves it."""

    interface: str
    vlan: int
    network: str
    netmask: str
    gateway: str
    start: str
    end: str
    lease_minutes: int | None
    dns: list[str]
    ntp: list[str]

    @property
    def size(self) -> int:
        from ipaddress import IPv4Address

        return int(IPv4Address(self.end)) - int(IPv4Address(self.start)) + 1


@dataclass(frozen=True)
class Dhcp6Pool(_Plain):
    """One DHCPv6 VLAN's pool, served by the ward server's Kea: the IPv4 pool's host numbers mirrored into
    the /64 as the plan mirrors hosts (host 10 -> ::10), DNS from the site resolver over IPv6."""

    interface: str
    vlan: int
    network: str
    gateway: str
    start: str
    end: str
    lease_minutes: int | None
    dns: list[str]


@dataclass(frozen=True)
class DhcpRelay(_Plain):
    servers: list[str]
    upstream: list[str]
    downstream: list[str]
    # DHCPv6 (issue 23): the ward server's Kea over IPv6 for the VLANs whose RA sets M (frr: dhcrelay -6)
    servers6: list[str]
    downstream6: list[str]


@dataclass(frozen=True)
class PoolCapacity(_Plain):
    vlan: int
    name: str
    network: str
    gateway: str
    peak_clients: int
    pool_needed: int
    pool_size: int
    pool_start: str
    pool_end: str
    lease_minutes: int | None


@dataclass(frozen=True)
class Capacity(_Plain):
    users: int
    sessions: int
    conntrack_max: int
    dhcp: list[PoolCapacity]


@dataclass(frozen=True)
class Zone(_Plain):
    name: str
    local: bool
    interfaces: list[str]
    prefixes: list[str]
    prefixes6: list[str]
    negate: bool


@dataclass(frozen=True)
class ServicePort(_Plain):
    proto: str
    port: int


@dataclass(frozen=True)
class PolicyService(_Plain):
    name: str
    ports: list[ServicePort]


@dataclass(frozen=True)
class Policy(_Plain):
    id: int
    name: str
    rule: str
    src: Zone
    dst: Zone
    services: list[PolicyService]
    action: str
    log: bool
    ips: bool


@dataclass(frozen=True)
class Service(_Plain):
    name: str
    tcp: list[int]
    udp: list[int]


@dataclass(frozen=True)
class BgpNeighbor(_Plain):
    address: str
    remote_as: int
    description: str


@dataclass(frozen=True)
class Bgp(_Plain):
    asn: int
    router_id: str
    networks: list[str]
    neighbors: list[BgpNeighbor]
    announce: list[str]
    accept: list[str]
    announce6: list[str]
    accept6: list[str]
    password: str
    max_prefix: int
    bfd: bool
    graceful_restart: bool
    networks6: list[str]
    neighbors6: list[BgpNeighbor]


@dataclass(frozen=True)
class FirewallConfig(DeviceConfig):
    role: Literal["firewall"]
    lan: Lan
    parking_vlan: int
    wan: Wan
    timezone: str | None  # the model's `set timezone` value (a tz name, or an index on older builds)
    fortilink_release: list[str]
    ha: Ha
    vlan_interfaces: list[VlanInterface]
    wifi: Wifi
    dhcp_pools: list[DhcpPool]  # what the site's clients get, whoever serves it
    dhcp_servers: list[DhcpPool]  # served by the firewall itself
    dhcp6_pools: list[Dhcp6Pool]  # the DHCPv6 VLANs' pools, served by the ward server's Kea
    dhcp_relay: DhcpRelay | None
    capacity: Capacity
    zones: list[Zone]
    policies: list[Policy]
    services: list[Service]
    bgp: Bgp


# --- switches (design/switches.py) ---------------------------------------------------------------------


@dataclass(frozen=True)
class SwitchVlan(_Plain):
    id: int
    name: str


@dataclass(frozen=True)
class TrunkPort(_Plain):
    """An edge port towards an access point: the management VLAN native, the wireless VLANs tagged."""

    name: str
    member: int
    port: int
    mode: Literal["trunk"]
    description: str
    native_vlan: int
    allowed_vlans: list[int]
    shutdown: bool
    arp_rate: int | None
    dhcp_rate: int
    voice_vlan: None = None  # an AP trunk carries no phone
    nac: bool = False


@dataclass(frozen=True)
class AccessPort(_Plain):
    name: str
    member: int
    port: int
    mode: Literal["access"]
    description: str
    vlan: int
    shutdown: bool
    arp_rate: int | None  # None: the IOS default, 15 pps (not printed in the running config)
    dhcp_rate: int
    voice_vlan: int | None = None  # staff ports: the desk phone in the voice VLAN before the PC
    nac: bool = False  # staff ports: 802.1X, MAB fallback


EdgePort = TrunkPort | AccessPort


@dataclass(frozen=True)
class PortChannel(_Plain):
    id: int
    description: str
    members: list[str]
    native_vlan: int
    allowed_vlans: list[int]
    dhcp_trust: bool
    fibre: bool
    stp_guard: str


@dataclass(frozen=True)
class PortGuard(_Plain):
    """DHCP snooping or dynamic ARP inspection: the VLANs policed and the trusted interfaces."""

    vlans: list[int]
    trusted: list[str]


@dataclass(frozen=True)
class Stp(_Plain):
    mode: str
    priority: int
    vlans: list[int]
    errdisable_recovery_seconds: int


@dataclass(frozen=True)
class Nac(_Plain):
    """802.1X with MAB fallback (IBNS 2.0) against the baseline's RADIUS group; see design/switches.py."""

    policy: str
    critical_vlan: int | None
    voice_vlan: int | None
    dead_after_seconds: int
    dead_tries: int
    deadtime_minutes: int
    restart_seconds: int
    tx_period_seconds: int


@dataclass(frozen=True)
class Qos(_Plain):
    """Egress queuing on switch-to-switch links: EF in the strict-priority queue, policed."""

    policy: str
    voice_class: str
    voice_dscp: str
    priority_percent: int


@dataclass(frozen=True)
class SwitchManagement(_Plain):
    vty_ranges: list[tuple[int, int]]
    ssh_ciphers: list[str]


@dataclass(frozen=True)
class SwitchConfig(DeviceConfig):
    """A core or access switch (role says which): both have the same shape."""

    role: Literal["core", "access"]
    timezone: Timezone
    vlans: list[SwitchVlan]
    parking_vlan: int
    edge_ports: list[EdgePort]
    port_channels: list[PortChannel]
    dhcp_snooping: PortGuard
    arp_inspection: PortGuard
    storm_control_percent: int
    stp: Stp
    switch_management: SwitchManagement
    first_hop6: list[int]  # VLANs whose ports are hosts to IPv6 first-hop security; [] = none (core)
    nac: Nac | None  # None on the core: no user port there
    qos: Qos


AnyDeviceConfig = FirewallConfig | SwitchConfig


# --- servers (design/servers.py) -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig(_Plain):
    """What the server roles (roles/server_baseline, roles/ward_dhcp_dns) need about one site server."""

    hostname: str
    name: str
    role: Literal["server"]
    services: list[str]
    site: SiteIdentity
    domain: str
    address: str
    address6: str
    prefix6: int
    gateway6: str
    prefix: int
    netmask: str
    gateway: str
    vlan: int
    vlan_name: str
    # The pools this server's Kea serves (the firewall relays to it): empty without the dhcp_dns service.
    dhcp_pools: list[DhcpPool]
