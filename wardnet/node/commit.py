"""Commit with a revert timer, confirm, rollback: the device-side half of NAPALM's commit_config(revert_in).

The previous running state is saved before anything changes. With a revert timer a detached process on the
device applies it back unless `confirm` arrives first, so a commit that cuts the device off from its
managers undoes itself without anybody reaching it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

STATE = Path(os.environ.get("WARDNET_NODE_STATE", "/var/lib/wardnet"))
ROLLBACK = STATE / "rollback.cfg"
PENDING = STATE / "pending"  # "<token> <deadline epoch> <timer pid>"
LOG = STATE / "commits.log"


def _log(message: str) -> None:
    STATE.mkdir(parents=True, exist_ok=True)
    with LOG.open("a") as handle:
        handle.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}\n")


def pending() -> tuple[str, float, int] | None:
    try:
        token, deadline, pid = PENDING.read_text().split()
    except (OSError, ValueError):
        return None
    return token, float(deadline), int(pid)


def commit(text: str, revert_in: int | None, running: str, apply: object) -> str:
    """Save `running`, apply `text`; on failure put `running` back. Returns a one-line summary."""
    if pending() is not None:
        raise RuntimeError("a commit is pending confirmation: confirm or roll it back first")
    STATE.mkdir(parents=True, exist_ok=True)
    ROLLBACK.write_text(running)
    try:
        apply(text)  # type: ignore[operator]
    except Exception as exc:
        apply(running)  # type: ignore[operator]
        _log(f"commit failed and was undone: {exc}")
        raise RuntimeError(f"commit failed and was undone: {exc}") from exc
    if not revert_in:
        _log("committed")
        return "committed"
    token = secrets.token_hex(8)
    # The package's folder on the timer's path: the agent may run isolated from site-packages (the lab's
    # `python -IS` script), so the timer must not rely on them to find it.
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    timer = subprocess.Popen(
        [sys.executable, "-m", "wardnet.node.agent", "revert-after", str(revert_in), token],
        env=os.environ | {"PYTHONPATH": path},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives the SSH session that started it
    )
    PENDING.write_text(f"{token} {time.time() + revert_in:.0f} {timer.pid}\n")
    _log(f"committed, reverts in {revert_in} s unless confirmed")
    return f"committed; reverts in {revert_in} s unless confirmed"


def confirm() -> str:
    state = pending()
    if state is None:
        raise RuntimeError("nothing to confirm: no commit is pending (reverted, or never made)")
    PENDING.unlink(missing_ok=True)
    _stop_timer(state[2])
    _log("confirmed")
    return "confirmed"


def rollback(apply: object) -> str:
    if not ROLLBACK.exists():
        raise RuntimeError("no rollback point on this device")
    state = pending()
    PENDING.unlink(missing_ok=True)
    if state is not None:
        _stop_timer(state[2])
    apply(ROLLBACK.read_text())  # type: ignore[operator]
    _log("rolled back")
    return "rolled back"


def revert_after(seconds: int, token: str, apply: object) -> None:
    time.sleep(seconds)
    state = pending()
    if state is None or state[0] != token:
        return  # confirmed, or superseded
    PENDING.unlink(missing_ok=True)
    apply(ROLLBACK.read_text())  # type: ignore[operator]
    _log(f"not confirmed within {seconds} s: reverted")


def _stop_timer(pid: int) -> None:
    if pid == os.getpid():
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
