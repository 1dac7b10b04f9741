"""The lab topology of a site, derived from its white-box twin design: nodes, cables, endpoints. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Interface, IPv4Network
from typing import Any

from wardnet.design import SiteDesign
from wardnet.design.config import AccessPort, AnyDeviceConfig, TrunkPort
from wardnet.models import Baseline

DEFAULT_PREFIX = "wn-"
ENDPOINT_HOST = 9  # below the DHCP pool (it starts at .10): a fixed, never-leased address
CITY = "city"
CITY_CORE_NAME = "hcm-city-core"
AP_UPLINK = "uplink"


@dataclass(frozen=True)
class Node:
    name: str
    kind: str  # device | endpoint | ap (an ovs bridge at the edge: access point, desk phone) | city
    role: str  # firewall, core, access, endpoint, access-point, phone, city-core
    namespace: str
    platform: str  # frr (device, city), linux (endpoint), ovs (access point)
    site: str | None = None
    management: str | None = None  # device management address (sshd listens here)
    ports: tuple[str, ...] = ()  # every front-panel interface the node has
    address: str | None = None  # endpoint: address/prefix
    gateway: str | None = None  # endpoint: default gateway
    vlan: int | None = None


@dataclass(frozen=True)
class Cable:
    a_namespace: str
    a_port: str
    b_namespace: str
    b_port: str


@dataclass(frozen=True)
class Uplink:
    """A site firewall's WAN link to the shared city core, and its eBGP session."""

    site: str
    city_port: str
    city_address: str  # address/prefix on the city side
    site_address: str
    site_asn: int
    city_address6: str = ""  # address/prefix on the city side of the IPv6 transit
    site_address6: str = ""


@dataclass
class LabSite:
    code: str
    namespaces_prefix: str
    nodes: list[Node] = field(default_factory=list)
    cables: list[Cable] = field(default_factory=list)
    uplink: Uplink | None = None
    # the ovs bridges at the edge, by node name: uplink trunk + one access port per VLAN behind it
    bridges: dict[str, dict[str, Any]] = field(default_factory=dict)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    @property
    def devices(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == "device"]

    @property
    def spare_namespace(self) -> str:
        """Holds the far ends of unplugged front-panel ports, so every port exists on its device."""
        return f"{self.namespaces_prefix}{self.code}-spare"


def site_namespace_prefix(prefix: str, code: str) -> str:
    return f"{prefix}{code}-"


def city_namespace(prefix: str) -> str:
    return f"{prefix}{CITY}"


def _short(hostname: str, code: str) -> str:
    return hostname.removeprefix(f"hcm-{code}-")


def front_panel(config: AnyDeviceConfig, baseline: Baseline) -> tuple[str, ...]:
    hardware = baseline.models[config.model]
    names = list(hardware.lan_ports) + list(hardware.wan_ports) + list(hardware.ha_ports)
    if hardware.ports is not None:
        names += [hardware.ports.pattern.format(member=1, port=p) for p in range(1, hardware.ports.count + 1)]
    names += [u.format(member=1) for u in hardware.uplinks]
    return tuple(names)


def build(design: SiteDesign, baseline: Baseline, prefix: str = DEFAULT_PREFIX) -> LabSite:
    code = design.plan.site.code
    ns = site_namespace_prefix(prefix, code)
    lab = LabSite(code=code, namespaces_prefix=prefix)
    devices = design.devices
    for hostname, config in devices.items():
        lab.nodes.append(
            Node(
                name=hostname,
                kind="device",
                role=config.role,
                namespace=ns + _short(hostname, code),
                platform=config.platform,
                site=code,
                management=config.management.address,
                ports=front_panel(config, baseline),
            )
        )
    by_name = {n.name: n for n in lab.nodes}
    firewall = design.firewall
    core = design.core
    accesses = design.access_switches
    fw_ns, core_ns = by_name[firewall.hostname].namespace, by_name[core.hostname].namespace

    # firewall LAN ↔ the core's firewall-facing channels (101, 102, ...), member by member
    core_to_fw = [m for ch in core.port_channels if ch.id > 100 for m in ch.members]
    for fw_port, core_port in zip(firewall.lan.members, core_to_fw, strict=False):
        lab.cables.append(Cable(fw_ns, fw_port, core_ns, core_port))
    # core downlink n ↔ access switch n's uplink
    downlinks = [ch for ch in core.port_channels if ch.id <= 100]
    for channel, access in zip(downlinks, accesses, strict=True):
        access_ns = by_name[access.hostname].namespace
        for core_port, access_port in zip(channel.members, access.port_channels[0].members, strict=False):
            lab.cables.append(Cable(core_ns, core_port, access_ns, access_port))

    interfaces = {i.vlan: i for i in firewall.vlan_interfaces}

    def endpoint(vlan: int, switch_ns: str, switch_port: str, via: str = "eth0") -> None:
        interface = interfaces[vlan]
        network = IPv4Network(interface.network)
        label = interface.vlan_name.lower()
        node = Node(
            name=f"hcm-{code}-ep-{label}",
            kind="endpoint",
            role="endpoint",
            namespace=f"{ns}ep-{label}",
            platform="linux",
            site=code,
            address=str(IPv4Interface(f"{network.network_address + ENDPOINT_HOST}/{network.prefixlen}")),
            gateway=interface.address,
            vlan=vlan,
            ports=(via,),
        )
        lab.nodes.append(node)
        lab.cables.append(Cable(switch_ns, switch_port, node.namespace, via))

    # one wired endpoint per access VLAN in use, on the first port of that VLAN
    placed: set[int] = set()
    for access in accesses:
        access_ns = by_name[access.hostname].namespace
        for port in access.edge_ports:
            if isinstance(port, AccessPort) and not port.shutdown and port.vlan not in placed:
                placed.add(port.vlan)
                endpoint(port.vlan, access_ns, port.name)
    # the local server VLAN on the core
    for port in core.edge_ports:
        if isinstance(port, AccessPort) and port.vlan not in placed:
            placed.add(port.vlan)
            endpoint(port.vlan, core_ns, port.name)
    # an access point on the first AP trunk: its own management (the native VLAN, AP-MGMT) and one SSID
    # port (and endpoint) per wireless VLAN
    ap_port = next(
        ((a, p) for a in accesses for p in a.edge_ports if isinstance(p, TrunkPort) and not p.shutdown),
        None,
    )
    if ap_port is not None:
        access, port = ap_port
        ssids = [v for v in port.allowed_vlans if v != port.native_vlan]
        behind = [(f"mgmt{port.native_vlan}", port.native_vlan)] + [(f"wlan{v}", v) for v in ssids]
        _bridge(
            lab,
            "ap1",
            role="access-point",
            cabled_to=(by_name[access.hostname].namespace, port.name),
            port=port,
            behind=behind,
        )
        for name, vlan in behind:
            endpoint(vlan, f"{ns}ap1", name)
    # a desk phone on a staff port with a voice VLAN that no endpoint uses yet: the phone's own switch
    # passes the PC's frames untagged and tags its own with the voice VLAN, as the switch port expects
    phone_port = next(
        (
            (a, p)
            for a in accesses
            for p in a.edge_ports
            if isinstance(p, AccessPort)
            and not p.shutdown
            and p.voice_vlan
            and p.voice_vlan not in placed
            and p.name not in {c.a_port for c in lab.cables if c.a_namespace == by_name[a.hostname].namespace}
        ),
        None,
    )
    if phone_port is not None:
        access, port = phone_port
        assert port.voice_vlan is not None
        placed.add(port.voice_vlan)
        behind = [(f"voice{port.voice_vlan}", port.voice_vlan)]
        _bridge(
            lab,
            "phone1",
            role="phone",
            cabled_to=(by_name[access.hostname].namespace, port.name),
            port=port,
            behind=behind,
        )
        endpoint(port.voice_vlan, f"{ns}phone1", behind[0][0])

    wan = firewall.wan
    lab.uplink = Uplink(
        site=code,
        city_port=f"s{code}",
        city_address=f"{wan.peer}/{wan.prefix}",
        site_address=wan.address,
        site_asn=firewall.bgp.asn,
        city_address6=f"{wan.peer6}/{wan.prefix6}",
        site_address6=wan.address6,
    )
    lab.cables.append(Cable(fw_ns, wan.name, city_namespace(prefix), lab.uplink.city_port))
    return lab


def _bridge(
    lab: LabSite,
    short: str,
    *,
    role: str,
    cabled_to: tuple[str, str],
    port: AccessPort | TrunkPort,
    behind: list[tuple[str, int]],
) -> None:
    """An ovs bridge at the edge (access point, desk phone), cabled to a switch port: its uplink carries
    what that port carries (native VLAN untagged, the others tagged), one access port per VLAN behind it."""
    if isinstance(port, TrunkPort):
        native, trunks = port.native_vlan, list(port.allowed_vlans)
    else:
        native, trunks = port.vlan, sorted({port.vlan, *([port.voice_vlan] if port.voice_vlan else [])})
    node = Node(
        name=f"hcm-{lab.code}-{short}",
        kind="ap",
        role=role,
        namespace=f"{site_namespace_prefix(lab.namespaces_prefix, lab.code)}{short}",
        platform="ovs",
        site=lab.code,
    )
    lab.nodes.append(node)
    lab.cables.append(Cable(*cabled_to, node.namespace, AP_UPLINK))
    lab.bridges[node.name] = {
        "uplink": {"name": AP_UPLINK, "trunks": trunks, "native": native},
        "ports": [{"name": name, "vlan": vlan} for name, vlan in behind],
    }


def spare_ports(lab: LabSite) -> list[tuple[str, str, str]]:
    """(device namespace, port, far-end name) for every front-panel port that no cable uses."""
    cabled = {(c.a_namespace, c.a_port) for c in lab.cables} | {(c.b_namespace, c.b_port) for c in lab.cables}
    spare = []
    for node in lab.devices:
        short = node.namespace.removeprefix(site_namespace_prefix(lab.namespaces_prefix, lab.code))
        for port in node.ports:
            if (node.namespace, port) not in cabled:
                spare.append((node.namespace, port, f"{short}-{port}"[:15]))
    return spare


def city_config(baseline: Baseline, uplinks: list[Uplink]) -> dict[str, Any]:
    """The shared city core: one address per city-level zone on lo, eBGP to every site firewall in the lab."""
    zones = []
    for name, zone in sorted(baseline.remote_zones.items()):
        if isinstance(zone, list):
            for prefix in zone:
                zones.append(
                    {
                        "zone": name,
                        "prefix": str(prefix),
                        "address": f"{prefix.network_address + 1}",
                        "length": prefix.prefixlen,
                        "version": prefix.version,
                    }
                )
    return {
        "hostname": CITY_CORE_NAME,
        "asn": baseline.ip_plan.city_core_asn,
        "router_id": next((z["address"] for z in zones if z["version"] == 4), "10.0.0.1"),
        "zones": [z for z in zones if z["version"] == 4],
        "zones6": [z for z in zones if z["version"] == 6],
        "uplinks": [
            {
                "port": u.city_port,
                "address": u.city_address,
                "peer": u.site_address,
                "address6": u.city_address6,
                "peer6": u.site_address6,
                "asn": u.site_asn,
                "site": u.site,
            }
            for u in sorted(uplinks, key=lambda u: u.site)
        ],
    }
