"""The site lock under real process death: SIGKILL leaves a record, the next deploy names it and proceeds."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wardnet.deploy.lock import SiteLockedError, held_by, site_locks

HOLD = """
import sys, time
from pathlib import Path
from wardnet.deploy.lock import site_locks
with site_locks(Path(sys.argv[1]), ["26743"]):
    print("held", flush=True)
    time.sleep(60)
"""


def holder(root: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(root)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_live_holder_is_named_and_a_second_deploy_refused(tmp_path: Path) -> None:
    process = holder(tmp_path)
    try:
        expected = rf"pid {process.pid} on {socket.gethostname()} by "
        with pytest.raises(SiteLockedError, match=expected), site_locks(tmp_path, ["26743"]):
            pass
        record = held_by(tmp_path, "26743")
        assert record is not None and record.pid == process.pid
    finally:
        process.kill()
        process.wait()


def test_a_killed_deploy_leaves_a_stale_record_that_the_next_one_reports_and_clears(tmp_path: Path) -> None:
    process = holder(tmp_path)
    os.kill(process.pid, signal.SIGKILL)  # no cleanup runs: the record stays, the kernel drops the flock
    process.wait()
    assert held_by(tmp_path, "26743") is None
    warnings: list[str] = []
    with site_locks(tmp_path, ["26743"], warn=warnings.append):
        assert json.loads((tmp_path / "26743.lock").read_text())["pid"] == os.getpid()
    assert (
        len(warnings) == 1
        and f"stale deploy lock from pid {process.pid} on {socket.gethostname()}" in warnings[0]
    )
    assert (tmp_path / "26743.lock").read_text() == ""  # a clean end leaves nothing stale
    again: list[str] = []
    with site_locks(tmp_path, ["26743"], warn=again.append):
        pass
    assert again == []


def test_a_stale_record_from_another_host_needs_break_lock(tmp_path: Path) -> None:
    record = {
        "pid": 4242,
        "host": "noc-runner-2",
        "user": "ops",
        "started": time.time() - 3600,
        "command": "x",
    }
    (tmp_path / "26743.lock").write_text(json.dumps(record))
    refused = pytest.raises(SiteLockedError, match=r"noc-runner-2.*--break-lock")
    with refused, site_locks(tmp_path, ["26743"]):
        pass
    warnings: list[str] = []
    with site_locks(tmp_path, ["26743"], break_lock=True, warn=warnings.append):
        pass
    assert "pid 4242 on noc-runner-2 by ops, 60 min ago" in warnings[0]
