"""The city IP plan. Every address is keyed by something that never changes under an unrelated edit.

- a site's block by its official code (adding a ward never renumbers another);
- a VLAN's region inside the block by the baseline's fixed `place` for that VLAN id (another VLAN's size
  never moves it; a DHCP VLAN grows in place from the place's first address);
- infrastructure (transit to the city core, loopbacks) by the baseline's `ip_plan.infra_place`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from wardnet.models import IpPlan


class PlanError(ValueError):
    """The plan cannot place something; the message says what to change, field says which input."""

    def __init__(self, message: str, field: str = "concurrent_users") -> None:
        super().__init__(message)
        self.field = field


@lru_cache(maxsize=1 << 14, typed=True)
def text(value: IPv4Address | IPv4Network | IPv6Address | IPv6Network) -> str:
    """str() of an address or network, remembered: a site's design writes each VLAN's subnet and gateway in
    several places, and ipaddress formats an IPv6 address (RFC 5952 zero compression) in ~5 us of Python."""
    return str(value)


def _site_slot(code: str, plan: IpPlan) -> int:
    if code in plan.reserved_slots:
        return plan.reserved_slots[code]
    slot = int(code) - plan.code_base
    slots = 2 ** (plan.site_prefix - plan.supernet.prefixlen)
    if not 0 <= slot < slots:
        raise PlanError(
            f"code {code} maps to slot {slot}, outside the plan's {slots} slots; "
            "change ip_plan.code_base or enlarge ip_plan.supernet",
            field="code",
        )
    return slot


def site_block(code: str, plan: IpPlan) -> IPv4Network:
    size = 2 ** (32 - plan.site_prefix)
    start = int(plan.supernet.network_address) + _site_slot(code, plan) * size
    return IPv4Network((start, plan.site_prefix))


def site_asn(code: str, plan: IpPlan) -> int:
    return plan.site_asn_base + int(code)


def _in_block(block: IPv4Network, place: IPv4Network) -> IPv4Network:
    """A block-relative place (0.0.4.0/23) as a network of this block (10.65.52.0/23)."""
    return IPv4Network((int(block.network_address) + int(place.network_address), place.prefixlen))


def grown_subnet(block: IPv4Network, place: IPv4Network, prefix: int) -> IPv4Network:
    """A /prefix subnet at the first address of its place: a bigger one contains the smaller one."""
    if prefix < place.prefixlen:
        raise ValueError(f"/{prefix} does not fit the place {place}")
    return IPv4Network((int(block.network_address) + int(place.network_address), prefix))


@dataclass(frozen=True)
class Infra:
    transit: IPv4Network  # /31 to the city core
    city_core_side: IPv4Address
    site_side: IPv4Address
    loopbacks: IPv4Network


def infra(block: IPv4Network, plan: IpPlan) -> Infra:
    """First /31 of the infra place: transit (city core side first); its last /29: loopbacks."""
    region = _in_block(block, plan.infra_place)
    base = int(region.network_address)
    transit = IPv4Network((base, 31))
    loopbacks = IPv4Network((int(region.broadcast_address) + 1 - 8, 29))
    return Infra(transit, IPv4Address(base), IPv4Address(base + 1), loopbacks)


def host(subnet: IPv4Network, index: int) -> IPv4Address:
    """The index-th address of subnet (1 = first usable); refuses to leave the subnet."""
    address = subnet.network_address + index
    if address >= subnet.broadcast_address:
        raise PlanError(f"{subnet} has no host number {index}")
    return address


# --- IPv6: the same keys, fixed places in a /48 ---------------------------------------------------------

TRANSIT6_SUBNET = 0xFFFF  # <site>:ffff::/127, city core ::0, site ::1
LOOPBACK6_SUBNET = 0xFFFE  # <site>:fffe::/64, loopback N = ::N


def site_block6(code: str, plan: IpPlan) -> IPv6Network:
    """The site's /48: the same slot as its IPv4 block, so both stacks are keyed by the official code."""
    size = 2 ** (128 - plan.ipv6.site_prefix)
    start = int(plan.ipv6.supernet.network_address) + _site_slot(code, plan) * size
    return IPv6Network((start, plan.ipv6.site_prefix))


def readable(number: int) -> int:
    """A decimal number written as hex digits (VLAN 20 -> 0x20, host 11 -> 0x11): reads the same in IPv6."""
    return int(str(number), 16)


def vlan_subnet6(block6: IPv6Network, vlan_id: int) -> IPv6Network:
    """VLAN N's /64: subnet ID N in hex digits (VLAN 20 -> <site>:20::/64)."""
    return IPv6Network((int(block6.network_address) + (readable(vlan_id) << 64), 64))


def host6(subnet: IPv6Network, index: int) -> IPv6Address:
    """The IPv6 twin of host(): host 11 of 10.65.55.0/26 is ::11 of the VLAN's /64."""
    return subnet.network_address + readable(index)


@dataclass(frozen=True)
class Infra6:
    transit: IPv6Network  # /127 to the city core (RFC 6164)
    city_core_side: IPv6Address
    site_side: IPv6Address
    loopbacks: IPv6Network


def infra6(block6: IPv6Network) -> Infra6:
    base = int(block6.network_address)
    transit = IPv6Network((base + (TRANSIT6_SUBNET << 64), 127))
    loopbacks = IPv6Network((base + (LOOPBACK6_SUBNET << 64), 64))
    return Infra6(transit, transit.network_address, transit.network_address + 1, loopbacks)
