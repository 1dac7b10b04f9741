"""Live lab fixtures: real namespaces and daemons, so root and the lab packages are needed.

Without them the lab tests are skipped, unless WARDNET_REQUIRE_LAB=1 (set by .ci/run): then they fail, so a
CI run can never pass by skipping the lab. Tests use their own prefix and folder: a lab an engineer has up
is never touched.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.lab import system
from wardnet.lab.manager import Lab, preflight
from wardnet.lab.system import LabError

TEST_PREFIX = "wt-"


def require_lab() -> None:
    try:
        preflight()
    except LabError as exc:
        if os.environ.get("WARDNET_REQUIRE_LAB") == "1":
            pytest.fail(f"lab required (WARDNET_REQUIRE_LAB=1) but unavailable: {exc}")
        pytest.skip(f"lab unavailable: {exc}")


def leftovers() -> list[str]:
    return [n for n in system.namespaces() if n.startswith(TEST_PREFIX)]


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lab")


@pytest.fixture(scope="session")
def lab(lab_root: Path) -> Iterator[Lab]:
    require_lab()
    instance = Lab(INVENTORY, root=lab_root, prefix=TEST_PREFIX)
    if leftovers():
        instance.down(None)  # a previous run was killed: start from nothing
    yield instance
    instance.down(None)
    assert leftovers() == [], "lab down --all must leave no namespace behind"


@pytest.fixture(scope="session")
def servers_lab(lab: Lab) -> Lab:
    """Ben Thanh's twin with its server srv1 converged by the roles (`lab up --servers`, minutes on a loaded
    machine): brought up once for every `lab_servers` test of this prefix that shares it."""
    lab.down([BEN_THANH])
    lab.up([BEN_THANH], load="intended", with_servers=True)
    return lab


@pytest.fixture(scope="module")
def intended(lab: Lab) -> Lab:
    """Bến Thành's twin fresh with its intended configs, once per module: each module starts clean."""
    lab.down([BEN_THANH])
    lab.up([BEN_THANH], load="intended")
    return lab


def point_at_lab(monkeypatch: pytest.MonkeyPatch, lab: Lab, state: Path) -> None:
    """wardnet's CLI on the test lab (its folder and prefix), with its own state directory."""
    monkeypatch.setenv("WARDNET_LAB_DIR", str(lab.root))
    monkeypatch.setenv("WARDNET_LAB_PREFIX", TEST_PREFIX)
    monkeypatch.setenv("WARDNET_STATE_DIR", str(state))


@pytest.fixture
def env(intended: Lab, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The test's folder; the CLI points at the lab, state in `<folder>/state`."""
    point_at_lab(monkeypatch, intended, tmp_path / "state")
    return tmp_path
