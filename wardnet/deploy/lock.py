"""One deploy per site at a time: a non-blocking lock per site; a second deploy is refused, not queued.

The lock is an flock on `<state>/locks/<code>.lock` (the kernel drops it when its process dies, SIGKILL
included) and the file holds who took it: pid, host, user, start time, command. A clean release empties the
file, so a record found on acquiring means the last holder died mid-run: reported as a stale lock with its
owner and age. On the same host the kernel has proven the holder gone (we hold the flock now), so the deploy
proceeds; a record from another host (a shared state directory) proves nothing and needs --break-lock.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO


class SiteLockedError(Exception):
    pass


@dataclass(frozen=True)
class LockRecord:
    pid: int
    host: str
    user: str
    started: float  # epoch seconds
    command: str

    @classmethod
    def mine(cls) -> LockRecord:
        return cls(os.getpid(), socket.gethostname(), _user(), time.time(), " ".join(sys.argv[:4]))

    @classmethod
    def parse(cls, text: str) -> LockRecord | None:
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["host"]), str(data["user"]), float(data["started"]),
                       str(data.get("command", "")))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            return None  # an older or damaged record: the flock alone decides

    def describe(self, now: float | None = None) -> str:
        age = max(0, int((now or time.time()) - self.started))
        command = f" ({self.command})" if self.command else ""
        return f"pid {self.pid} on {self.host} by {self.user}, {_age(age)} ago{command}"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


def _age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


@contextmanager
def site_locks(
    root: Path, codes: list[str], *, break_lock: bool = False, warn: Callable[[str], None] = _warn
) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for code in sorted(set(codes)):
            handle: IO[str] = stack.enter_context((root / f"{code}.lock").open("a+"))
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = LockRecord.parse(handle.read())
                who = holder.describe() if holder else "another process"
                message = f"site {code} is being deployed by {who}; try again when it ends"
                raise SiteLockedError(message) from None
            handle.seek(0)
            _stale(code, LockRecord.parse(handle.read()), break_lock, warn)
            _write(handle, json.dumps(asdict(LockRecord.mine())))
            stack.callback(_write, handle, "")  # a clean end leaves an empty file: nothing stale
        yield


def _stale(code: str, record: LockRecord | None, break_lock: bool, warn: Callable[[str], None]) -> None:
    if record is None:
        return
    if record.host != socket.gethostname() and not break_lock:
        raise SiteLockedError(
            f"site {code}: a lock left by {record.describe()} on another host; this host cannot prove that "
            "run has ended (a shared state directory): check it, then run again with --break-lock"
        )
    warn(
        f"site {code}: stale deploy lock from {record.describe()}; that run ended without releasing it "
        "(killed?): its uncommitted devices revert by their own timers; proceeding"
        + (" (--break-lock)" if record.host != socket.gethostname() else "")
    )


def _write(handle: IO[str], text: str) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()
    os.fsync(handle.fileno())


def held_by(root: Path, code: str) -> LockRecord | None:
    """Who deploys the site right now (None when nobody): the audit marks those devices as in progress."""
    path = root / f"{code}.lock"
    if not path.exists():
        return None
    with path.open("r") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return LockRecord.parse(handle.read()) or LockRecord(0, "?", "?", time.time(), "")
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None
