"""Thin wrappers over ip, ethtool and process control. Every process ended here is one the lab started."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence


class LabError(Exception):
    """A lab operation failed; the message says what and how to fix it."""


def run(cmd: Sequence[str], *, input_text: str | None = None, check: bool = True) -> str:
    done = subprocess.run(list(cmd), input=input_text, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise LabError(f"{' '.join(cmd[:6])} failed ({done.returncode}): {done.stderr.strip()[-600:]}")
    return done.stdout


def spawn_script(
    namespace: str, script: str, *args: str, stdin: int | None = subprocess.PIPE
) -> subprocess.Popen[str]:
    """A lab helper script (this Python) inside `namespace`, in a session of its own so that stop_pids can
    end it with whatever it started; it talks in lines on stdin/stdout."""
    return subprocess.Popen(
        ["ip", "netns", "exec", namespace, sys.executable, script, *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def next_line(process: subprocess.Popen[str], seconds: float) -> str | None:
    """The process's next stdout line, or None when none came within `seconds` (or it closed stdout)."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], seconds)
    return (process.stdout.readline() or None) if ready else None


def stderr_tail(process: subprocess.Popen[str]) -> str:
    """The end of an exited process's stderr, for an error message ("" while it still runs)."""
    return process.stderr.read()[-400:] if process.poll() is not None and process.stderr else ""


def ip_batch(lines: Iterable[str], namespace: str | None = None) -> None:
    text = "".join(line + "\n" for line in lines)
    if text:
        run(["ip", *(["-n", namespace] if namespace else []), "-batch", "-"], input_text=text)


def namespaces() -> list[str]:
    out = run(["ip", "-j", "netns", "list"], check=False).strip()
    if not out:
        return []
    return [entry["name"] for entry in json.loads(out)]


def add_namespace(name: str) -> None:
    run(["ip", "netns", "add", name])


def namespace_pids(name: str) -> list[int]:
    return [int(p) for p in run(["ip", "netns", "pids", name], check=False).split()]


def links(namespace: str) -> list[str]:
    out = run(["ip", "-n", namespace, "-j", "link", "show"], check=False).strip()
    return [entry["ifname"] for entry in json.loads(out)] if out else []


def tx_offload_off(namespace: str, ports: Iterable[str]) -> None:
    """The userspace datapath gets TCP wrong with TX checksum offload on (ARP works, TCP times out)."""
    for port in ports:
        run(["ip", "netns", "exec", namespace, "ethtool", "-K", port, "tx", "off"])


def stop_pids(pids: Iterable[int], timeout: float = 5.0) -> None:
    """SIGTERM, wait, then SIGKILL: only PIDs this lab started (they live in its namespaces)."""
    pending = set(pids)
    for pid in pending:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pending = {pid for pid in pending if _alive(pid)}
        if pending:
            time.sleep(0.05)
    for pid in pending:
        _signal(pid, signal.SIGKILL)
    for pid in pending:
        _reap(pid)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _alive(pid: int) -> bool:
    _reap(pid)  # our own children (node anchors) would stay as zombies otherwise
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False


def delete_namespace(name: str) -> None:
    """Links first, then processes, then the namespace: otherwise a namespace with BGP sessions lingers and
    holds the veth names (../shared/LAB.md)."""
    doomed = [f"link del {link}" for link in links(name) if link != "lo"]
    if doomed:
        run(["ip", "-n", name, "-force", "-batch", "-"], input_text="\n".join(doomed) + "\n", check=False)
    stop_pids(namespace_pids(name))
    run(["ip", "netns", "del", name], check=False)
