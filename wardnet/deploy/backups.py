"""The config store deploy and audit share: one file per device in a git repository, history is `git log`."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from wardnet.platforms import PLATFORMS


class BackupStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    def _git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(self.root), *args], check=True, capture_output=True, text=True
        ).stdout

    def write(self, site: str, name: str, platform: str, text: str) -> Path:
        with self._lock:
            path = self.root / site / f"{name}.{PLATFORMS[platform].extension}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return path

    def head(self) -> str:
        """The latest commit id, '' before the first one."""
        if not (self.root / ".git").exists():
            return ""
        try:
            return self._git("rev-parse", "HEAD").strip()
        except subprocess.CalledProcessError:
            return ""

    def commit(self, message: str) -> bool:
        """One commit per run; False when nothing changed."""
        if not (self.root / ".git").exists():
            self.root.mkdir(parents=True, exist_ok=True)
            self._git("init", "-q")
        self._git("add", "-A")
        if not self._git("status", "--porcelain").strip():
            return False
        self._git(
            "-c", "user.name=wardnet", "-c", "user.email=wardnet@hcm.gov.vn", "commit", "-q", "-m", message
        )
        return True
