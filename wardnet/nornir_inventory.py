"""Nornir inventory from the same files as Ansible's: one ward file edited, both tools see it.

Hosts, groups and addresses come from wardnet's own load + design (wardnet.pipeline.build); this module only
turns them into Nornir objects. Groups match the Ansible inventory plugin (plugins/inventory/wardnet.py):
site_<code>, role_<role>, platform_<platform>.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nornir.core import Nornir
from nornir.core.inventory import Defaults, Group, Groups, Host, Hosts, Inventory, ParentGroups
from nornir.core.plugins.inventory import InventoryPluginRegister
from nornir.init_nornir import InitNornir

from wardnet.hosts import site_hosts
from wardnet.pipeline import build

PLUGIN_NAME = "WardnetInventory"
DEFAULT_INVENTORY = Path("inventories")
# wardnet platform → NAPALM/Netmiko driver name (DESIGN.md, Platforms)


class WardnetInventory:
    """Nornir inventory plugin: `inventory={"plugin": "WardnetInventory", "options": {...}}`."""

    def __init__(
        self, inventory_dir: str | Path = DEFAULT_INVENTORY, sites: list[str] | None = None, **_: Any
    ) -> None:
        self.inventory_dir = Path(inventory_dir)
        self.sites = list(sites) if sites else None

    def load(self) -> Inventory:
        """Read and validate the inventory (wardnet.errors.InputError on any problem), design, convert."""
        _, site_designs = build(self.inventory_dir, self.sites)
        groups = Groups()
        hosts = Hosts()

        def group(name: str, **attributes: Any) -> Group:
            if name not in groups:
                groups[name] = Group(name, **attributes)
            return groups[name]

        for design in site_designs:
            site = design.plan.site
            site_group = group(f"site_{site.code}", data={"site": site.code, "site_name": site.name})
            for host in site_hosts(design):
                driver = host.napalm_driver
                _, role_group, platform_group = host.groups
                parents = [
                    site_group,
                    group(role_group, data={"role": host.role}),
                    group(platform_group, platform=driver, data={"wardnet_platform": host.platform}),
                ]
                hosts[host.name] = Host(
                    name=host.name,
                    hostname=host.address,
                    platform=driver,
                    groups=ParentGroups(parents),
                    data={"site": host.site, "role": host.role, "wardnet_platform": host.platform},
                )
        return Inventory(hosts=hosts, groups=groups, defaults=Defaults())


def register() -> None:
    """Make the plugin known to Nornir under PLUGIN_NAME (idempotent, also after a module reload)."""
    existing = InventoryPluginRegister.available.get(PLUGIN_NAME)
    if existing is WardnetInventory:
        return
    if existing is not None:
        InventoryPluginRegister.deregister(PLUGIN_NAME)
    InventoryPluginRegister.register(PLUGIN_NAME, WardnetInventory)


def init_nornir(inventory_dir: str | Path = DEFAULT_INVENTORY, **options: Any) -> Nornir:
    """InitNornir on the wardnet inventory. Keyword options go to InitNornir (runner, logging, ...);
    `sites` (list of codes) restricts the inventory. Nornir's log file is off unless logging is given."""
    register()
    inventory_options: dict[str, Any] = {"inventory_dir": str(inventory_dir)}
    sites = options.pop("sites", None)
    if sites:
        inventory_options["sites"] = list(sites)
    options.setdefault("logging", {"enabled": False})
    return InitNornir(inventory={"plugin": PLUGIN_NAME, "options": inventory_options}, **options)
