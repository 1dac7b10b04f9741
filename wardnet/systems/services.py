"""Stop and disable a system's services at reclaim: systemd units, or processes named by a pidfile.

Only the process a pidfile names is ever signalled, only with SIGTERM, and only when its command line
contains the catalogue's `command` (a reused PID belongs to someone else).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from wardnet.systems.models import Service

STOP_TIMEOUT = 30.0


class ServiceError(Exception):
    """A service cannot be inspected or did not stop."""


def _systemctl(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("systemctl")
    if tool is None:
        raise ServiceError("systemctl not found: systemd units can only be stopped on a systemd host")
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=120, check=False)


def _pid(service: Service) -> int | None:
    assert service.pidfile is not None
    path = Path(service.pidfile)
    if not path.exists():
        return None
    try:
        return int(path.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        raise ServiceError(f"{path} does not hold a process id") from None


def _running(pid: int) -> bool:
    """Alive and not a zombie (an ended child whose parent has not collected it yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in {"Z", "X"}


def _command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()


def state(service: Service) -> str:
    """A short description; raises ServiceError when the service cannot be acted on safely."""
    if service.unit is not None:
        result = _systemctl("show", "--property=LoadState,ActiveState,UnitFileState", service.unit)
        values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        if result.returncode != 0 or values.get("LoadState") == "not-found":
            raise ServiceError(f"systemd unit {service.unit} not found")
        return f"{values.get('ActiveState', '?')}, {values.get('UnitFileState', '?')}"
    pid = _pid(service)
    if pid is None or not _running(pid):
        return "not running"
    command = _command_line(pid)
    if service.command and service.command not in command:
        raise ServiceError(
            f"{service.pidfile} names PID {pid} ({command or 'unknown'}), which is not {service.command!r}"
        )
    return f"running, PID {pid}"


def stop(service: Service) -> str:
    """Stop (and for a unit, disable) the service; raise ServiceError unless it is stopped afterwards."""
    state(service)  # refuses a unit that vanished or a PID that now belongs to another program
    if service.unit is not None:
        for action in ("stop", "disable"):
            result = _systemctl(action, service.unit)
            if result.returncode != 0:
                raise ServiceError(f"systemctl {action} {service.unit}: {result.stderr.strip()}")
        if _systemctl("is-active", "--quiet", service.unit).returncode == 0:
            raise ServiceError(f"{service.unit} is still active after systemctl stop")
        return f"{service.unit} stopped and disabled"
    pid = _pid(service)
    if pid is None or not _running(pid):
        return f"{service.label}: was not running"
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _running(pid):
        if time.monotonic() > deadline:
            raise ServiceError(f"PID {pid} ({service.label}) still runs {STOP_TIMEOUT:.0f} s after SIGTERM")
        time.sleep(0.05)
    return f"{service.label}: PID {pid} stopped"
