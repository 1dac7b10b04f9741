"""Deploy and audit run through the registered Nornir inventory plugin (wardnet.nornir_inventory.nornir_for):
their hosts carry the same site_/role_/platform_ groups as `init_nornir`'s, plus the target they act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nornir.core import Nornir
from nornir.core.inventory import Host
from nornir.core.plugins.inventory import InventoryPluginRegister
from nornir.core.task import MultiResult, Task

from tests.conftest import BEN_THANH
from wardnet.audit import collect as audit_collect
from wardnet.deploy import run as deploy_run
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import DeviceResult, Options
from wardnet.deploy.targets import Credentials, Target, production_targets
from wardnet.inventory import Inventory
from wardnet.nornir_inventory import PLUGIN_NAME, WardnetInventory
from wardnet.pipeline import designs
from wardnet.progress import Tracker


@pytest.fixture
def targets(inventory: Inventory) -> list[Target]:
    return production_targets(designs(inventory, [BEN_THANH]), Credentials(username="u"))


def expected_groups(target: Target) -> list[str]:
    # Written out here (not taken from wardnet.hosts): the groups the Ansible plugin also gives.
    return [f"site_{target.site}", f"role_{target.role}", f"platform_{target.platform}"]


class HostRecorder(deploy_run.Watcher):
    """The deploy's own processor, also noting the Nornir host each device ran on."""

    def __init__(self) -> None:
        super().__init__(Tracker(0, "test"), None)
        self.hosts: dict[str, Host] = {}

    def task_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        self.hosts[host.name] = host
        super().task_instance_completed(task, host, result)


def test_a_deploy_stage_runs_on_the_plugins_hosts(
    targets: list[Target], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # Nornir's default logging would write ./nornir.log here
    seen: list[Target] = []

    def fake_device(target: Target, options: Options, backup: Any) -> DeviceResult:
        seen.append(target)
        return DeviceResult(target.name, target.site, False, "unchanged")

    monkeypatch.setattr(deploy_run, "deploy_device", fake_device)
    recorder = HostRecorder()
    store = BackupStore(tmp_path / "backups")
    results = deploy_run.run_stage(targets, Options(commit=False), store, 3, recorder)

    assert [r.name for r in results] == [t.name for t in targets]
    assert sorted(t.name for t in seen) == sorted(t.name for t in targets)
    assert set(recorder.hosts) == {t.name for t in targets}
    for target in targets:
        host = recorder.hosts[target.name]
        assert [g.name for g in host.groups] == expected_groups(target)
        assert host.data["target"] is target
        assert (host.hostname, host.platform) == (target.host, target.driver)
        assert host.get("role") == target.role
    assert InventoryPluginRegister.available[PLUGIN_NAME] is WardnetInventory
    assert not (tmp_path / "nornir.log").exists()


def test_an_audit_collects_through_the_plugin(
    targets: list[Target], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    made: list[Nornir] = []
    real = audit_collect.nornir_for

    def recording(*args: Any, **kwargs: Any) -> Nornir:
        made.append(real(*args, **kwargs))
        return made[-1]

    def fake_collect(target: Target, cache: Any) -> audit_collect.Collected:
        return audit_collect.Collected(target, running=f"hostname {target.name}\n")

    monkeypatch.setattr(audit_collect, "nornir_for", recording)
    monkeypatch.setattr(audit_collect, "collect_device", fake_collect)
    collected = audit_collect.collect(list(reversed(targets)), workers=2)

    assert [c.target.name for c in collected] == [t.name for t in reversed(targets)]
    assert [c.running for c in collected] == [f"hostname {t.name}\n" for t in reversed(targets)]
    (nornir,) = made
    assert nornir.config.inventory.plugin == PLUGIN_NAME
    assert nornir.config.runner.plugin == "threaded"
    assert nornir.config.runner.options == {"num_workers": 2}
    assert nornir.config.logging.enabled is False
    assert len(nornir.processors) == 1
    for target in targets:
        host = nornir.inventory.hosts[target.name]
        assert [g.name for g in host.groups] == expected_groups(target)
        assert host.data["target"] is target
    assert f"site_{BEN_THANH}" in nornir.inventory.groups
    assert not (tmp_path / "nornir.log").exists()
