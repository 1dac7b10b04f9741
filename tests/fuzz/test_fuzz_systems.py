"""Fuzz corpus for `wardnet systems check|report`: a seeded corpus of mutated catalogues — tree mutations
of the committed sample, YAML attacks (alias bombs, recursive aliases, deep nesting, tags), byte
corruption, special files — must give no traceback, exit 0/1/2 only, no report written on refusal, no
planted secret in any output, and bounded memory."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

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
from tests.systems.conftest import SAMPLE_CATALOGUE

SEED = 2024
PALETTE: list[Any] = [
    None, 0, -1, 10**30, 1.5, True, "", "x" * 500, date(2099, 1, 1), date(1970, 1, 1),
    datetime(2025, 7, 15, 10, 0), "2025-13-01", "{{ lookup('pipe', 'id') }}", "\x1b[2J", "a\nb", "/",
    "../../etc", [], {}, [[[[]]]], {"password": CANARY}, [{"secret": CANARY}],
]  # fmt: skip


def bomb(levels: int = 9, fan: int = 9) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * fan) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * fan) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


YAML_ATTACKS: dict[str, str] = {
    "alias-bomb": bomb(),
    "alias-bomb-in-a-system": "systems:\n  - &s {id: a, x: [*s]}\n",
    "recursive-alias": "datacenter: &d [x, *d]\n",
    "recursive-merge-key": "a: &a {<<: *a}\n",
    "deep-flow": "datacenter: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep-block": "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n",
    "python-tag": "datacenter: !!python/object/apply:os.system ['id']\n",
    "unknown-tag": "datacenter: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n",
    "tabs": "datacenter:\n\tx: 1\n",
    "bom": "\ufeffdatacenter: x\n",
    "empty": "",
    "only-comment": "# nothing\n",
    "list-root": "- a\n- b\n",
    "huge-int": "review_interval_days: " + "9" * 5000 + "\n",
    "many-aliases": "a: &a x\nb: [" + ", ".join(["*a"] * 500) + "]\n",
    "undefined-alias": "datacenter: *nowhere\n",
    "nul": "datacenter: \x00\n",
}


def build(tmp_path: Path) -> list[Case]:
    rng = random.Random(SEED)
    text = SAMPLE_CATALOGUE.read_text(encoding="utf-8")
    base = yaml.safe_load(text)
    cases: list[Case] = []

    def case(name: str, catalogue: Path | None = None, content: bytes | None = None) -> None:
        folder = tmp_path / "cases" / f"{len(cases):03d}"
        folder.mkdir(parents=True)
        if catalogue is None:
            catalogue = folder / "systems.yml"
            catalogue.write_bytes(content or b"")
        output = folder / "out" / "report.md"
        if len(cases) % 2:
            argv = ["systems", "report", "--catalogue", str(catalogue), "--output", str(output)]
        else:
            argv = ["systems", "check", "--catalogue", str(catalogue)]
        cases.append(Case(name, argv, folder, watch=[output.parent]))

    for _ in range(60):
        label, data = mutate_tree(
            base, rng, palette=PALETTE, secret_keys=["password", "db_password", "secret", "api_key"], copies=2
        )
        case(f"tree {label}", content=yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode())
    raw = text.encode()
    for _ in range(25):
        label, corrupted = corrupt_bytes(raw, rng)
        case(f"bytes {label}", content=corrupted)
    for name, attack in YAML_ATTACKS.items():
        case(f"yaml {name}", content=attack.encode())
        case(f"yaml {name} appended", content=(text + "\n" + attack).encode())
    case("not UTF-8", content=b"datacenter: \xff\xfe\n")
    for name, path in special_files(tmp_path / "special", ".yml").items():
        case(f"special {name}", catalogue=path)
    case("the committed sample", catalogue=SAMPLE_CATALOGUE)
    case("the committed sample, report", catalogue=SAMPLE_CATALOGUE)
    return cases


def test_systems_fuzz_corpus(tmp_path: Path) -> None:
    cases = build(tmp_path)
    results = run_corpus(cases, tmp_path)
    print(summary("systems check|report", results))
    assert not failures(results), "\n".join(failures(results))
    by_name = {r["name"]: r for r in results}
    assert by_name["the committed sample"]["code"] in {0, 1}  # the corpus runs against a working loader
    assert by_name["yaml alias-bomb appended"]["code"] == 2
    assert "aliases are expanded" in by_name["yaml alias-bomb appended"]["err"]
    assert sum(r["code"] == 2 for r in results) >= len(results) * 0.6
