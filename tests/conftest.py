"""Shared fixtures: the committed inventory, and throw-away copies of it to break on purpose."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from wardnet.inventory import Inventory, load_inventory

# No per-example deadline: Hypothesis's default 200 ms is a wall-clock assertion, and a loaded 2-core runner
# failed an IP-plan property on it (1,036 ms, then 0.89 ms on the retry). Tests never assert timings.
settings.register_profile("wardnet", deadline=None)
# `make mutation` runs the tests once per mutant: find a failing example, never spend time shrinking it.
settings.register_profile(
    "mutation",
    parent=settings.get_profile("wardnet"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    max_examples=25,
)
settings.load_profile(os.environ.get("WARDNET_HYPOTHESIS_PROFILE", "wardnet"))

REPO = Path(__file__).resolve().parent.parent
INVENTORY = REPO / "inventories"
BEN_THANH = "26743"


# `make mutation` forks a pytest per mutant from a process that already ran the tests once. For a module the
# loader does not run (all but the IP plan: it places each site's block), scripts/mutation.py sets
# WARDNET_KEEP_INVENTORY and every mutant reuses that load instead of paying 0.4 s of CPU for its own.
_KEPT: list[Inventory] = []


@pytest.fixture(scope="session")
def inventory() -> Inventory:
    if not os.environ.get("WARDNET_KEEP_INVENTORY"):
        return load_inventory(INVENTORY)
    if not _KEPT:
        _KEPT.append(load_inventory(INVENTORY))
    return _KEPT[0]


@pytest.fixture
def inventory_copy(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the inventory holding the baseline and only the given sites (all when none given)."""

    def make(*codes: str) -> Path:
        root = tmp_path / "inventories"
        shutil.copytree(INVENTORY / "group_vars", root / "group_vars")
        (root / "wards").mkdir(parents=True)
        for path in sorted((INVENTORY / "wards").glob("*.yml")):
            if not codes or path.name.split("-")[0] in codes:
                shutil.copy(path, root / "wards" / path.name)
        return root

    return make


def ward_file(root: Path, code: str) -> Path:
    return next((root / "wards").glob(f"{code}-*.yml"))
