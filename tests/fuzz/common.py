"""What every fuzz corpus asserts: no traceback, exit 0/1/2 only, no write on refusal, no secret in any
output, peak RSS bounded. Cases are generated from a fixed seed, so a failure replays exactly."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import REPO

CANARY = "Hunter2-Clear!"  # planted in secret positions; must never be printed
MAX_RSS_MB = 400
ALLOWED = {0, 1, 2}


@dataclass
class Case:
    name: str
    argv: list[str]
    cwd: Path
    watch: list[Path] = field(default_factory=list)  # must be unchanged (or still absent) after exit 2
    env: dict[str, str] = field(default_factory=dict)
    before: dict[str, str | None] = field(default_factory=dict)


def digest(path: Path) -> str | None:
    """A path's content: a file's bytes, a folder's listing; None when absent."""
    if path.is_symlink() or not path.exists():
        return None if not path.is_symlink() else f"link:{os.readlink(path)}"
    if path.is_dir():
        return "dir:" + ",".join(sorted(p.name for p in path.iterdir()))
    if not path.is_file():
        return "special"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_corpus(cases: list[Case], work: Path) -> list[dict[str, Any]]:
    for case in cases:
        case.cwd.mkdir(parents=True, exist_ok=True)
        case.env.setdefault("WARDNET_STATE_DIR", str(case.cwd / "state"))
        case.before = {str(p): digest(p) for p in case.watch}
    spec = [{"name": c.name, "argv": c.argv, "cwd": str(c.cwd), "env": c.env} for c in cases]
    (work / "cases.json").write_text(json.dumps(spec))
    subprocess.run(
        [sys.executable, "-m", "tests.fuzz.harness", str(work / "cases.json"), str(work / "results.json")],
        cwd=REPO,
        check=True,
        timeout=600,
    )
    results = json.loads((work / "results.json").read_text())
    for case, result in zip(cases, results, strict=True):
        result["writes"] = [p for p, d in case.before.items() if digest(Path(p)) != d]
    return results


def failures(results: list[dict[str, Any]]) -> list[str]:
    """Every broken promise, one line each (empty when the corpus passed)."""
    broken = []
    for r in results:
        text = r["out"] + r["err"]
        if r["code"] not in ALLOWED:
            broken.append(f"{r['name']}: exit {r['code']}: {text[-600:]}")
        if "Traceback" in text:
            broken.append(f"{r['name']}: traceback in the output")
        if r["code"] == 2 and r["writes"]:
            broken.append(f"{r['name']}: refused but wrote {r['writes']}")
        if CANARY in text:
            broken.append(f"{r['name']}: the planted secret was printed")
        if r["rss_mb"] > MAX_RSS_MB:
            broken.append(f"{r['name']}: peak RSS {r['rss_mb']:.0f} MB")
    return broken


def summary(corpus: str, results: list[dict[str, Any]]) -> str:
    codes = {c: sum(r["code"] == c for r in results) for c in sorted({r["code"] for r in results})}
    worst = max(results, key=lambda r: r["rss_mb"])
    slowest = max(results, key=lambda r: r["seconds"])
    return (
        f"fuzz {corpus}: {len(results)} cases, exit codes {codes}, "
        f"worst peak RSS {worst['rss_mb']:.0f} MB ({worst['name']}), "
        f"slowest {slowest['seconds']:.1f} s ({slowest['name']}), "
        f"total {sum(r['seconds'] for r in results):.0f} s"
    )


def special_files(folder: Path, suffix: str) -> dict[str, Path]:
    """The inputs that hang, exhaust or loop a naive reader."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {
        "fifo": folder / f"fifo{suffix}",
        "dev-zero": folder / f"zero{suffix}",
        "directory": folder / f"dir{suffix}",
        "symlink-loop": folder / f"loop{suffix}",
        "sparse-huge": folder / f"huge{suffix}",
        "missing": folder / f"missing{suffix}",
    }
    os.mkfifo(made["fifo"])
    made["dev-zero"].symlink_to("/dev/zero")
    made["directory"].mkdir()
    made["symlink-loop"].symlink_to(made["symlink-loop"].name)
    with made["sparse-huge"].open("wb") as handle:
        handle.truncate(64 * 1024**3)  # 64 GB, no disk used
    return made


def paths_in(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of a JSON tree (dict keys and list indices)."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_in(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_in(value, (*prefix, index))
    return found


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def corrupt_bytes(raw: bytes, rng: random.Random) -> tuple[str, bytes]:
    where = rng.randrange(len(raw))
    operation = rng.choice(["truncate", "flip", "insert", "delete-span"])
    if operation == "truncate":
        return f"truncate@{where}", raw[:where]
    if operation == "flip":
        return f"flip@{where}", raw[:where] + bytes([raw[where] ^ (1 << rng.randrange(8))]) + raw[where + 1 :]
    if operation == "insert":
        junk = rng.choice([b"\x00", b"\xff\xfe", b"{", b"]", b'"', b"NaN", b"-", b"\\u0000", b"9" * 5000])
        return f"insert@{where}", raw[:where] + junk + raw[where:]
    end = min(len(raw), where + rng.randrange(1, 200))
    return f"delete@{where}-{end}", raw[:where] + raw[end:]


def mutate_tree(
    data: dict[str, Any],
    rng: random.Random,
    *,
    palette: list[Any],
    secret_keys: list[str],
    copies: int,
    rare: frozenset[str] = frozenset(),
) -> tuple[str, dict[str, Any]]:
    """One structural mutation of a JSON/YAML tree; top-level keys in `rare` are picked 5 % as often."""
    data = copy.deepcopy(data)
    paths = [p for p in paths_in(data)[1:] if p[0] not in rare or rng.random() < 0.05]
    path = rng.choice(paths)
    parent, key = at(data, path[:-1]), path[-1]
    operation = rng.choice(["delete", "replace", "replace", "extra-secret", "duplicate"])
    if operation == "delete":
        del parent[key]
    elif operation == "replace":
        parent[key] = copy.deepcopy(rng.choice(palette))
    elif operation == "extra-secret" and isinstance(parent, dict):
        parent[rng.choice(secret_keys)] = CANARY
    elif isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))  # the same entry twice
    else:
        parent[key] = [copy.deepcopy(parent[key])] * copies
    return f"{operation}:{'.'.join(map(str, path))}", data
