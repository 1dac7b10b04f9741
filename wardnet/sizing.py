"""Sizing from concurrent users (../shared/SIZING.md): DHCP pools, wired endpoints, ports, access points."""

from __future__ import annotations

import math
from dataclasses import dataclass

from wardnet.models import Baseline, Vlan

# DHCP pools run from host .10 to the last host: .1 is the gateway, .2-.9 are static infrastructure.
POOL_FIRST_HOST = 10


@dataclass(frozen=True)
class VlanSizing:
    vlan_id: int
    peak_clients: int  # 0 for static VLANs
    pool_needed: int  # peak x headroom
    prefix: int


def pool_capacity(prefix: int) -> int:
    return (1 << (32 - prefix)) - 1 - POOL_FIRST_HOST


def vlan_sizing(vlan: Vlan, users: int, baseline: Baseline) -> VlanSizing:
    """The smallest prefix whose pool covers peak x headroom, never smaller than the VLAN's minimum.

    A static VLAN is its whole place. The result may be larger than the VLAN's place: the plan refuses that
    (see users_that_fit), it never moves the VLAN.
    """
    if vlan.share is None:
        assert vlan.place is not None, "the parking VLAN has no size"
        return VlanSizing(vlan.id, 0, 0, vlan.place.prefixlen)
    peak = math.ceil(users * vlan.share)
    needed = math.ceil(peak * baseline.sizing.headroom)
    prefix = vlan.min_prefix or 24
    while prefix > 8 and pool_capacity(prefix) < needed:
        prefix -= 1
    return VlanSizing(vlan.id, peak, needed, prefix)


def users_that_fit(vlan: Vlan, baseline: Baseline) -> int | None:
    """The largest concurrent_users whose pool still fits the VLAN's place (None: static, any number)."""
    if vlan.share is None or vlan.place is None:
        return None
    low, high = 0, 1_000_000
    while low < high:  # the pool needed grows with users: binary search for the last that fits
        middle = (low + high + 1) // 2
        if vlan_sizing(vlan, middle, baseline).prefix >= vlan.place.prefixlen:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(frozen=True)
class PortDemand:
    wired: dict[int, int]  # vlan id -> wired endpoints at peak
    access_points: int
    spare: float

    @property
    def endpoints(self) -> int:
        return sum(self.wired.values()) + self.access_points

    @property
    def ports_needed(self) -> int:
        return math.ceil(self.endpoints * (1 + self.spare))


def port_demand(users: int, baseline: Baseline) -> PortDemand:
    wired = {v.id: math.ceil(users * v.share) for v in baseline.vlans if v.wired and v.share}
    wifi_clients = sum(users * v.share for v in baseline.vlans if v.wireless and v.share)
    aps = math.ceil(wifi_clients / baseline.sizing.clients_per_ap)
    return PortDemand(wired=wired, access_points=aps, spare=baseline.sizing.port_spare)


def port_weights(baseline: Baseline) -> dict[int | None, float]:
    """Edge ports per concurrent user by category: wired VLAN id, or None for access points."""
    wired = sorted((v for v in baseline.vlans if v.wired and v.share), key=lambda v: v.id)
    weights: dict[int | None, float] = {v.id: v.share for v in wired if v.share}
    wifi_share = sum(v.share for v in baseline.vlans if v.wireless and v.share)
    weights[None] = wifi_share / baseline.sizing.clients_per_ap
    return weights


def access_switches_needed(users: int, baseline: Baseline, model: str) -> int:
    ports = baseline.models[model].ports
    assert ports is not None, f"{model} has no access ports"
    return math.ceil(port_demand(users, baseline).ports_needed / ports.count)
