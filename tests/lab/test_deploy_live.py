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
from wardnet.deploy.device import DeviceResult, Options
from wardnet.deploy.lock import site_locks
from wardnet.deploy.run import Plan, deploy, exit_code
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
    # one site transaction: the timer covers the site's verification (BGP comes up in ~15 s in the lab)
    code, result = deploy_cli(env, "--commit", "--confirm-timeout", "120")
    assert code == 0, [(d["name"], d["status"], d["error"]) for d in result.get("devices", [])]
    assert {d["status"] for d in result["devices"]} == {"committed"}
    intended = split_sections(factory.renderer.device(factory.twin_design(BEN_THANH).devices[ACC1]))
    live = running(factory, ACC1)
    assert live["frr"] == intended["frr"] and live["ovs"] == intended["ovs"]
    store = env / "state/backups"
    assert (store / BEN_THANH / f"{ACC1}.frr").exists()  # the running config from before the change

    code, again = deploy_cli(env, "--commit")
    assert code == 0
    assert [d["changed"] for d in again["devices"]] == [False] * 7
    assert {d["status"] for d in again["devices"]} == {"unchanged"}


def test_a_config_that_cuts_management_is_rolled_back_by_itself(factory, env) -> None:
    design = factory.twin_design(BEN_THANH)
    target = next(t for t in lab_targets([design], factory.ssh.config, factory.ssh.key) if t.name == ACC1)
    before = running(factory, ACC1)
    broken = target.intended.replace("ip address 10.65.55.11/26", "ip address 10.65.55.61/26")
    assert broken != target.intended
    from dataclasses import replace

    results = deploy(
        [replace(target, intended=broken)],
        Plan(),
        Options(commit=True, confirm_timeout=20, per_device=True),  # longer than a command may take
        BackupStore(env / "backups"),
    )
    assert [r.status for r in results] == ["rolled-back"], results
    assert "reachable again" in results[0].error
    assert running(factory, ACC1) == before


def test_a_device_whose_sshd_stops_mid_batch_fails_alone_and_the_others_complete(factory, env) -> None:
    """One worker, so devices go in order; acc3's sshd is stopped the moment acc1 has finished."""
    from dataclasses import replace

    design = factory.twin_design(BEN_THANH)
    targets = [
        replace(t, intended=t.intended.replace("log syslog informational", "log syslog warnings"))
        for t in lab_targets([design], factory.ssh.config, factory.ssh.key)
    ]
    assert all("log syslog warnings" in t.intended for t in targets)
    sshd = factory.root / "nodes" / BEN_THANH / ACC3 / "run/sshd.pid"
    stopped: list[str] = []

    def stop_acc3_after_acc1(result: DeviceResult) -> None:
        if result.name == ACC1:
            factory.run(ACC3, ["kill", sshd.read_text().strip()], check=True)  # our node's own sshd
            stopped.append(result.status)

    try:
        results = deploy(
            targets,
            Plan(workers=1, max_failures=1),
            Options(commit=True, confirm_timeout=30, per_device=True),  # the per-device mode: one fails alone
            BackupStore(env / "backups"),
            on_done=stop_acc3_after_acc1,
        )
    finally:
        factory.run(ACC3, ["/usr/sbin/sshd", "-f", str(sshd.parent.parent / "ssh/sshd_config")], check=True)
    by_name = {r.name: r for r in results}
    assert stopped == ["committed"]  # acc1 had finished before acc3's sshd went away
    assert by_name[ACC3].status == "failed" and by_name[ACC3].error
    assert {n: r.status for n, r in by_name.items() if n != ACC3} == dict.fromkeys(
        [n for n in by_name if n != ACC3], "committed"
    )
    assert exit_code(results) == 1
    assert "log syslog warnings" in running(factory, ACC1)["frr"]
    assert "log syslog informational" in running(factory, ACC3)["frr"]  # untouched


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
