"""Faults, live in the lab (issue 22 item 2): a stalled device during deploy and audit fails alone and is
reported; a device that drops mid-session (its sshd session killed, or its connection blackholed) fails on
its own time limit, unchanged, and is reported while the others go on; no secret in any other process's
argv or environment during a deploy; an audit whose backup store is full still reports every device and
says the backup failed."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH
from wardnet import secrets
from wardnet.canonical import split_sections
from wardnet.cli import main
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import DeviceResult, Options
from wardnet.deploy.run import Plan, deploy, exit_code
from wardnet.deploy.targets import Target, lab_targets
from wardnet.lab import system
from wardnet.lab.manager import Lab

pytestmark = pytest.mark.lab

ACC1, ACC2, ACC3 = (f"hcm-{BEN_THANH}-{n}" for n in ("acc1", "acc2", "acc3"))
LOG_INFO, LOG_WARN = "log syslog informational", "log syslog warnings"
SECRET, PASSWORD = "Proc-Scan-Secret-5c1e", "Proc-Scan-Login-93ab"


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


# --- a device that drops mid-session: cut hard (its sshd session killed) or gone silent (a blackhole) ----

FAULT_TABLE = "wardnet_fault"  # a table of its own: the device's ruleset is left as it is
# The device's sshd processes of blackholed connections: the client's end is gone but the device never
# hears so (TCP keepalive: 2 h), so the test ends them, these PIDs only, after lifting the blackhole.
STRANDED: list[int] = []


def ssh_connections(lab: Lab, name: str) -> list[str]:
    """The device's established SSH connections, as `ss` lists them in its namespace (with processes)."""
    out = lab.run(
        name, ["ss", "-tnpH", "state", "established", "( sport = :22 )"], capture_output=True, check=True
    ).stdout
    return [row for row in out.splitlines() if row.strip()]


def wardnet_connection(lab: Lab, name: str) -> tuple[int, list[int]]:
    """wardnet's one SSH connection to the device, seen from the device: the client's port (its ProxyCommand
    `nc`) and the sshd processes serving that connection (monitor and session), not the listener."""
    rows = ssh_connections(lab, name)
    assert len(rows) == 1, rows  # only wardnet's session is open: the fault hits that connection only
    peer = rows[0].split()[3]  # Recv-Q Send-Q Local Peer Process
    pids = [int(pid) for pid in re.findall(r'"sshd",pid=(\d+)', rows[0])]
    assert pids, rows
    return int(peer.rsplit(":", 1)[1]), pids


def cut_hard(lab: Lab, name: str) -> None:
    """SIGKILL the sshd processes of wardnet's connection: the device's end of the session dies at once."""
    port, pids = wardnet_connection(lab, name)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while ssh_connections(lab, name):  # the kernel closed the device's end with its last holder
        assert time.monotonic() < deadline, f"{name}: the connection outlived sshd {pids}"
        time.sleep(0.05)
    print(f"{name}: sshd {pids} (client port {port}) killed")


def blackhole(lab: Lab, name: str) -> None:
    """Drop every packet of wardnet's established connection, both ways, in the device's namespace: no
    reset, no FIN; only the session's own time limit can end it. Fresh connections still work."""
    port, pids = wardnet_connection(lab, name)
    STRANDED.extend(pids)
    rules = (
        f"table inet {FAULT_TABLE} {{\n"
        "  chain input {\n"
        "    type filter hook input priority -300; policy accept;\n"
        f"    tcp sport {port} tcp dport 22 drop\n"
        f"    tcp sport 22 tcp dport {port} drop\n"
        "  }\n"
        "}\n"
    )
    lab.run(name, ["nft", "-f", "-"], input=rules, check=True)
    print(f"{name}: connection from port {port} blackholed")


@pytest.fixture
def unblocked(intended: Lab) -> Iterator[Lab]:
    """The twin; after the test acc3's fault table is deleted (unless a commit's `flush ruleset` did) and
    the sshd processes stranded on its blackholed connections are ended."""
    yield intended
    intended.run(ACC3, ["nft", "delete", "table", "inet", FAULT_TABLE], capture_output=True)
    while STRANDED:
        with contextlib.suppress(ProcessLookupError):
            os.kill(STRANDED.pop(), signal.SIGKILL)


class FaultAtBackup(BackupStore):
    """The deterministic point for a deploy: once the device's backup is durable, its session is open and
    mid-way (candidate loaded, diffed, running config read) and its commit is the next command."""

    def __init__(self, root: Path, device: str, fault: Callable[[], None]) -> None:
        super().__init__(root)
        self.device, self.fault, self.fired = device, fault, False

    def write(self, site: str, name: str, platform: str, text: str) -> Path:
        path = super().write(site, name, platform, text)
        if name == self.device and not self.fired:
            self.fired = True
            self.fault()
        return path


def warnings_targets(lab: Lab) -> list[Target]:
    return [
        replace(t, intended=t.intended.replace(LOG_INFO, LOG_WARN))
        for t in lab_targets([lab.twin_design(BEN_THANH)], lab.ssh.config, lab.ssh.key)
    ]


def pending(lab: Lab, name: str) -> str:
    return lab.run(name, ["wardnet-node", "pending"], capture_output=True, check=True).stdout.strip()


def test_a_device_cut_mid_deploy_fails_alone_unchanged_and_the_others_commit(
    intended: Lab, env: Path
) -> None:
    targets = warnings_targets(intended)
    store = FaultAtBackup(env / "backups", ACC3, lambda: cut_hard(intended, ACC3))
    options = Options(commit=True, confirm_timeout=60, per_device=True)
    started = time.monotonic()
    results = deploy(targets, Plan(workers=8, max_failures=1), options, store)
    print(f"deploy with {ACC3} cut before its commit: {time.monotonic() - started:.1f} s")
    assert store.fired
    by_name = {r.name: r for r in results}
    acc3 = by_name[ACC3]
    print(f"{ACC3}: {acc3.status}: {acc3.error}")
    assert acc3.status == "failed", acc3
    assert "commit was not sent, nothing changed" in acc3.error and "session lost" in acc3.error, acc3.error
    others = {n: r.status for n, r in by_name.items() if n != ACC3}
    assert others == dict.fromkeys(others, "committed"), others
    assert exit_code(results) == 1
    assert LOG_INFO in frr(intended, ACC3) and pending(intended, ACC3) == "none"  # provably unchanged
    assert LOG_WARN in frr(intended, ACC2)
    back = [replace(t, intended=t.intended.replace(LOG_WARN, LOG_INFO)) for t in targets]
    restored = deploy(back, Plan(workers=8), options, BackupStore(env / "backups"))
    assert {r.status for r in restored} == {"committed", "unchanged"}


def test_a_device_gone_silent_mid_deploy_rolls_the_site_transaction_back(unblocked: Lab, env: Path) -> None:
    """The site is one transaction (DESIGN.md, README "Deploy"): access switches commit first, so acc1
    and acc2 are committed when acc3 goes silent; its commit times out unsent, and the site rolls back."""
    targets = warnings_targets(unblocked)
    store = FaultAtBackup(env / "backups", ACC3, lambda: blackhole(unblocked, ACC3))
    started = time.monotonic()
    results = deploy(targets, Plan(workers=8), Options(commit=True, confirm_timeout=60), store)
    print(f"site transaction with {ACC3} silent before its commit: {time.monotonic() - started:.1f} s")
    assert store.fired
    by_name = {r.name: r for r in results}
    acc3 = by_name[ACC3]
    print(f"{ACC3}: {acc3.status}: {acc3.error}")
    assert acc3.status == "failed", acc3
    assert "commit was not sent" in acc3.error and "Timeout" in acc3.error, acc3.error
    assert "the site is back as it was" in acc3.error, acc3.error
    for name in (ACC1, ACC2):  # committed before acc3, rolled back on their own sessions
        assert by_name[name].status == "rolled-back", by_name[name]
        assert "rolled back; the site is back as it was" in by_name[name].error, by_name[name].error
    rest = {n: r for n, r in by_name.items() if n not in (ACC1, ACC2, ACC3)}
    assert {r.status for r in rest.values()} == {"rolled-back"}
    assert all(r.error.startswith("not pushed:") for r in rest.values()), rest
    assert exit_code(results) == 1
    for name in by_name:  # the whole site as it was, nothing left pending
        assert LOG_INFO in frr(unblocked, name) and pending(unblocked, name) == "none", name


def _audit_fault_when_read(
    lab: Lab, name: str, fault: Callable[[], None]
) -> tuple[threading.Thread, list[str]]:
    """The deterministic point for an audit: the device is running wardnet's `wardnet-node show`, or on a
    first night (nothing cached) `wardnet-node audit -`, which reads it with the candidate (the session is
    open and reading the running config): then the fault. Watched from /proc in its namespace."""
    netns = os.stat(f"/run/netns/{lab.find(name)['namespace']}").st_ino
    fired: list[str] = []  # the pid seen, or why the fault itself failed

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    argv = (entry / "cmdline").read_bytes().split(b"\0")
                    if os.stat(entry / "ns/net").st_ino != netns:
                        continue
                except OSError:
                    continue
                reading = b"show" in argv or b"audit" in argv
                if reading and any(a.endswith(b"wardnet-node") for a in argv):
                    try:
                        fault()
                        fired.append(entry.name)
                    except Exception as exc:  # a thread's exception would be lost: the test reports it
                        fired.append(f"the fault failed: {exc!r}")
                    return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    return watcher, fired


@pytest.mark.parametrize(
    ("fault", "says"),
    # Through the lab's ProxyCommand a cut mostly looks like silence (`nc` keeps the client's end open after
    # the device's end closed, so the driver ends the step on its time limit); when `nc` itself dies on the
    # broken pipe first, paramiko says so (ProxyCommandFailure). Either is the session lost mid-read.
    [
        (cut_hard, ("the session went silent", "ProxyCommandFailure")),
        (blackhole, ("the session went silent",)),
    ],
    ids=["cut", "silent"],
)
def test_a_device_dropped_mid_audit_is_not_audited_with_the_reason_and_the_others_audited(
    unblocked: Lab, env: Path, fault: Callable[[Lab, str], None], says: tuple[str, ...], capsys
) -> None:
    report = env / "report"
    watcher, fired = _audit_fault_when_read(unblocked, ACC3, lambda: fault(unblocked, ACC3))
    started = time.monotonic()
    try:
        code = main(["audit", "--site", BEN_THANH, "--lab", "--report", str(report)])
    finally:
        watcher.join()
    took = time.monotonic() - started
    assert "Traceback" not in capsys.readouterr().err
    print(f"audit with {ACC3} {fault.__name__} mid-read: {took:.1f} s")  # after capsys took the audit's
    assert fired and fired[0].isdigit(), fired or "the device never ran `wardnet-node show`"
    by_name = {d["name"]: d for d in json.loads((report / "report.json").read_text())["devices"]}
    assert code == 1
    acc3 = by_name[ACC3]
    print(f"{ACC3}: {acc3['status']}: {acc3['error']}")
    assert acc3["status"] == "not-audited", acc3
    assert acc3["error"].startswith("session lost while reading the running config"), acc3
    assert any(cause in acc3["error"] for cause in says), acc3
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
