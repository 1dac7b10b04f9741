"""Nornir inventory from the same files as Ansible's: one ward file edited, both tools see it.

Hosts, groups and addresses come from wardnet's own load + design (wardnet.pipeline.build); this module only
turns them into Nornir objects. Groups match the Ansible inventory plugin (plugins/inventory/wardnet.py):
site_<code>, role_<role>, platform_<platform>. Deploy and audit run through this same plugin
(`nornir_for`), handing it the targets they already designed, so each host also carries data["target"].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nornir.core import Nornir
from nornir.core.inventory import Defaults, Group, Groups, Host, Hosts, Inventory, ParentGroups
from nornir.core.plugins.inventory import InventoryPluginRegister
from nornir.core.processor import Processor
from nornir.init_nornir import InitNornir

from wardnet import hosts as wardnet_hosts
from wardnet.pipeline import build

if TYPE_CHECKING:
    from wardnet.deploy.targets import Target

PLUGIN_NAME = "WardnetInventory"
DEFAULT_INVENTORY = Path("inventories")
_NO_LOG_FILE = {"enabled": False}  # Nornir's default writes ./nornir.log: wardnet reports on its own


class WardnetInventory:
    """Nornir inventory plugin: `inventory={"plugin": "WardnetInventory", "options": {...}}`.

    Options: `inventory_dir` and `sites` (load + design those files), or `targets` (deploy/audit targets
    already designed: no second load + design pass; each host's data["target"] is its target)."""

    def __init__(
        self,
        inventory_dir: str | Path = DEFAULT_INVENTORY,
        sites: list[str] | None = None,
        targets: Sequence[Target] | None = None,
        **_: Any,
    ) -> None:
        self.inventory_dir = Path(inventory_dir)
        self.sites = list(sites) if sites else None
        self.targets = list(targets) if targets is not None else None

    def load(self) -> Inventory:
        """Read and validate the inventory (wardnet.errors.InputError on any problem), design, convert."""
        if self.targets is not None:
            return _inventory(
                (_target_host(t), t.driver, {"target": t}, {"site": t.site}) for t in self.targets
            )
        _, site_designs = build(self.inventory_dir, self.sites)
        return _inventory(
            (host, host.napalm_driver, {}, {"site": site.code, "site_name": site.name})
            for design in site_designs
            for site in [design.plan.site]
            for host in wardnet_hosts.site_hosts(design)
        )


def _target_host(target: Target) -> wardnet_hosts.Host:
    """A target as the shared host model; its address is what the driver connects to (a lab alias too)."""
    return wardnet_hosts.Host(target.name, target.site, target.role, target.platform, target.host)


def _inventory(
    entries: Iterable[tuple[wardnet_hosts.Host, str, dict[str, Any], dict[str, Any]]],
) -> Inventory:
    """Nornir hosts and their site_/role_/platform_ groups; entries are (host, NAPALM driver name, extra host
    data, site group data)."""
    groups = Groups()
    hosts = Hosts()

    def group(name: str, **attributes: Any) -> Group:
        if name not in groups:
            groups[name] = Group(name, **attributes)
        return groups[name]

    for host, driver, extra, site_data in entries:
        site_group, role_group, platform_group = host.groups
        parents = [
            group(site_group, data=site_data),
            group(role_group, data={"role": host.role}),
            group(platform_group, platform=driver, data={"wardnet_platform": host.platform}),
        ]
        hosts[host.name] = Host(
            name=host.name,
            hostname=host.address,
            platform=driver,
            groups=ParentGroups(parents),
            data={"site": host.site, "role": host.role, "wardnet_platform": host.platform, **extra},
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
    options.setdefault("logging", dict(_NO_LOG_FILE))
    return InitNornir(inventory={"plugin": PLUGIN_NAME, "options": inventory_options}, **options)


def nornir_for(targets: Sequence[Target], workers: int, processors: Sequence[Processor] = ()) -> Nornir:
    """Deploy's and audit's Nornir: the registered plugin over already-designed targets, Nornir's threaded
    runner with `workers` threads, the given processors, no log file."""
    register()
    nornir = InitNornir(
        inventory={"plugin": PLUGIN_NAME, "options": {"targets": list(targets)}},
        runner={"plugin": "threaded", "options": {"num_workers": workers}},
        logging=dict(_NO_LOG_FILE),
    )
    return nornir.with_processors(list(processors)) if processors else nornir
