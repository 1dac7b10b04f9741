"""Deploy against the live lab: Ben Thanh's twin from factory state, through the frr NAPALM driver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY, ward_file
from tests.lab.conftest import TEST_PREFIX
from wardnet.canonical import split_sections
from wardnet.cli import main
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import Options
from wardnet.deploy.lock import site_locks
from wardnet.deploy.run import Plan, deploy
from wardnet.deploy.targets import lab_targets
from wardnet.lab.manager import Lab

pytestmark = pytest.mark.lab

ACC1, ACC3 = f"hcm-{BEN_THANH}-acc1", f"hcm-{BEN_THANH}-acc3"


@pytest.fixture(scope="module")
def factory(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Lab:
    lab.down([BEN_THANH])
    lab.up([BEN_THANH])  # factory state: hostname, management address, SSH
    return lab


@pytest.fixture
def env(factory: Lab, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("WARDNET_LAB_DIR", str(factory.root))
    monkeypatch.setenv("WARDNET_LAB_PREFIX", TEST_PREFIX)
    monkeypatch.setenv("WARDNET_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def deploy_cli(env: Path, *extra: str) -> tuple[int, dict]:
    out = env / "result.json"
    code = main(["deploy", "--site", BEN_THANH, "--lab", "--json", str(out), *extra])
    return code, json.loads(out.read_text()) if out.exists() else {}


def running(lab: Lab, name: str) -> dict[str, str]:
    return split_sections(lab.run(name, ["wardnet-node", "show"], capture_output=True).stdout)


def test_dry_run_on_factory_devices_reports_every_device_changed_and_changes_nothing(factory, env) -> None:
    before = running(factory, ACC1)
    code, result = deploy_cli(env)
    assert code == 0
    devices = result["devices"]
    assert len(devices) == 7
    assert all(d["changed"] and d["status"] == "would-change" and d["error"] == "" for d in devices)
    assert {"name", "changed", "status", "error"} <= set(devices[0])
    assert "+no ip forwarding" in next(d["diff"] for d in devices if d["name"] == ACC1)
    assert running(factory, ACC1) == before


def test_commit_then_a_second_commit_changes_nothing(factory, env) -> None:
    code, result = deploy_cli(env, "--commit", "--confirm-timeout", "30")
    assert code == 0, result
    assert {d["status"] for d in result["devices"]} == {"committed"}
    intended = split_sections(factory.renderer.device(factory._design(BEN_THANH).devices[ACC1]))
    live = running(factory, ACC1)
    assert live["frr"] == intended["frr"] and live["ovs"] == intended["ovs"]
    store = env / "state/backups"
    assert (store / BEN_THANH / f"{ACC1}.frr").exists()  # the running config from before the change

    code, again = deploy_cli(env, "--commit")
    assert code == 0
    assert [d["changed"] for d in again["devices"]] == [False] * 7
    assert {d["status"] for d in again["devices"]} == {"unchanged"}


def test_a_config_that_cuts_management_is_rolled_back_by_itself(factory, env) -> None:
    design = factory._design(BEN_THANH)
    target = next(t for t in lab_targets([design], factory.ssh.config, factory.ssh.key) if t.name == ACC1)
    before = running(factory, ACC1)
    broken = target.intended.replace("ip address 10.65.55.11/26", "ip address 10.65.55.61/26")
    assert broken != target.intended
    from dataclasses import replace

    results = deploy(
        [replace(target, intended=broken)],
        Plan(),
        Options(commit=True, confirm_timeout=20),  # longer than a command may take
        BackupStore(env / "backups"),
    )
    assert [r.status for r in results] == ["rolled-back"], results
    assert "reachable again" in results[0].error
    assert running(factory, ACC1) == before


def test_a_device_without_ssh_fails_alone(factory, env) -> None:
    sshd = factory.root / "nodes" / BEN_THANH / ACC3 / "run/sshd.pid"
    factory.run(ACC3, ["kill", sshd.read_text().strip()], check=True)  # our node's own sshd
    code, result = deploy_cli(env)
    by_name = {d["name"]: d for d in result["devices"]}
    assert code == 1
    assert by_name[ACC3]["status"] == "failed" and by_name[ACC3]["error"]
    assert all(d["status"] == "unchanged" for n, d in by_name.items() if n != ACC3)
    factory.run(ACC3, ["/usr/sbin/sshd", "-f", str(sshd.parent.parent / "ssh/sshd_config")], check=True)


def test_a_second_deploy_on_the_same_site_is_refused(factory, env, capsys) -> None:
    with site_locks(env / "state/locks", [BEN_THANH]):
        code, result = deploy_cli(env, "--commit")
    assert code == 2 and result == {}
    assert f"site {BEN_THANH} is being deployed" in capsys.readouterr().err


def test_the_check_gate_blocks_a_site_with_findings(factory, env, inventory_copy, capsys) -> None:
    root = inventory_copy(BEN_THANH)
    path = ward_file(root, BEN_THANH)
    path.write_text(path.read_text().replace("concurrent_users: 500", "concurrent_users: 120"))
    before = running(factory, ACC1)
    code = main(["deploy", "--site", BEN_THANH, "--lab", "--commit", "--inventory", str(root)])
    assert code == 2
    assert "check gate failed; nothing was pushed" in capsys.readouterr().err
    assert running(factory, ACC1) == before
    assert INVENTORY.exists()
