"""What Kea itself recorded: the leases of one prove run, read from its memfile (CSV). Pure.

The memfile appends one row per lease change (Kea ARM, "Memfile - Basic Storage for Leases"); a row's
lease was granted at expire - valid_lifetime. Rows of this run are those granted since it started, for the
MAC addresses it used (wardnet.lab.perfdhcp.mac_base), the last row per client winning.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from ipaddress import IPv4Address

STATE_DEFAULT = "0"  # 1 declined, 2 expired-reclaimed


@dataclass(frozen=True)
class Lease:
    address: IPv4Address
    hwaddr: str
    valid_lifetime: int
    subnet_id: int


def granted(csv_text: str, since: float, mac_prefix: str) -> dict[str, Lease]:
    """Current leases by client MAC: granted at or after `since` (epoch s), MAC starting with mac_prefix."""
    leases: dict[str, Lease] = {}
    for row in csv.DictReader(io.StringIO(csv_text)):
        hwaddr = (row.get("hwaddr") or "").lower()
        if not hwaddr.startswith(mac_prefix.lower()) or row.get("state", STATE_DEFAULT) != STATE_DEFAULT:
            continue
        lifetime = int(row["valid_lifetime"])
        if int(row["expire"]) - lifetime < since:
            continue
        leases[hwaddr] = Lease(IPv4Address(row["address"]), hwaddr, lifetime, int(row["subnet_id"]))
    return leases


def held(csv_text: str, now: float, subnet_id: int, mac_prefix: str) -> int:
    """Addresses of the subnet that other clients (MAC not starting with mac_prefix) hold at `now`: the
    pool an overload run can get is the pool minus these."""
    last: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(csv_text)):
        last[(row.get("hwaddr") or "").lower()] = row
    return sum(
        1
        for hwaddr, row in last.items()
        if not hwaddr.startswith(mac_prefix.lower())
        and int(row["subnet_id"]) == subnet_id
        and row.get("state", STATE_DEFAULT) == STATE_DEFAULT
        and int(row["expire"]) > now
    )
