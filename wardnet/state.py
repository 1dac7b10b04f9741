"""The state directory: deploy locks, the backup store, the audit history and caches (shared by both)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """WARDNET_STATE_DIR, or build/ for a working copy (the systemd unit sets /var/lib/wardnet)."""
    return Path(os.environ.get("WARDNET_STATE_DIR", "build"))
