"""The config store deploy and audit share: one file per device in a git repository, history is `git log`."""

from __future__ import annotations

import fcntl
import os
import subprocess
import threading
from pathlib import Path

from wardnet.platforms import PLATFORMS

IDENTITY = ("-c", "user.name=wardnet", "-c", "user.email=wardnet@hcm.gov.vn")
PREFLIGHT_BYTES = 4 << 20  # room for a site's running configs (a large FortiGate config is ~1 MB)


class BackupError(OSError):
    """The store cannot keep a backup durably: nothing may be pushed."""


class BackupStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def _git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(self.root), *args], check=True, capture_output=True, text=True
        ).stdout

    def write(self, site: str, name: str, platform: str, text: str) -> Path:
        """The file is on disk (fsync, then rename) before this returns: a commit may follow it."""
        return self.write_path(site, f"{name}.{PLATFORMS[platform].extension}", text, name)

    def write_path(self, site: str, relative: str, text: str, name: str = "") -> Path:
        """write() under any name in the site's folder (a server's managed files: <server>/etc/...)."""
        name = name or relative
        with self._lock:
            path = self.root / site / relative
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                _durable(path, text.encode())
            except OSError as exc:
                raise BackupError(
                    exc.errno, f"the backup of {name} could not be written to {path} ({exc.strerror})"
                ) from None
            return path

    def preflight(self) -> None:
        """Before a commit run touches any device: the store takes PREFLIGHT_BYTES durably, or BackupError."""
        probe = self.root / ".preflight"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            _durable(probe, bytes(PREFLIGHT_BYTES))
        except OSError as exc:
            raise BackupError(
                exc.errno,
                f"the backup store {self.root} cannot take {PREFLIGHT_BYTES >> 20} MiB ({exc.strerror}): "
                "no device is changed without a durable backup; free space there",
            ) from None
        finally:
            probe.unlink(missing_ok=True)

    def head(self) -> str:
        """The latest commit id, '' before the first one."""
        if not (self.root / ".git").exists():
            return ""
        try:
            return self._git("rev-parse", "HEAD").strip()
        except subprocess.CalledProcessError:
            return ""

    def commit(self, message: str) -> bool:
        """One commit per run; False when nothing changed. Serialised across processes (shards of one
        audit on one machine share the store): git's own index.lock would fail the second one."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root.parent / f".{self.root.name}.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if not (self.root / ".git").exists():
                self._git("init", "-q")
            self._git("add", "-A")
            if not self._git("status", "--porcelain").strip():
                return False
            self._git(
                "-c",
                "user.name=wardnet",
                "-c",
                "user.email=wardnet@hcm.gov.vn",
                "commit",
                "-q",
                "-m",
                message,
            )
            return True


def _durable(path: Path, data: bytes) -> None:
    scratch = path.with_name(f".{path.name}.tmp")
    try:
        with scratch.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
