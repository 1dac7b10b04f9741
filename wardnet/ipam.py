"""The city IP plan. A site's block is keyed by its official code, so no change elsewhere renumbers it."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from wardnet.models import IpPlan

INFRA_SIZE = 16  # last /28 of each site block: /31 transit to the city core, then loopbacks


class PlanError(ValueError):
    """The plan cannot place something; the message says what to change, field says which input."""

    def __init__(self, message: str, field: str = "concurrent_users") -> None:
        super().__init__(message)
        self.field = field


def site_slot(code: str, plan: IpPlan) -> int:
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
    start = int(plan.supernet.network_address) + site_slot(code, plan) * size
    return IPv4Network((start, plan.site_prefix))


def site_asn(code: str, plan: IpPlan) -> int:
    return plan.site_asn_base + int(code)


def allocate(block: IPv4Network, prefixes: dict[int, int]) -> dict[int, IPv4Network]:
    """Place subnets (key -> prefix length) in block, largest first then by key: aligned, no gaps, stable."""
    cursor = int(block.network_address)
    limit = int(block.broadcast_address) + 1 - INFRA_SIZE
    placed: dict[int, IPv4Network] = {}
    for key, prefix in sorted(prefixes.items(), key=lambda item: (item[1], item[0])):
        size = 2 ** (32 - prefix)
        cursor = -(-cursor // size) * size  # align up
        if cursor + size > limit:
            raise PlanError(
                f"subnets need more than {block} holds (at VLAN {key} /{prefix}); "
                "lower concurrent_users or give sites a shorter ip_plan.site_prefix"
            )
        placed[key] = IPv4Network((cursor, prefix))
        cursor += size
    return placed


@dataclass(frozen=True)
class Infra:
    transit: IPv4Network  # /31 to the city core
    city_core_side: IPv4Address
    site_side: IPv4Address
    loopbacks: IPv4Network


def infra(block: IPv4Network) -> Infra:
    base = int(block.broadcast_address) + 1 - INFRA_SIZE
    transit = IPv4Network((base, 31))
    return Infra(transit, IPv4Address(base), IPv4Address(base + 1), IPv4Network((base + 8, 29)))


def host(subnet: IPv4Network, index: int) -> IPv4Address:
    """The index-th address of subnet (1 = first usable); refuses to leave the subnet."""
    address = subnet.network_address + index
    if address >= subnet.broadcast_address:
        raise PlanError(f"{subnet} has no host number {index}")
    return address
