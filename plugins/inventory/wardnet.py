"""Ansible inventory plugin `wardnet`: every ward file is an inventory source, read through wardnet itself.

A thin wrapper: loading, validation and the design (names, management addresses) are wardnet's; this file
only turns wardnet's result into Ansible hosts, groups and variables.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin
from ansible.utils.unsafe_proxy import wrap_var

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # ansible may run with an interpreter where wardnet is not installed
    sys.path.insert(0, str(REPO))

from wardnet import InputError, select_designs  # noqa: E402  (needs the path above)
from wardnet.api import (  # noqa: E402
    BASELINE_FILE,
    SITES_DIR,
    YAML_SUFFIXES,
    AnyDeviceConfig,
    InputProblem,
    Inventory,
    ServerConfig,
    Signature,
    device_host,
    load_partial,
    source_signature,
)

DOCUMENTATION = r"""
name: wardnet
short_description: wardnet ward files (inventories/wards/*.yml) as Ansible inventory
description:
  - Accepts each site file under a C(wards/) folder whose parent holds C(group_vars/all/baseline.yml).
  - The whole inventory folder is loaded and validated by wardnet once per process and cached; each ward
    file then adds its own devices, with names and management addresses from wardnet's design stage.
  - Groups C(site_<code>), C(role_<role>) and C(platform_<platform>); host variables C(ansible_host),
    C(ansible_network_os), C(wardnet_site), C(wardnet_role), C(wardnet_platform).
  - Each site's C(servers) too, in groups C(site_<code>), C(role_server) and C(service_<service>), with
    C(ansible_host), C(wardnet_site), C(wardnet_role), C(wardnet_address) and C(wardnet_services).
  - Every value is marked unsafe, so Ansible never evaluates inventory data as a template.
options:
  structured_config:
    description:
      - Also set C(wardnet_config), the device's full structured config (as C(wardnet show) prints it).
      - Off by default; large (several kB per device).
    type: bool
    default: false
    env:
      - name: WARDNET_STRUCTURED_CONFIG
    ini:
      - section: wardnet_inventory
        key: structured_config
"""

EXAMPLES = r"""
# ansible.cfg: inventory = inventories, inventory_plugins = plugins/inventory, enable_plugins = wardnet
# ansible-inventory --graph
# WARDNET_STRUCTURED_CONFIG=1 ansible-inventory --host hcm-26743-core
"""


@dataclass
class _Loaded:
    """One inventory folder as wardnet sees it, loaded once per process."""

    signature: Signature
    inventory: Inventory | None  # the sites without problems of their own; None when the baseline is bad
    problems: list[InputProblem]
    by_source: dict[Path, str] = field(default_factory=dict)  # ward file → site code
    designs: dict[str, Any] = field(default_factory=dict)  # site code → SiteDesign
    reported: bool = False


_CACHE: dict[Path, _Loaded] = {}


def load(root: Path) -> _Loaded:
    """The validated inventory under root, from the per-process cache when no file changed."""
    root = root.resolve()
    signature = source_signature(root)
    cached = _CACHE.get(root)
    if cached is not None and cached.signature == signature:
        return cached
    inventory, problems = load_partial(root)
    by_source = {e.source.resolve(): code for code, e in inventory.sites.items()} if inventory else {}
    loaded = _Loaded(signature, inventory, problems, by_source)
    _CACHE[root] = loaded
    return loaded


def host_vars(config: AnyDeviceConfig, structured_config: bool = False) -> dict[str, Any]:
    """Ansible variables of one device, every value wrapped unsafe (never templated by Ansible)."""
    try:
        host = device_host(config)
    except ValueError as exc:
        raise AnsibleParserError(str(exc)) from None
    variables: dict[str, Any] = {
        "ansible_host": host.address,
        "ansible_network_os": host.ansible_network_os,
        "wardnet_site": host.site,
        "wardnet_role": host.role,
        "wardnet_platform": host.platform,
    }
    if structured_config:
        variables["wardnet_config"] = config.as_dict()  # Ansible variables are plain data
    return {name: wrap_var(value) for name, value in variables.items()}


def server_vars(server: ServerConfig) -> dict[str, Any]:
    """Ansible variables of one site server, every value wrapped unsafe."""
    variables = {
        "ansible_host": server.address,
        "wardnet_site": server.site.code,
        "wardnet_role": "server",
        "wardnet_address": server.address,
        "wardnet_services": list(server.services),
    }
    return {name: wrap_var(value) for name, value in variables.items()}


class InventoryModule(BaseInventoryPlugin):
    NAME = "wardnet"
    trusted_by_default = False  # inventory data is data: Ansible must never evaluate it as a template

    def verify_file(self, path: str) -> bool:
        """Only site files in a `wards/` folder next to `group_vars/all/baseline.yml`."""
        if not super().verify_file(path):
            return False
        source = Path(path)
        return (
            source.is_file()
            and source.suffix in YAML_SUFFIXES
            and source.parent.name == SITES_DIR.name
            and (source.parent.parent / BASELINE_FILE).is_file()
        )

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        self.set_options()
        source = Path(path).resolve()
        root = source.parent.parent
        loaded = load(root)
        # Each problem is raised for the file it is in: a typo in one ward never fails the others' sources.
        own = [p for p in loaded.problems if Path(p.file).resolve() == source]
        if own or loaded.inventory is None:
            if not own and loaded.reported:
                raise AnsibleParserError(f"wardnet: skipped, the baseline under {root} is invalid (above)")
            loaded.reported = True
            shown = own or loaded.problems
            problems = "\n".join(f"  {problem}" for problem in shown)
            raise AnsibleParserError(f"wardnet: {len(shown)} input problem(s):\n{problems}")
        code = loaded.by_source.get(source)
        if code is None:
            raise AnsibleParserError(f"wardnet: {path} is not a site file of the inventory at {root}")
        design = loaded.designs.get(code)
        if design is None:
            try:
                design = select_designs(loaded.inventory, [code])[0]
            except InputError as exc:
                raise AnsibleParserError(f"wardnet: {exc}") from None
            loaded.designs[code] = design
        self._add_site(code, design.devices, bool(self.get_option("structured_config")))
        self._add_servers(code, design.servers)

    def _add_site(self, code: str, devices: dict[str, AnyDeviceConfig], structured_config: bool) -> None:
        site_group = self.inventory.add_group(f"site_{code}")
        for hostname, config in devices.items():
            self.inventory.add_host(hostname, group=site_group)
            for group in device_host(config).groups[1:]:  # role_<role>, platform_<platform>
                self.inventory.add_child(self.inventory.add_group(group), hostname)
            for name, value in host_vars(config, structured_config).items():
                self.inventory.set_variable(hostname, name, value)

    def _add_servers(self, code: str, servers: dict[str, ServerConfig]) -> None:
        """Site servers (playbooks/servers.yml): groups role_server and service_<service>."""
        site_group = self.inventory.add_group(f"site_{code}")
        for hostname, server in servers.items():
            self.inventory.add_host(hostname, group=site_group)
            groups = ["role_server", *(f"service_{service}" for service in server.services)]
            for group in groups:
                self.inventory.add_child(self.inventory.add_group(group), hostname)
            for name, value in server_vars(server).items():
                self.inventory.set_variable(hostname, name, value)
