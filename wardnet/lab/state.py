"""What the lab has built, on disk (lab/state.json), behind a lock so two lab commands never interleave."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent.parent


def lab_root() -> Path:
    return Path(os.environ.get("WARDNET_LAB_DIR", REPO / "lab"))


def lab_prefix() -> str:
    return os.environ.get("WARDNET_LAB_PREFIX", "wn-")


@dataclass
class LabState:
    prefix: str
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    city: dict[str, Any] | None = None

    def to_json(self) -> str:
        return json.dumps({"prefix": self.prefix, "sites": self.sites, "city": self.city}, indent=1) + "\n"


def load(root: Path, prefix: str) -> LabState:
    path = root / "state.json"
    if not path.exists():
        return LabState(prefix)
    data = json.loads(path.read_text())
    return LabState(data.get("prefix", prefix), data.get("sites", {}), data.get("city"))


def save(root: Path, state: LabState) -> None:
    path = root / "state.json"
    if not state.sites and state.city is None:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(state.to_json())
    tmp.replace(path)


@contextmanager
def locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
