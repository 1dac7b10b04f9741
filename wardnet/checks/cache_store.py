"""`wardnet check`'s content-hash cache: findings kept under STATE/cache/check/, keyed by what produced them.

Two kinds of entry, each one JSON file named by its key (a SHA-256):
- `run-KEY.json`, a whole `wardnet check` (the sites chosen): KEY covers the code, every file of the
  inventory folder and the --site selection. A hit prints the same report without loading anything.
- `site-KEY.json`, one site's plan facts (its networks, hostnames, ASN and addresses, which the city-wide plan
  check reads) and, once the site was checked, its own findings (capacity, proven, the rule pack on every
  rendered config): KEY covers the code, the baseline and that site's validated inventory entry. After an
  edit only the sites whose input changed are designed, rendered and checked again; the city-wide plan check
  always runs, on every site's facts.

"The code" is every file of the wardnet package, the Python version and the installed distributions'
names and versions: any change to a rule, a template or a dependency misses. Entries are never trusted
blindly: a file that does not parse is a miss. CI keeps the folder between runs (see README, "Checking").
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from wardnet.findings import Finding
from wardnet.state import state_dir

PACKAGE = Path(__file__).resolve().parent.parent
KEPT_ENTRIES = 4000  # the city is ~170 site entries per inventory version; older entries are pruned


def folder() -> Path:
    return state_dir() / "cache" / "check"


@cache
def code_version() -> str:
    """A digest of the package's own files (sources, templates, rule data) and of the environment."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    for entry in sys.path:  # installed distributions: their folder names carry name and version
        if entry.endswith("-packages") and os.path.isdir(entry):
            digest.update("\0".join(sorted(n for n in os.listdir(entry) if n.endswith("-info"))).encode())
    return digest.hexdigest()


def files_digest(root: Path) -> str:
    """Every regular file under `root`, by relative path and bytes (hidden folders such as .git skipped)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def key(*parts: str) -> str:
    return hashlib.sha256("\0".join((code_version(), *parts)).encode()).hexdigest()


def run_key(inventory_dir: Path, sites: list[str] | None) -> str:
    selection = ",".join(sorted(set(sites))) if sites else "*"
    return key("run", files_digest(inventory_dir), selection)


def load(kind: str, digest: str) -> dict[str, Any] | None:
    try:
        data = json.loads((folder() / f"{kind}-{digest}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("key") == digest else None


def store(kind: str, digest: str, data: dict[str, Any]) -> None:
    """Written whole or not at all (rename), so a killed run never leaves half an entry."""
    target = folder()
    try:
        target.mkdir(parents=True, exist_ok=True)
        scratch = target / f".{kind}-{digest}.{os.getpid()}.tmp"
        scratch.write_text(json.dumps({**data, "key": digest}, ensure_ascii=False), encoding="utf-8")
        scratch.replace(target / f"{kind}-{digest}.json")
    except OSError:
        return  # a read-only or full state directory only costs speed


def prune(kept: int = KEPT_ENTRIES) -> None:
    """Drop the least recently written entries beyond `kept`."""
    try:
        entries = sorted(folder().glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[kept:]:
            stale.unlink(missing_ok=True)
    except OSError:
        return


def as_records(findings: Iterable[Finding]) -> list[dict[str, str]]:
    return [f.as_dict() for f in findings]


def from_records(records: list[dict[str, str]]) -> list[Finding]:
    return [Finding(**r) for r in records]
