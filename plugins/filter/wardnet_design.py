"""Ansible filter `wardnet_site_design`: what a site's servers need from wardnet's design stage.

A thin wrapper: loading, validation and the design (IP plan, DHCP pools sized from concurrent users) are
wardnet's; this file only picks the server-relevant part of one site's design, so a server role serves
exactly the pools the design sized and the site firewall relays to it.

    {{ wardnet_site | wardnet_site_design }}                      # the repository's inventories/
    {{ '26743' | wardnet_site_design(inventory='/path/to/inventories') }}

Returns a dictionary: `site` (code, name, slug, type), `block` (the site's /20), `block6` (its /48),
`domain`, `dhcp_pools` (the firewall's `dhcp_pools` exactly as `wardnet show` prints them: per VLAN `vlan`,
`interface`, `network`, `netmask`, `gateway`, `start`, `end`, `lease_minutes`, `dns`, `ntp`), `dhcp6_pools`
(the DHCPv6 VLANs' pools: `vlan`, `interface`, `network`, `gateway`, `start`, `end`, `lease_minutes`,
`dns`; empty where every VLAN uses SLAAC) and `vlans` (each routed
VLAN: `vlan`, `vlan_name`, `zone`, `network`, `address` of its gateway, `prefix`) and `servers` (the
site's servers as the design placed them: `hostname`, `name`, `services`, `address`, `prefix`, `gateway`,
`vlan`, ..., and `dhcp_pools`: the pools that server's Kea serves, empty without the dhcp_dns service).
Results are cached per process; a change to the baseline or a ward file reloads it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ansible.errors import AnsibleFilterError

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # ansible may run with an interpreter where wardnet is not installed
    sys.path.insert(0, str(REPO))

from wardnet import InputError  # noqa: E402  (needs the path above)
from wardnet import design_sites as build  # noqa: E402
from wardnet.api import BASELINE_FILE, Signature, source_signature  # noqa: E402

_CACHE: dict[tuple[str, str, Signature], dict[str, Any]] = {}


def site_design(code: Any, inventory: str | None = None) -> dict[str, Any]:
    """The server-relevant part of one site's design (plain, JSON-safe data)."""
    code = str(code)
    root = Path(inventory).resolve() if inventory else REPO / "inventories"
    if not (root / BASELINE_FILE).is_file():
        raise AnsibleFilterError(f"wardnet_site_design: {root} is not a wardnet inventory folder")
    key = (str(root), code, source_signature(root))
    if key in _CACHE:
        return _CACHE[key]
    try:
        _, designs = build(root, [code])
    except InputError as exc:
        raise AnsibleFilterError(f"wardnet_site_design: {exc}") from exc
    if not designs:
        raise AnsibleFilterError(f"wardnet_site_design: no site with code '{code}' in {root}")
    design = designs[0]
    firewall = design.firewall
    pools: dict[int, Any] = {}
    for _, pool in design.served_pools():  # once per VLAN, should two servers run Kea
        pools.setdefault(pool.vlan, pool)
    result = {
        "site": firewall.site.as_dict(),
        "block": str(design.plan.block),
        "block6": str(design.plan.block6),
        "domain": firewall.domain,
        # Whoever serves them (the firewall, or the ward server's Kea): the same objects the design sized
        # and the capacity check (CAP-POOL) reads.
        "dhcp_pools": [pool.as_dict() for pool in pools.values()],
        "dhcp6_pools": [pool.as_dict() for pool in firewall.dhcp6_pools],
        "vlans": [
            {k: v[k] for k in ("vlan", "vlan_name", "zone", "network", "address", "prefix")}
            for v in (i.as_dict() for i in firewall.vlan_interfaces)
        ],
        "servers": [server.as_dict() for server in design.servers.values()],
    }
    _CACHE[key] = result
    return result


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"wardnet_site_design": site_design}
