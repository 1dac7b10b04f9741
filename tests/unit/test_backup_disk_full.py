"""A full backups disk (a real 2 MiB tmpfs): deploy refuses before any device, a backup never half-written."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.deploy.backups import BackupError, BackupStore
from wardnet.deploy.device import Options
from wardnet.deploy.job import DeployRequest, execute
from wardnet.findings import ExitCode


@pytest.fixture
def full_disk(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount = tmp_path / "state"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> None:
    with (folder / "ballast").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass


def test_preflight_refuses_a_store_without_room(full_disk: Path) -> None:
    with pytest.raises(BackupError, match=r"cannot take 4 MiB \(No space left on device"):
        BackupStore(full_disk / "backups").preflight()
    assert not (full_disk / "backups" / ".preflight").exists()


def test_a_backup_that_does_not_fit_fails_and_leaves_the_old_one_whole(full_disk: Path) -> None:
    store = BackupStore(full_disk / "backups")
    old = store.write(BEN_THANH, "hcm-26743-acc1", "frr", "hostname old\n")
    fill(full_disk)
    with pytest.raises(BackupError, match=r"hcm-26743-acc1 could not be written .*No space left"):
        store.write(BEN_THANH, "hcm-26743-acc1", "frr", "x" * 500_000)
    assert old.read_text() == "hostname old\n"


def test_deploy_commit_refuses_before_any_device(full_disk: Path) -> None:
    fill(full_disk)
    request = DeployRequest(
        inventory=INVENTORY, sites=(BEN_THANH,), options=Options(commit=True), state_dir=full_disk
    )
    outcome = execute(request)
    assert outcome.code == ExitCode.NOT_RUN and outcome.results == []
    assert "no device is changed without a durable backup" in outcome.message
