"""Headless Debian Chromium for the report tests: one flag set (no network, no background services), a fresh
profile per launch, and one rule for a missing browser (skip, or fail when the lab is required)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
PNG = b"\x89PNG\r\n\x1a\n"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} missing: apt-get install chromium"
    if os.environ.get("WARDNET_REQUIRE_LAB") == "1":
        pytest.fail(f"lab required (WARDNET_REQUIRE_LAB=1) but {message}")
    pytest.skip(message)


def chromium(tmp_path: Path, url: str, *mode: str) -> str:
    """Chromium's stdout (e.g. the DOM with --dump-dom) for `url`."""
    require_chromium()
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *mode, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
