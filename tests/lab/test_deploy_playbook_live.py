"""`ansible-playbook playbooks/deploy.yml` runs the same deploy job as the CLI, here on the lab twin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH
from tests.lab.conftest import TEST_PREFIX
from wardnet.lab.manager import Lab

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
VAULT_PASSWORD = "correct horse battery staple"
DEVICE_PASSWORD = "Vault-only-p4ss!"


@pytest.fixture(scope="module")
def factory(lab: Lab) -> Lab:
    lab.down([BEN_THANH])
    lab.up([BEN_THANH])
    return lab


def playbook(lab: Lab, state: Path, *extra: str) -> tuple[int, dict, str]:
    """Run the play; returns its exit code, the per-device results it wrote and its output."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "WARDNET_LAB_DIR": str(lab.root),
        "WARDNET_LAB_PREFIX": TEST_PREFIX,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
    }
    command = [str(bin_dir / "ansible-playbook"), "playbooks/deploy.yml", "-e", f"site={BEN_THANH}"]
    result = state / "deploy.json"
    result.unlink(missing_ok=True)
    command += ["-e", "lab=true", "-e", f"state_dir={state}", "-e", f"json={result}", *extra]
    done = subprocess.run(command, check=False, cwd=ROOT, env=env, capture_output=True, text=True)
    return done.returncode, json.loads(result.read_text()), done.stdout + done.stderr


def test_the_playbook_dry_runs_commits_and_then_changes_nothing(factory: Lab, tmp_path: Path) -> None:
    code, result, output = playbook(factory, tmp_path)
    assert code == 0, output
    assert result["commit"] is False
    assert [d["status"] for d in result["devices"]] == ["would-change"] * 7
    assert "dry-run: 7 devices, 7 changed" in output

    # one site transaction: the timer must cover the site verification (BGP ~15 s, NOC probe)
    code, result, output = playbook(factory, tmp_path, "-e", "commit=true", "-e", "confirm_timeout=120")
    assert code == 0, output
    assert [d["status"] for d in result["devices"]] == ["committed"] * 7
    assert (tmp_path / "backups" / BEN_THANH / f"hcm-{BEN_THANH}-acc1.frr").exists()

    code, result, output = playbook(factory, tmp_path, "-e", "commit=true")
    assert code == 0, output
    assert {d["status"] for d in result["devices"]} == {"unchanged"}
    assert "commit: 7 devices, 0 changed" in output and "changed=0" in output


def test_vault_credentials_reach_the_deploy_and_never_the_output(factory: Lab, tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    secrets = tmp_path / "vault.yml"
    secrets.write_text(
        f"wardnet_password: {DEVICE_PASSWORD!r}\nwardnet_secrets:\n  tacacs_key: {DEVICE_PASSWORD!r}\n"
    )
    password_file = tmp_path / "vault-password"
    password_file.write_text(VAULT_PASSWORD + "\n")
    vault = [str(bin_dir / "ansible-vault"), "encrypt", "--vault-password-file", str(password_file)]
    subprocess.run(
        [*vault, str(secrets)],
        check=True,
        capture_output=True,
    )
    assert DEVICE_PASSWORD not in secrets.read_text()  # encrypted at rest
    code, result, output = playbook(
        factory, tmp_path, "-e", f"vault_file={secrets}", "--vault-password-file", str(password_file), "-vvv"
    )
    assert code == 0, output
    assert len(result["devices"]) == 7
    assert '"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in output  # it reached the module, hidden
    assert DEVICE_PASSWORD not in output
