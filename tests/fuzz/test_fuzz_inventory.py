"""A small fuzz corpus for the inventory YAML loader (the large one is the inventory mutation suite): alias
bombs, recursive aliases, deep nesting, special files in place of a ward file or the baseline, a secret
written in clear, byte corruption. No traceback, exit 0/1/2 only, nothing rendered on refusal, no
planted secret printed, bounded memory."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.conftest import BEN_THANH, INVENTORY
from tests.fuzz.common import CANARY, Case, corrupt_bytes, failures, run_corpus, summary
from tests.fuzz.test_fuzz_systems import YAML_ATTACKS

SEED = 22
BASELINE = Path("group_vars/all/baseline.yml")
SECRETS = [
    ("tacacs_key: {secret: tacacs_key}", f'tacacs_key: "{CANARY}"'),
    ("tacacs_key: {secret: tacacs_key}", f'tacacs_key: {{secret: "{CANARY}"}}'),
    ("tacacs_key: {secret: tacacs_key}", f'tacacs_key: {{secret: x, value: "{CANARY}"}}'),
    ("radius_key: {secret: radius_key}", f"radius_key: [{CANARY}]"),
    ("secret: {secret: breakglass_hash}", f'secret: "$9${CANARY}"'),
    ("auth_key: {secret: ntp_key}", f"auth_key: {{secret: {{x: {CANARY}}}}}"),
    ("auth_key: {secret: snmp_auth}", f"auth_key: {{secret: [{CANARY}]}}"),
]
SPECIAL: dict[str, Callable[[Path], None]] = {
    "dev-zero": lambda p: p.symlink_to("/dev/zero"),
    "fifo": lambda p: __import__("os").mkfifo(p),
    "symlink-loop": lambda p: p.symlink_to(p.name),
    "directory": lambda p: p.mkdir(),
    "outside-the-inventory": lambda p: p.symlink_to(INVENTORY / "wards" / p.name),
    "sparse-huge": lambda p: p.open("wb").truncate(64 * 1024**3),
}


def build(tmp_path: Path) -> list[Case]:
    rng = random.Random(SEED)
    cases: list[Case] = []
    ward_name = next((INVENTORY / "wards").glob(f"{BEN_THANH}-*.yml")).name

    def case(name: str, change: Callable[[Path], None], command: str = "render") -> None:
        folder = tmp_path / "cases" / f"{len(cases):03d}"
        root = folder / "inventories"
        shutil.copytree(INVENTORY / "group_vars", root / "group_vars")
        (root / "wards").mkdir()
        shutil.copy(INVENTORY / "wards" / ward_name, root / "wards" / ward_name)
        change(root)
        out = folder / "out"
        argv = [command, "--inventory", str(root)] + (["--out", str(out)] if command == "render" else [])
        cases.append(Case(name, argv, folder, watch=[out]))

    def replace(relative: Path, make: Callable[[Path], None]) -> Callable[[Path], None]:
        def change(root: Path) -> None:
            (root / relative).unlink()
            make(root / relative)

        return change

    def append(relative: Path, text: str) -> Callable[[Path], None]:
        return lambda root: (root / relative).write_text((root / relative).read_text() + "\n" + text)

    ward = Path("wards") / ward_name
    for name in (
        "alias-bomb",
        "recursive-alias",
        "recursive-merge-key",
        "deep-flow",
        "deep-block",
        "huge-int",
    ):
        case(f"ward {name}", append(ward, YAML_ATTACKS[name]))
        case(f"baseline {name}", append(BASELINE, YAML_ATTACKS[name]), "check")
    for name, make in SPECIAL.items():
        case(f"ward {name}", replace(ward, make))
    case("baseline dev-zero", replace(BASELINE, SPECIAL["dev-zero"]), "check")
    case("baseline fifo", replace(BASELINE, SPECIAL["fifo"]))
    case("extra ward file that is a fifo", lambda root: SPECIAL["fifo"](root / "wards" / "27000-x.yml"))
    for index, (old, new) in enumerate(SECRETS):
        case(f"clear secret {index}", lambda root, o=old, n=new: _edit(root / BASELINE, o, n))
    raw = (INVENTORY / ward).read_bytes()
    for _ in range(10):
        label, corrupted = corrupt_bytes(raw, rng)
        case(f"ward bytes {label}", lambda root, c=corrupted: (root / ward).write_bytes(c))
    case("valid", lambda root: None)
    return cases


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_inventory_loader_fuzz_corpus(tmp_path: Path) -> None:
    cases = build(tmp_path)
    results = run_corpus(cases, tmp_path)
    print(summary("inventory loader", results))
    assert not failures(results), "\n".join(failures(results))
    by_name = {r["name"]: r for r in results}
    assert by_name["valid"]["code"] == 0
    assert all(r["code"] == 2 for r in results if not r["name"].startswith(("valid", "ward bytes")))
    assert "outside" in by_name["ward outside-the-inventory"]["err"]
