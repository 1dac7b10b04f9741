"""Core and access switches: VLANs, uplinks, port assignment from the ports needed, edge protection."""

from __future__ import annotations

from typing import Any

from wardnet.design.common import device_base
from wardnet.design.site import PlannedDevice, SitePlan
from wardnet.ipam import PlanError
from wardnet.models import Baseline, HardwareModel

AP_LABEL = "AP"


def port_name(hardware: HardwareModel, member: int, port: int) -> str:
    assert hardware.ports is not None
    return hardware.ports.pattern.format(member=member, port=port)


def edge_ports(hardware: HardwareModel, members: int) -> list[tuple[int, int]]:
    """(member, port) of every edge port of a switch or stack, in front-panel order."""
    assert hardware.ports is not None
    return [(m, p) for m in range(1, members + 1) for p in range(1, hardware.ports.count + 1)]


def _split(total: int, parts: int) -> list[int]:
    """Spread total over parts as evenly as possible, earlier parts taking the remainder."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def port_plan(plan: SitePlan, baseline: Baseline) -> dict[str, list[dict[str, Any]]]:
    """Edge port assignment for every access switch: each category spread evenly, the rest parked."""
    switches = plan.access_switches()
    categories: list[tuple[str, int]] = [(str(vid), n) for vid, n in sorted(plan.demand.wired.items())]
    categories.append((AP_LABEL, plan.demand.access_points))
    shares = {label: _split(count, len(switches)) for label, count in categories}
    wireless = [v.id for v in baseline.vlans if v.wireless]
    result: dict[str, list[dict[str, Any]]] = {}
    for position, switch in enumerate(switches):
        hardware = baseline.models[switch.spec.model]
        slots = edge_ports(hardware, switch.spec.members)
        wanted = [label for label, _ in categories for _ in range(shares[label][position])]
        # Endpoints that do not fit are left out here and reported by the capacity check (CAP-PORTS).
        wanted = wanted[: len(slots)]
        ports = []
        for (member, number), label in zip(slots, wanted + [""] * (len(slots) - len(wanted)), strict=True):
            port: dict[str, Any] = {
                "name": port_name(hardware, member, number),
                "member": member,
                "port": number,
            }
            if label == AP_LABEL:
                port |= {
                    "mode": "trunk",
                    "description": "access point",
                    "native_vlan": plan.management_vlan.id,
                    "allowed_vlans": [plan.management_vlan.id, *wireless],
                    "shutdown": False,
                }
            elif label:
                vlan = baseline.vlan(int(label))
                port |= {
                    "mode": "access",
                    "description": vlan.name.lower(),
                    "vlan": vlan.id,
                    "shutdown": False,
                }
            else:
                port |= {
                    "mode": "access",
                    "description": "unused",
                    "vlan": plan.parking_vlan,
                    "shutdown": True,
                }
            ports.append(port)
        result[switch.hostname] = ports
    return result


def _switch_vlans(plan: SitePlan, baseline: Baseline) -> list[dict[str, Any]]:
    used = [{"id": v.id, "name": v.name} for v in plan.vlans]
    return [*used, {"id": plan.parking_vlan, "name": baseline.vlan(plan.parking_vlan).name}]


def _client_vlans(plan: SitePlan) -> list[int]:
    """VLANs whose clients get DHCP: snooping and ARP inspection protect these."""
    return [v.id for v in plan.vlans if v.pool_start is not None]


def access_switch(
    device: PlannedDevice, plan: SitePlan, baseline: Baseline, ports: list[dict[str, Any]]
) -> dict[str, Any]:
    hardware = baseline.models[device.spec.model]
    core = plan.device("core")
    carried = sorted(
        {plan.management_vlan.id}
        | {p["vlan"] for p in ports if p["mode"] == "access" and not p["shutdown"]}
        | {v for p in ports if p["mode"] == "trunk" for v in p["allowed_vlans"]}
    )
    uplink_members = [u.format(member=m) for m in sorted({1, device.spec.members}) for u in hardware.uplinks]
    return device_base(device, plan, baseline) | {
        "vlans": _switch_vlans(plan, baseline),
        "parking_vlan": plan.parking_vlan,
        "edge_ports": ports,
        "port_channels": [
            {
                "id": 1,
                "description": f"uplink to {core.hostname}",
                "members": uplink_members,
                "native_vlan": plan.parking_vlan,
                "allowed_vlans": carried,
                "dhcp_trust": True,
            }
        ],
        "dhcp_snooping": {"vlans": _client_vlans(plan), "trusted": ["Port-channel1"]},
        "arp_inspection": {"vlans": _client_vlans(plan), "trusted": ["Port-channel1"]},
        "storm_control_percent": 5,
    }


def core_switch(device: PlannedDevice, plan: SitePlan, baseline: Baseline) -> dict[str, Any]:
    hardware = baseline.models[device.spec.model]
    assert hardware.ports is not None
    firewall = plan.device("firewall")
    members = range(1, device.spec.members + 1)
    all_vlans = [v.id for v in plan.vlans]
    channels = []
    for number, access in enumerate(plan.access_switches(), start=1):
        channels.append(
            {
                "id": number,
                "description": f"downlink to {access.hostname}",
                "members": [port_name(hardware, m, number) for m in members],
                "native_vlan": plan.parking_vlan,
                "allowed_vlans": sorted(v.id for v in plan.vlans if v.zone != "servers"),
                "dhcp_trust": False,
            }
        )
    for unit in range(1, firewall.spec.members + 1):
        port = hardware.ports.count - unit + 1
        channels.append(
            {
                "id": 100 + unit,
                "description": f"{firewall.hostname} unit {unit}",
                "members": [port_name(hardware, m, port) for m in members],
                "native_vlan": plan.parking_vlan,
                "allowed_vlans": all_vlans,
                "dhcp_trust": False,
            }
        )
    if len(plan.access_switches()) + firewall.spec.members > hardware.ports.count:
        raise PlanError(f"{device.hostname} ({device.spec.model}) has too few ports for the site's switches")
    server_ports = [
        {
            "name": port_name(hardware, m, len(plan.access_switches()) + 1),
            "member": m,
            "port": len(plan.access_switches()) + 1,
            "mode": "access",
            "description": "local servers",
            "vlan": next(v.id for v in plan.vlans if v.zone == "servers"),
            "shutdown": False,
        }
        for m in members
    ]
    return device_base(device, plan, baseline) | {
        "vlans": _switch_vlans(plan, baseline),
        "parking_vlan": plan.parking_vlan,
        "edge_ports": server_ports,
        "port_channels": channels,
        # Snooping and ARP inspection run at the edge (access switches); the core only carries VLANs.
        "dhcp_snooping": {"vlans": [], "trusted": []},
        "arp_inspection": {"vlans": [], "trusted": []},
        "storm_control_percent": 0,
    }
