"""The site's client DHCP pools, one per DHCP VLAN: the firewall serves them, or the ward server's Kea does
(roles/ward_dhcp_dns) and the firewall relays to it. One list, so both read the same pools."""

from __future__ import annotations

from wardnet import ipam
from wardnet.design.config import Dhcp6Pool, DhcpPool
from wardnet.design.policy import vlan_interface
from wardnet.design.site import PlannedServer, SitePlan
from wardnet.models import Baseline

SERVICE = "dhcp_dns"  # the server service that runs Kea and unbound for the site's clients


def dhcp_servers(plan: SitePlan) -> list[PlannedServer]:
    """The site's servers that serve DHCP (and DNS): the firewall relays every client VLAN to them."""
    return [s for s in plan.servers if SERVICE in s.services]


def client_pools(plan: SitePlan, baseline: Baseline) -> list[DhcpPool]:
    # The ward server's unbound answers the site's clients (policy: clients-to-site-dns).
    resolvers = [str(s.address) for s in dhcp_servers(plan)]
    return [
        DhcpPool(
            interface=vlan_interface(v.id),
            vlan=v.id,
            network=ipam.text(v.subnet),
            netmask=str(v.subnet.netmask),
            gateway=ipam.text(v.gateway),
            start=str(v.pool_start),
            end=str(v.pool_end),
            lease_minutes=v.lease_minutes,
            dns=resolvers or [str(s) for s in baseline.services.dns.servers],
            ntp=[str(s) for s in baseline.services.ntp.servers],
        )
        for v in plan.vlans
        if v.pool_start is not None
    ]


def client_pools6(plan: SitePlan) -> list[Dhcp6Pool]:
    """The DHCPv6 VLANs' pools (router advertisements set M): only where a ward server runs Kea."""
    servers = dhcp_servers(plan)
    return [
        Dhcp6Pool(
            interface=vlan_interface(v.id),
            vlan=v.id,
            network=ipam.text(v.subnet6),
            gateway=ipam.text(v.gateway6),
            start=str(ipam.host6(v.subnet6, int(v.pool_start) - int(v.subnet.network_address))),
            end=str(ipam.host6(v.subnet6, int(v.pool_end) - int(v.subnet.network_address))),
            lease_minutes=v.lease_minutes,
            dns=[ipam.text(s.address6) for s in servers],
        )
        for v in plan.vlans
        if v.ipv6_mode == "dhcpv6" and v.pool_start is not None and v.pool_end is not None and servers
    ]
