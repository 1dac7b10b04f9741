"""Faults, live in the lab (issue 22 item 2): a stalled device during deploy and audit fails alone and is
reported; no secret in any other process's argv or environment during a deploy; an audit whose backup
store is full still reports every device and says the backup failed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH
from tests.lab.conftest import TEST_PREFIX
from wardnet import secrets
from wardnet.canonical import split_sections
from wardnet.cli import main
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import DeviceResult, Options
from wardnet.deploy.run import Plan, deploy, exit_code
from wardnet.deploy.targets import lab_targets
from wardnet.lab import system
from wardnet.lab.manager import Lab

pytestmark = pytest.mark.lab

ACC2, ACC3 = f"hcm-{BEN_THANH}-acc2", f"hcm-{BEN_THANH}-acc3"
LOG_INFO, LOG_WARN = "log syslog informational", "log syslog warnings"
SECRET, PASSWORD = "Proc-Scan-Secret-5c1e", "Proc-Scan-Login-93ab"


@pytest.fixture(scope="module")
def intended(lab: Lab) -> Lab:
    lab.down([BEN_THANH])
    lab.up([BEN_THANH], load="intended")
    return lab


@pytest.fixture
def env(intended: Lab, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("WARDNET_LAB_DIR", str(intended.root))
    monkeypatch.setenv("WARDNET_LAB_PREFIX", TEST_PREFIX)
    monkeypatch.setenv("WARDNET_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def sshd_pids(lab: Lab, name: str) -> list[int]:
    """The node's own sshd (the lab started it) and its sessions: processes named sshd in its namespace."""
    pids = system.namespace_pids(lab.find(name)["namespace"])
    return [p for p in pids if Path(f"/proc/{p}/comm").read_text().strip() == "sshd"]


@contextmanager
def stalled(lab: Lab, name: str) -> Iterator[None]:
    """The device accepts TCP (the kernel completes the handshake) but its sshd never answers."""
    pids = sshd_pids(lab, name)
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def frr(lab: Lab, name: str) -> str:
    return split_sections(lab.run(name, ["wardnet-node", "show"], capture_output=True).stdout)["frr"]


def test_a_stalled_device_during_deploy_fails_alone_on_its_time_limit(intended: Lab, env: Path) -> None:
    targets = [
        replace(t, intended=t.intended.replace(LOG_INFO, LOG_WARN))
        for t in lab_targets([intended.twin_design(BEN_THANH)], intended.ssh.config, intended.ssh.key)
    ]
    options = Options(commit=True, confirm_timeout=60, per_device=True)
    with stalled(intended, ACC3):
        started = time.monotonic()
        results = deploy(targets, Plan(workers=8, max_failures=1), options, BackupStore(env / "backups"))
        took = time.monotonic() - started
    print(f"deploy with {ACC3} stalled: {took:.1f} s")
    by_name = {r.name: r for r in results}
    assert by_name[ACC3].status == "failed" and by_name[ACC3].error, by_name[ACC3]
    others = {n: r.status for n, r in by_name.items() if n != ACC3}
    assert others == dict.fromkeys(others, "committed"), others
    assert exit_code(results) == 1
    assert LOG_WARN in frr(intended, ACC2) and LOG_INFO in frr(intended, ACC3)  # acc3 untouched
    back = [replace(t, intended=t.intended.replace(LOG_WARN, LOG_INFO)) for t in targets]
    restored = deploy(back, Plan(workers=8), options, BackupStore(env / "backups"))
    assert {r.status for r in restored} == {"committed", "unchanged"}


def test_a_stalled_device_during_audit_is_reported_and_the_others_audited(intended: Lab, env: Path) -> None:
    report = env / "report"
    with stalled(intended, ACC3):
        started = time.monotonic()
        code = main(["audit", "--site", BEN_THANH, "--lab", "--report", str(report)])
        took = time.monotonic() - started
    print(f"audit with {ACC3} stalled: {took:.1f} s")
    by_name = {d["name"]: d for d in json.loads((report / "report.json").read_text())["devices"]}
    assert code == 1
    assert by_name[ACC3]["status"] == "not-audited" and by_name[ACC3]["error"], by_name[ACC3]
    assert {d["status"] for n, d in by_name.items() if n != ACC3} == {"compliant"}


@pytest.fixture
def full_state(env: Path) -> Iterator[Path]:
    mount = env / "state"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        with (mount / "ballast").open("wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
            except OSError:
                pass  # full
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_an_audit_with_a_full_backup_disk_reports_every_device_and_the_failed_backup(
    intended: Lab, env: Path, full_state: Path, capsys
) -> None:
    report, history = env / "report", env / "history.sqlite"
    code = main(["audit", "--site", BEN_THANH, "--lab", "--report", str(report), "--history", str(history)])
    out = capsys.readouterr().out
    data = json.loads((report / "report.json").read_text())
    devices = {d["name"]: d["status"] for d in data["devices"]}
    assert len(devices) == 7 and set(devices.values()) == {"compliant"}, devices
    assert "No space left on device" in data["backup_error"] and data["backup_commit"] == ""
    assert "BACKUP FAILED: backup of the running configs failed" in out
    assert code == 1  # every device compliant, but the run's backup is missing: not a clean night
    assert not list((full_state / "backups").rglob("*.frr"))  # nothing half-written looks like a backup


def _scan(pids_to_skip: set[int], needles: list[bytes], seen: dict[int, str], found: list[str]) -> None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in pids_to_skip:
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone meanwhile
        seen.setdefault(int(entry.name), cmdline.replace(b"\0", b" ").decode(errors="replace")[:120])
        for needle in needles:
            for where, blob in (("cmdline", cmdline), ("environ", environ)):
                if needle in blob:
                    found.append(f"{entry.name} {where}: {seen[int(entry.name)]}")


def test_no_secret_in_any_process_during_a_lab_deploy(
    intended: Lab, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run holds the secrets (exported to it); every process it starts, and every other process on
    the machine, lab nodes included, is scanned the whole time the deploy runs."""
    monkeypatch.setattr(secrets, "_taken", {})  # this test's values leave with it
    monkeypatch.setenv("WARDNET_PASSWORD", PASSWORD)
    monkeypatch.setenv("WARDNET_SECRET_PROBE_KEY", SECRET)
    anchor = '\t\tiif "lo" accept\n'
    tagged = '\t\tiif "lo" accept comment "key <<secret:probe_key>>"\n'
    targets = [
        replace(t, intended=t.intended.replace(anchor, tagged, 1)) if t.name == ACC2 else t
        for t in lab_targets([intended.twin_design(BEN_THANH)], intended.ssh.config, intended.ssh.key)
    ]
    seen: dict[int, str] = {}
    found: list[str] = []
    done = threading.Event()
    needles = [SECRET.encode(), PASSWORD.encode()]

    def scan() -> None:
        while not done.is_set():
            _scan({os.getpid()}, needles, seen, found)

    scanner = threading.Thread(target=scan)
    scanner.start()
    try:
        finished: list[DeviceResult] = deploy(
            targets, Plan(workers=8), Options(commit=True, per_device=True), BackupStore(env / "backups")
        )
    finally:
        done.set()
        scanner.join()
    print(f"/proc scanned: {len(seen)} processes seen during the deploy")
    assert {r.name: r.status for r in finished}[ACC2] == "committed"
    running = split_sections(intended.run(ACC2, ["wardnet-node", "show"], capture_output=True).stdout)
    assert f'comment "key {SECRET}"' in running["nftables"]  # the secret did travel, to the device only
    assert found == []
    children = [c for c in seen.values() if "nc " in c or "netns exec" in c or "ssh" in c]
    assert children, "the scan must have seen the run's children (ProxyCommand) while they ran"
