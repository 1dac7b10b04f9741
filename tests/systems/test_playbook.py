"""playbooks/decommission.yml through ansible-playbook, on localhost against the real test server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.systems.conftest import TODAY, Cluster, Retiring

pytestmark = pytest.mark.lab


def playbook(retiring: Retiring, *extra: str) -> subprocess.CompletedProcess[str]:
    venv_bin = REPO / ".venv" / "bin"
    bin_dir = venv_bin if venv_bin.is_dir() else Path(sys.executable).parent
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    command = [
        str(bin_dir / "ansible-playbook"),
        "playbooks/decommission.yml",
        "-e",
        f"system={retiring.id}",
        "-e",
        f"catalogue={retiring.catalogue}",
        "-e",
        f"archive_store={retiring.archive_store}",
        "-e",
        f"work_dir={retiring.work_dir}",
        "-e",
        f"today={TODAY}",
        *extra,
    ]
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_playbook_dry_run_then_commit(cluster: Cluster, retiring: Retiring) -> None:
    catalogue_before = retiring.catalogue.read_bytes()

    dry = playbook(retiring)

    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"dry-run: {retiring.id} would be archived" in dry.stdout
    assert "changed=0" in dry.stdout
    assert retiring.database in cluster.databases()
    assert retiring.catalogue.read_bytes() == catalogue_before
    assert retiring.service.poll() is None and retiring.data_dir.is_dir()
    assert not retiring.archive_store.exists()

    done = playbook(retiring, "-e", "commit=true")

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{retiring.id} retired: archive {retiring.archive_store / retiring.id}" in done.stdout
    assert retiring.database not in cluster.databases()
    assert not retiring.data_dir.exists()
    assert retiring.service.wait(timeout=5) is not None
    record = yaml.safe_load(retiring.catalogue.read_text(encoding="utf-8"))["systems"][1]
    assert record["status"] == "retired"
    assert Path(record["retired"]["archive"]).is_dir()

    again = playbook(retiring, "-e", "commit=true")

    assert again.returncode != 0
    assert f"refused: {retiring.id} was retired on {TODAY}" in again.stdout
