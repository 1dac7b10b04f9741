"""The figures a site is built to serve, in one place: sessions and the firewall's session limit, and per DHCP
VLAN the peak clients, pool and lease time. `wardnet lab prove` measures against them and `wardnet check`
compares them with the last measurement (wardnet/checks/proven.py)."""

from __future__ import annotations

import math

from wardnet import ipam
from wardnet.design.config import Capacity, PoolCapacity
from wardnet.design.site import SitePlan
from wardnet.models import Baseline


def capacity(plan: SitePlan, baseline: Baseline) -> Capacity:
    sizing = baseline.sizing
    users = plan.site.concurrent_users
    sessions = users * sizing.sessions_per_user
    # The kernel sizes its conntrack hash in powers of two: the limit is the next one up.
    conntrack_max = 1 << math.ceil(math.log2(sessions * sizing.session_headroom))
    return Capacity(
        users=users,
        sessions=sessions,
        conntrack_max=conntrack_max,
        dhcp=[
            PoolCapacity(
                vlan=v.id,
                name=v.name,
                network=ipam.text(v.subnet),
                gateway=ipam.text(v.gateway),
                peak_clients=v.peak_clients,
                pool_needed=v.pool_needed,
                pool_size=v.pool_size,
                pool_start=str(v.pool_start),
                pool_end=str(v.pool_end),
                lease_minutes=v.lease_minutes,
            )
            for v in plan.vlans
            if v.pool_start is not None
        ],
    )
