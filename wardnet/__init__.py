"""wardnet: inventory → design → render → check → deploy/audit for the HCMC local-government network.

The public API (pyavd style) is what `__all__` lists here, plus the types these functions take and return
in `wardnet.api` and the platform registry in `wardnet.platforms`; everything else is internal and may
change. Plugins (Ansible, NAPALM drivers) and benchmarks import only these. Names load on first use, so
`import wardnet` stays cheap (the lab's device agent imports it too).

    inventory, designs = wardnet.design_sites(Path("inventories"), ["26743"])
    text = wardnet.render_device(designs[0].devices["hcm-26743-core"])
"""

from __future__ import annotations

import importlib

# Not `from typing import ...`: typing costs the device agent (which imports this package on every `show`)
# more than the rest of its start-up; mypy reads this name as typing's TYPE_CHECKING.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

# name → "module:attribute"
_PUBLIC = {
    "load_inventory": "wardnet.inventory:load_inventory",
    "design_site": "wardnet.design:design_site",
    "design_sites": "wardnet.pipeline:build",
    "select_designs": "wardnet.pipeline:designs",
    "render_device": "wardnet.api:render_device",
    "render_sites": "wardnet.pipeline:render_all",
    "write_rendered": "wardnet.render:write",
    "check": "wardnet.checks.run:check_designs",
    # run_*: `wardnet.deploy` and `wardnet.audit` are the subpackages; a function of the same name would be
    # shadowed by the module as soon as anything imports it.
    "run_deploy": "wardnet.deploy.job:execute",
    "run_audit": "wardnet.audit.job:execute",
    "decommission": "wardnet.systems.decommission:decommission",
    "get_platform": "wardnet.platforms:get_platform",
    "InputError": "wardnet.errors:InputError",
}

__all__ = [
    "InputError",
    "check",
    "decommission",
    "design_site",
    "design_sites",
    "get_platform",
    "load_inventory",
    "render_device",
    "render_sites",
    "run_audit",
    "run_deploy",
    "select_designs",
    "write_rendered",
]


def load(table: dict[str, str], name: str, module: str) -> Any:
    """Resolve a lazily exported name (PEP 562), or raise the AttributeError Python would."""
    if name not in table:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    path, _, attribute = table[name].partition(":")
    return getattr(importlib.import_module(path), attribute)


def __getattr__(name: str) -> Any:
    return load(_PUBLIC, name, __name__)


if TYPE_CHECKING:
    from wardnet.api import render_device
    from wardnet.audit.job import execute as run_audit
    from wardnet.checks.run import check_designs as check
    from wardnet.deploy.job import execute as run_deploy
    from wardnet.design import design_site
    from wardnet.errors import InputError
    from wardnet.inventory import load_inventory
    from wardnet.pipeline import build as design_sites
    from wardnet.pipeline import designs as select_designs
    from wardnet.pipeline import render_all as render_sites
    from wardnet.platforms import get_platform
    from wardnet.render import write as write_rendered
    from wardnet.systems.decommission import decommission
