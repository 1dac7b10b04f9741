"""Core and access switches: VLANs, uplinks, port assignment from the ports needed, edge protection."""

from __future__ import annotations

import math

from wardnet.design.common import baseline_memo, device_base
from wardnet.design.config import (
    AccessPort,
    EdgePort,
    Nac,
    PortChannel,
    PortGuard,
    Qos,
    Stp,
    SwitchConfig,
    SwitchManagement,
    SwitchVlan,
    Timezone,
    TrunkPort,
    shallow,
)
from wardnet.design.site import PlannedDevice, SitePlan
from wardnet.ipam import PlanError
from wardnet.models import Baseline, DeviceSpec, HardwareModel
from wardnet.sizing import port_weights

AP_LABEL = "AP"

# Spanning tree (rapid-PVST+, the Catalyst default: a handful of VLANs, all on one loop-free star of
# port-channels, so MST's fewer instances buy nothing and would add a region to keep equal in 169 sites).
# The core stack is root of every VLAN; a stack is one bridge, so losing a member keeps the root where it
# is, and no other switch can stand in for the core (every path goes through it): the access switches
# are the "secondary" only in name, at the highest priority so none of them ever wins while the core
# lives, and root guard on the core's downlinks refuses a superior BPDU from below.
STP_PRIORITY = {"core": 4096, "access": 61440}
ERRDISABLE_RECOVERY_S = 300  # a port shut by a guard comes back after 5 minutes, and again if still bad
# DAI and DHCP snooping police each untrusted port (IOS default 15 pps ARP): an AP trunk carries every
# client of the AP, so its limits scale with the baseline's clients per AP.
ARP_PPS_PER_CLIENT = 5
DHCP_PPS_PER_CLIENT = 2
USER_PORT_PPS = 15  # one wired client: DHCP limited as IOS limits ARP by default
STORM_CONTROL_PERCENT = 5


# --- issue 17 item 3: AP management VLAN, 802.1X/MAB, voice VLAN, QoS (keys: README "Switch design keys") ---
AP_ZONE = "ap"  # the baseline's AP-MGMT VLAN: native on AP trunks, never the switches' management VLAN
VOICE_ZONE = "voice"
NAC_ZONES = (
    "staff",
)  # wired ports in these zones authenticate: 802.1X first, MAB for what has no supplicant
NAC_POLICY = "WARDNET-DOT1X-MAB"
# IBNS 2.0 (access-session, policy-map type control subscriber), not the legacy `authentication` commands:
# IOS-XE 17.x prints one style or the other and `authentication convert-to new-style` is one-way, so the
# replace file is written in the style the box keeps (Cisco, "IBNS 2.0 at a glance"; "Troubleshoot
# Identity-Based Networking Services 2.0", cisco.com document 200570). RADIUS dead (no answer within
# RADIUS_DEAD_AFTER_S x RADIUS_DEAD_TRIES): ports open into their own staff VLAN (critical VLAN) and voice
# stays up, so a RADIUS outage never stops a ward's counters; the firewall zones still bound what they
# reach. A device 802.1X and MAB both reject gets no VLAN (no auth-fail VLAN) and is retried after a minute.
RADIUS_DEAD_AFTER_S = 10
RADIUS_DEAD_TRIES = 3
RADIUS_DEADTIME_MIN = 15  # a dead server is tried again after this (then aaa-available re-authenticates)
RESTART_AFTER_FAIL_S = 60
DOT1X_TX_PERIOD_S = 10  # EAPOL identity every 10 s (default 30): a printer falls to MAB in ~30 s, not 90
# Egress queuing on the switch-to-switch links: EF (voice) in the strict-priority queue, policed to a third
# of the link so voice can never starve the rest (the usual LLQ ceiling). Ingress DSCP is trusted by default
# on Catalyst 9000 (QoS Configuration Guide, IOS XE 17.9, Catalyst 9300: "Trust Behavior for Wired and
# Wireless Ports"), so phones' and APs' markings reach the queue unchanged; no trust command is rendered.
QOS_POLICY = "WARDNET-EGRESS"
QOS_VOICE_CLASS = "WARDNET-VOICE"
QOS_PRIORITY_PERCENT = 30


def _zone_vlan(plan: SitePlan, zone: str) -> int | None:
    return next((v.id for v in plan.vlans if v.zone == zone), None)


def ap_vlan(plan: SitePlan) -> int:
    """The AP trunks' native VLAN: the AP-MGMT VLAN; the switches' own only where the baseline has none."""
    return _zone_vlan(plan, AP_ZONE) or plan.management_vlan.id


def nac(plan: SitePlan, baseline: Baseline) -> Nac:
    """802.1X with MAB fallback, IBNS 2.0 style, against the baseline's RADIUS group (rendered beside it)."""
    staff = [v.id for v in baseline.vlans if v.wired and v.zone in NAC_ZONES]
    return Nac(
        policy=NAC_POLICY,
        critical_vlan=staff[0] if staff else None,
        voice_vlan=_zone_vlan(plan, VOICE_ZONE),
        dead_after_seconds=RADIUS_DEAD_AFTER_S,
        dead_tries=RADIUS_DEAD_TRIES,
        deadtime_minutes=RADIUS_DEADTIME_MIN,
        restart_seconds=RESTART_AFTER_FAIL_S,
        tx_period_seconds=DOT1X_TX_PERIOD_S,
    )


def qos() -> Qos:
    return Qos(
        policy=QOS_POLICY, voice_class=QOS_VOICE_CLASS, voice_dscp="ef", priority_percent=QOS_PRIORITY_PERCENT
    )


# --- end of issue 17 item 3 constants ---


def vty_ranges(hardware: HardwareModel) -> list[tuple[int, int]]:
    """The vty ranges the box prints (0 4, 5 15, and 16 31 on 17.9): each gets the access-class."""
    fact = hardware.facts.get("vty_lines")
    lines = int(fact.value) if fact and isinstance(fact.value, int) else 16
    return [(a, min(b, lines - 1)) for a, b in ((0, 4), (5, 15), (16, 31)) if a < lines]


def switch_management(hardware: HardwareModel) -> SwitchManagement:
    fact = hardware.facts.get("ssh_ciphers")
    ciphers = [str(c) for c in fact.value] if fact and isinstance(fact.value, list) else ["aes256-ctr"]
    return SwitchManagement(vty_ranges=vty_ranges(hardware), ssh_ciphers=ciphers)


def port_name(hardware: HardwareModel, member: int, port: int) -> str:
    assert hardware.ports is not None
    return hardware.ports.pattern.format(member=member, port=port)


def edge_ports(hardware: HardwareModel, members: int) -> list[tuple[int, int]]:
    """(member, port) of every edge port of a switch or stack, in front-panel order."""
    assert hardware.ports is not None
    return [(m, p) for m in range(1, members + 1) for p in range(1, hardware.ports.count + 1)]


def switch_quota(baseline: Baseline, hardware: HardwareModel, members: int) -> list[str]:
    """Edge-port labels of one switch, in front-panel order: the same for every switch of a model.

    Each category takes its share of the ports per user (port_weights), leaving the baseline's spare shut.
    The layout depends on neither the site's users nor how many switches it lists, so removing acc2 leaves
    acc3 as it was and growing a site only adds switches. Whether the switches together cover the demand is
    the capacity check's question (CAP-PORTS, per category).
    """
    assert hardware.ports is not None
    own = hardware.ports.count * members
    weights = port_weights(baseline)
    total = sum(weights.values()) * (1 + baseline.sizing.port_spare)
    labels = [
        (AP_LABEL if key is None else str(key))
        for key, weight in weights.items()
        for _ in range(math.ceil(own * weight / total - 1e-9))
    ]
    return labels[:own]


def port_plan(plan: SitePlan, baseline: Baseline) -> dict[str, list[EdgePort]]:
    """Edge port assignment for every access switch: its own share of each category, the rest parked."""
    ap_native = ap_vlan(plan)
    voice = _zone_vlan(plan, VOICE_ZONE)
    memo = baseline_memo(baseline)
    result: dict[str, list[EdgePort]] = {}
    for switch in plan.access_switches():
        # The layout depends on the model, the members and the site's few VLAN ids only (switch_quota): built
        # once per baseline and shared, frozen, by every switch alike (4,000 port objects a city, not 40,000).
        key = ("edge ports", switch.spec.model, switch.spec.members, ap_native, voice, plan.parking_vlan)
        ports = memo.get(key)
        if ports is None:
            ports = memo[key] = _switch_ports(baseline, switch.spec, ap_native, voice, plan.parking_vlan)
        result[switch.hostname] = list(ports)
    return result


def _switch_ports(
    baseline: Baseline, spec: DeviceSpec, ap_native: int, voice: int | None, parking: int
) -> tuple[EdgePort, ...]:
    """One access switch's edge ports, in front-panel order."""
    hardware = baseline.models[spec.model]
    wireless = [v.id for v in baseline.vlans if v.wireless]
    slots = edge_ports(hardware, spec.members)
    wanted = switch_quota(baseline, hardware, spec.members)
    ports: list[EdgePort] = []
    for (member, number), label in zip(slots, wanted + [""] * (len(slots) - len(wanted)), strict=True):
        name = port_name(hardware, member, number)
        if label == AP_LABEL:
            ports.append(
                TrunkPort(
                    name=name,
                    member=member,
                    port=number,
                    mode="trunk",
                    description="access point",
                    native_vlan=ap_native,  # issue 17: AP-MGMT, not the switches' management VLAN
                    allowed_vlans=sorted({ap_native, *wireless}),
                    shutdown=False,
                    arp_rate=baseline.sizing.clients_per_ap * ARP_PPS_PER_CLIENT,
                    dhcp_rate=baseline.sizing.clients_per_ap * DHCP_PPS_PER_CLIENT,
                )
            )
        elif label:
            vlan = baseline.vlan(int(label))
            staff = vlan.zone in NAC_ZONES
            ports.append(
                _access_port(
                    name,
                    member,
                    number,
                    description=vlan.name.lower(),
                    vlan=vlan.id,
                    shutdown=False,
                    voice_vlan=voice if staff else None,  # issue 17: the desk phone before the PC
                    nac=staff,  # issue 17: 802.1X, MAB fallback
                )
            )
        else:
            ports.append(
                _access_port(name, member, number, description="unused", vlan=parking, shutdown=True)
            )
    return tuple(ports)


def _access_port(
    name: str,
    member: int,
    number: int,
    *,
    description: str,
    vlan: int,
    shutdown: bool,
    voice_vlan: int | None = None,
    nac: bool = False,
) -> AccessPort:
    return AccessPort(
        name=name,
        member=member,
        port=number,
        mode="access",
        description=description,
        vlan=vlan,
        shutdown=shutdown,
        arp_rate=None,  # the IOS default, 15 pps (not printed in the running config)
        dhcp_rate=USER_PORT_PPS,
        voice_vlan=voice_vlan,
        nac=nac,
    )


def _switch_vlans(plan: SitePlan, baseline: Baseline) -> list[SwitchVlan]:
    used = [SwitchVlan(id=v.id, name=v.name) for v in plan.vlans]
    return [*used, SwitchVlan(id=plan.parking_vlan, name=baseline.vlan(plan.parking_vlan).name)]


def _client_vlans(plan: SitePlan) -> list[int]:
    """VLANs whose clients get DHCP: snooping and ARP inspection protect these."""
    return [v.id for v in plan.vlans if v.pool_start is not None]


def access_switch(
    device: PlannedDevice, plan: SitePlan, baseline: Baseline, ports: list[EdgePort]
) -> SwitchConfig:
    hardware = baseline.models[device.spec.model]
    core = plan.device("core")
    carried = sorted(
        {plan.management_vlan.id}
        | {p.vlan for p in ports if isinstance(p, AccessPort) and not p.shutdown}
        | {p.voice_vlan for p in ports if isinstance(p, AccessPort) and p.voice_vlan and not p.shutdown}
        | {v for p in ports if isinstance(p, TrunkPort) for v in p.allowed_vlans}
    )
    uplink_members = [u.format(member=m) for m in sorted({1, device.spec.members}) for u in hardware.uplinks]
    return _switch(
        device,
        plan,
        baseline,
        edge_ports=ports,
        port_channels=[
            PortChannel(
                id=1,
                description=f"uplink to {core.hostname}",
                members=uplink_members,
                native_vlan=plan.parking_vlan,
                allowed_vlans=carried,
                dhcp_trust=True,
                fibre=True,  # the 10G uplink modules take SFP+ optics: UDLD guards against one-way links
                stp_guard="loop",
            )
        ],
        dhcp_snooping=PortGuard(vlans=_client_vlans(plan), trusted=["Port-channel1"]),
        arp_inspection=PortGuard(vlans=_client_vlans(plan), trusted=["Port-channel1"]),
        storm_control_percent=STORM_CONTROL_PERCENT,
        # IPv6 first-hop security at the edge (RFC 6105 RA guard, DHCPv6 guard, device tracking and source
        # guard): every port of a client VLAN is a host; only the uplink may carry router advertisements
        # and DHCPv6 replies.
        first_hop6=_client_vlans(plan),
        nac=nac(plan, baseline),  # issue 17 item 3
    )


def _switch(
    device: PlannedDevice,
    plan: SitePlan,
    baseline: Baseline,
    *,
    edge_ports: list[EdgePort],
    port_channels: list[PortChannel],
    dhcp_snooping: PortGuard,
    arp_inspection: PortGuard,
    storm_control_percent: int,
    first_hop6: list[int],
    nac: Nac | None,
) -> SwitchConfig:
    """What a core and an access switch share beyond the device base; the role's own parts as given."""
    base = device_base(device, plan, baseline)
    assert isinstance(base.timezone, Timezone)
    return SwitchConfig(
        **shallow(base),
        vlans=_switch_vlans(plan, baseline),
        parking_vlan=plan.parking_vlan,
        edge_ports=edge_ports,
        port_channels=port_channels,
        dhcp_snooping=dhcp_snooping,
        arp_inspection=arp_inspection,
        storm_control_percent=storm_control_percent,
        stp=_stp(device.role, plan),
        switch_management=switch_management(baseline.models[device.spec.model]),
        first_hop6=first_hop6,
        nac=nac,
        qos=qos(),  # issue 17 item 3: egress priority queue on the switch-to-switch members
    )


FIREWALL_CORE_PORTS = 2  # the last ports of each core member: firewall unit 1 on the last, unit 2 before it


def server_core_port(hardware: HardwareModel) -> int:
    """The servers' port on each core member: reserved just below the firewall's, never an access uplink."""
    assert hardware.ports is not None
    return hardware.ports.count - FIREWALL_CORE_PORTS


def core_switch(device: PlannedDevice, plan: SitePlan, baseline: Baseline) -> SwitchConfig:
    hardware = baseline.models[device.spec.model]
    assert hardware.ports is not None
    firewall = plan.device("firewall")
    members = range(1, device.spec.members + 1)
    all_vlans = [v.id for v in plan.vlans]
    channels: list[PortChannel] = []
    server_port = server_core_port(hardware)
    for access in plan.access_switches():
        if access.number >= server_port:
            raise PlanError(
                f"{access.spec.name} would take core port {access.number} of {device.spec.model}, but ports "
                f"{server_port}-{hardware.ports.count} are the servers' and the firewall's; a site on this "
                f"core has at most acc{server_port - 1}",
                field="devices",
            )
        channels.append(
            PortChannel(
                id=access.number,
                description=f"downlink to {access.hostname}",
                members=[port_name(hardware, m, access.number) for m in members],
                native_vlan=plan.parking_vlan,
                allowed_vlans=sorted(v.id for v in plan.vlans if v.zone != "servers"),
                dhcp_trust=False,
                fibre=True,
                stp_guard="root",  # below the root: a superior BPDU from an access switch is refused
            )
        )
    for unit in range(1, firewall.spec.members + 1):
        port = hardware.ports.count - unit + 1
        channels.append(
            PortChannel(
                id=100 + unit,
                description=f"{firewall.hostname} unit {unit}",
                members=[port_name(hardware, m, port) for m in members],
                native_vlan=plan.parking_vlan,
                allowed_vlans=all_vlans,
                dhcp_trust=False,
                fibre=False,  # the firewall's LAN ports: UDLD is Cisco's, a FortiGate does not speak it
                stp_guard="root",
            )
        )
    servers_vlan = next(v.id for v in plan.vlans if v.zone == "servers")
    server_ports: list[EdgePort] = [
        _access_port(
            port_name(hardware, m, server_port),
            m,
            server_port,
            description="local servers",
            vlan=servers_vlan,
            shutdown=False,
        )
        for m in members
    ]
    return _switch(
        device,
        plan,
        baseline,
        edge_ports=server_ports,
        port_channels=channels,
        # Snooping and ARP inspection run at the edge (access switches); the core only carries VLANs.
        dhcp_snooping=PortGuard(vlans=[], trusted=[]),
        arp_inspection=PortGuard(vlans=[], trusted=[]),
        storm_control_percent=0,
        first_hop6=[],  # no client port on the core: the edge guards them
        nac=None,  # issue 17 item 3: no user port on the core
    )


def _stp(role: str, plan: SitePlan) -> Stp:
    return Stp(
        mode="rapid-pvst",
        priority=STP_PRIORITY[role],
        vlans=sorted({v.id for v in plan.vlans} | {plan.parking_vlan}),
        errdisable_recovery_seconds=ERRDISABLE_RECOVERY_S,
    )
