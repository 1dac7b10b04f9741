"""Regenerate inventories/wards/ from the official list of units (../shared/data/hcmc_units.csv).

The committed ward files are the source of truth: run this only to create missing files or, with
--force, to start again from the defaults. Existing files are left alone unless --force is given.
"""

from __future__ import annotations

import argparse
import csv
import sys
import unicodedata
from pathlib import Path

from wardnet.inventory import BASELINE_FILE
from wardnet.models import Baseline, slugify
from wardnet.sizing import access_switches_needed
from wardnet.yamlsrc import read_yaml

USERS_BY_TYPE = {"ward": 500, "commune": 400, "special_zone": 400, "center": 600}
TYPE_LABEL = {"ward": "Phường", "commune": "Xã", "special_zone": "Đặc khu", "center": "Thành phố:"}
CENTER = {"code": "79000", "name": "Trung tâm Phục vụ hành chính công", "type": "center"}
FIREWALL, CORE, ACCESS = "FortiGate-201F", "C9300X-24Y", "C9300-48P"


def ward_text(code: str, name: str, kind: str, baseline: Baseline) -> str:
    users = USERS_BY_TYPE[kind]
    switches = access_switches_needed(users, baseline, ACCESS)
    lines = [
        "---",
        f"# {TYPE_LABEL[kind]} {name}: only what cannot be derived (README.md, Inventory).",
        f'code: "{code}"',
        f"name: {name}",
        f"type: {kind}",
        f"concurrent_users: {users}",
        "devices:",
        f"  - {{name: fw, role: firewall, model: {FIREWALL}, members: 2}}",
        f"  - {{name: core, role: core, model: {CORE}, members: 2}}",
        *[f"  - {{name: acc{n}, role: access, model: {ACCESS}}}" for n in range(1, switches + 1)],
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--force", action="store_true", help="overwrite existing ward files")
    args = parser.parse_args()
    baseline_file = args.out.parent / BASELINE_FILE
    for needed, fix in (
        (args.csv, "the unit list ships as wardnet/data/hcmc_units.csv"),
        (baseline_file, ""),
    ):
        if not needed.is_file():
            print(
                f"generate_wards: {needed} not found; {fix or 'run from the repository root'}",
                file=sys.stderr,
            )
            return 2
    baseline = Baseline.model_validate(read_yaml(baseline_file).data)
    with args.csv.open(encoding="utf-8") as handle:
        units = [dict(row) for row in csv.DictReader(handle)]
    units.append(CENTER)
    args.out.mkdir(parents=True, exist_ok=True)
    written = 0
    for unit in units:
        name = unicodedata.normalize("NFC", unit["name"])
        # Key on the code: two communes share the slug thanh-an (25807, 27676).
        path = args.out / f"{unit['code']}-{slugify(name)}.yml"
        if path.exists() and not args.force:
            continue
        path.write_text(ward_text(unit["code"], name, unit["type"], baseline), encoding="utf-8")
        written += 1
    print(f"{written} site files written, {len(units) - written} kept, in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
