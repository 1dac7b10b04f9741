"""Fuzz corpus for `wardnet audit merge`: a seeded corpus of corrupted shard files — JSON-tree mutations,
byte corruption, special files, bad output paths — must give no traceback, exit 0/1/2 only, no write to
the history or the report on refusal, no planted secret in any output, and bounded memory."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fuzz.common import (
    CANARY,
    Case,
    corrupt_bytes,
    failures,
    mutate_tree,
    run_corpus,
    special_files,
    summary,
)
from tests.unit.test_audit_report import shards

SEED = 24
# report.json's derived figures are ignored by design: mutate them rarely, spend the corpus elsewhere
DERIVED = frozenset({"sites", "compliance", "exit_code"})
SECRET_KEYS = ["password", "secret", "tacacs_key", "psk"]
PALETTE: list[Any] = [
    None, 0, -1, 2**70, 1.5, 1e308, True, "", "x" * 5000, "quantum", "a/b", "1", "1/2/3", "0/2", "3/2",
    "1/1000000000", "2026-13-45T99:00:00", "soon", "\x1b[2J\u2028", [], {}, [[[[[]]]]], {"a": {"b": {}}},
    {"password": CANARY}, [{"secret": CANARY}],
]  # fmt: skip


CRAFTED: dict[str, bytes] = {
    "empty": b"",
    "deep-list": b"[" * 200_000 + b"]" * 200_000,
    "deep-object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "utf16": json.dumps({"run_id": "x"}).encode("utf-16"),
    "bom": b"\xef\xbb\xbf{}",
    "nan": b'{"run_id": NaN}',
    "huge-int": b'{"run_id": ' + b"1" * 100_000 + b"}",
    "many-keys": json.dumps({f"k{i}": i for i in range(50_000)}).encode(),
    "long-list": b'{"run_id": "x", "started": "2026-11-23", "finished": "2026-11-23", "devices": ['
    + b",".join([b"{}"] * 200_000)
    + b"]}",
    "null": b"null",
}


def build(tmp_path: Path) -> list[Case]:
    rng = random.Random(SEED)
    first, second = shards(tmp_path / "good")
    base = json.loads(second.read_text())
    cases: list[Case] = []

    def case(name: str, make: Callable[[Path], list[str]], *extra: str) -> None:
        folder = tmp_path / "cases" / f"{len(cases):03d}"
        folder.mkdir(parents=True)
        history, report = folder / "state" / "audit" / "history.sqlite", folder / "report"
        files = make(folder)
        argv = ["audit", "merge", *files, "--report", str(report), *extra]
        cases.append(Case(name, argv, folder, watch=[history, report]))

    def written(content: bytes) -> Callable[[Path], list[str]]:
        def make(folder: Path) -> list[str]:
            (folder / "shard.json").write_bytes(content)
            return [str(first), str(folder / "shard.json")]

        return make

    for _ in range(70):
        label, data = mutate_tree(base, rng, palette=PALETTE, secret_keys=SECRET_KEYS, copies=3, rare=DERIVED)
        case(f"tree {label}", written(json.dumps(data).encode()))
    raw = second.read_bytes()
    for _ in range(25):
        label, data_bytes = corrupt_bytes(raw, rng)
        case(f"bytes {label}", written(data_bytes))
    for name, content in CRAFTED.items():
        case(f"crafted {name}", written(content))
    for name, path in special_files(tmp_path / "special", ".json").items():
        case(f"special {name}", lambda _f, p=path: [str(first), str(p)])
    good = lambda _f: [str(first), str(second)]  # noqa: E731
    case("valid, files first", good)
    case("valid, options first", lambda _f: ["--json", str(_f / "run.json"), str(first), str(second)])
    case("only one shard", lambda _f: [str(first)])
    case("the same shard twice", lambda _f: [str(first), str(first)])
    case("report is a file", good)
    shutil.copy(first, cases[-1].cwd / "report")  # --report DIR names an existing file
    case("history not sqlite", good, "--history", "notes.txt")
    (cases[-1].cwd / "notes.txt").write_text("not a database")
    cases[-1].watch.append(cases[-1].cwd / "notes.txt")
    case("history is a fifo", good, "--history", str(tmp_path / "special" / "fifo.json"))
    return cases


def test_merge_fuzz_corpus(tmp_path: Path) -> None:
    cases = build(tmp_path)
    results = run_corpus(cases, tmp_path)
    print(summary("audit merge", results))
    assert not failures(results), "\n".join(failures(results))
    by_name = {r["name"]: r for r in results}
    assert by_name["valid, files first"]["code"] == 1  # the city run has drift: the merge itself works
    assert by_name["valid, options first"]["code"] == 1
    refused = sum(r["code"] == 2 for r in results)
    assert refused >= len(results) * 0.6, "the corpus should mostly be refused; did the mutations take?"
