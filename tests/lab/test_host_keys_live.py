"""Known devices only, live: a spoofed access switch (another host key on acc3's management address) is
refused before any credential reaches it, while the site's other devices deploy (device by device: a site
transaction would hold the whole site back, tests/vendor/test_site_transaction.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import Options
from wardnet.deploy.run import Plan, deploy
from wardnet.deploy.targets import lab_targets
from wardnet.lab.manager import Lab

pytestmark = pytest.mark.lab

ACC3 = f"hcm-{BEN_THANH}-acc3"
IMPOSTOR = Path(__file__).with_name("impostor.py")
PASSWORD = "tacacs-password-never-for-an-impostor"


@pytest.fixture(scope="module")
def factory(lab: Lab) -> Lab:
    lab.down([BEN_THANH])
    lab.up([BEN_THANH])
    return lab


def test_a_spoofed_device_is_refused_before_any_credential_and_the_others_deploy(
    factory: Lab, tmp_path: Path
) -> None:
    node = factory.find(ACC3)
    sshd_pid = factory.root / "nodes" / BEN_THANH / ACC3 / "run/sshd.pid"
    key = tmp_path / "impostor_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    log = tmp_path / "impostor.jsonl"
    factory.run(ACC3, ["kill", sshd_pid.read_text().strip()], check=True)  # the real acc3 goes away
    command = [sys.executable, str(IMPOSTOR), node["management"], "22", str(log), str(key)]
    impostor = subprocess.Popen(
        ["ip", "netns", "exec", node["namespace"], *command],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert impostor.stdout is not None and impostor.stdout.readline().strip() == "listening"
        design = factory.twin_design(BEN_THANH)
        # a password as production has one: the impostor must not receive it (nor the lab key's signature)
        targets = [
            replace(t, password=PASSWORD) for t in lab_targets([design], factory.ssh.config, factory.ssh.key)
        ]
        results = deploy(
            targets,
            Plan(workers=4, max_failures=1),
            Options(commit=True, confirm_timeout=30, per_device=True),
            BackupStore(tmp_path / "backups"),
        )
    finally:
        impostor.terminate()
        impostor.wait(timeout=10)
        factory.run(
            ACC3, ["/usr/sbin/sshd", "-f", str(sshd_pid.parent.parent / "ssh/sshd_config")], check=True
        )
    by_name = {r.name: r for r in results}
    assert by_name[ACC3].status == "refused"
    assert by_name[ACC3].error.startswith("SECURITY: host key mismatch")
    assert {n: r.status for n, r in by_name.items() if n != ACC3} == dict.fromkeys(
        [n for n in by_name if n != ACC3], "committed"
    )
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(e["event"] == "connection" for e in events)  # the driver did reach the impostor
    assert [e for e in events if e["event"] == "auth"] == []  # and sent it nothing to authenticate with
    assert PASSWORD not in log.read_text()
