"""What the server roles (roles/server_baseline, roles/ward_dhcp_dns) need to know about one site server."""

from __future__ import annotations

from wardnet import ipam
from wardnet.design.common import site_identity
from wardnet.design.config import ServerConfig
from wardnet.design.dhcp import SERVICE, client_pools
from wardnet.design.site import PlannedServer, SitePlan
from wardnet.models import Baseline


def server(planned: PlannedServer, plan: SitePlan, baseline: Baseline) -> ServerConfig:
    site = plan.site
    vlan = planned.vlan
    return ServerConfig(
        hostname=planned.hostname,
        name=planned.name,
        role="server",
        services=list(planned.services),
        site=site_identity(site),
        domain=baseline.city.domain,
        address=str(planned.address),
        address6=ipam.text(planned.address6),
        prefix6=vlan.subnet6.prefixlen,
        gateway6=ipam.text(vlan.gateway6),
        prefix=vlan.subnet.prefixlen,
        netmask=str(vlan.subnet.netmask),
        gateway=str(vlan.gateway),
        vlan=vlan.id,
        vlan_name=vlan.name,
        # Kea here serves every client pool; the firewall relays to it (design/firewall.py).
        dhcp_pools=client_pools(plan, baseline) if SERVICE in planned.services else [],
    )
