"""Rewrite tests/golden/ from the current render: `make golden`, then review `git diff tests/golden`.

This is the only writer of golden files and it asserts nothing; tests/unit/test_render.py only reads them,
so a test run can never bless its own output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wardnet.inventory import load_inventory
from wardnet.pipeline import designs, render_all

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"


def golden_codes(golden: Path) -> list[str]:
    """The sites that already have golden files (folders are named <code>-<slug>)."""
    return sorted(path.name.split("-", 1)[0] for path in golden.iterdir() if path.is_dir())


def update(inventory_dir: Path, golden: Path, codes: list[str]) -> list[Path]:
    """Write every rendered file of the given sites; remove files the render no longer produces."""
    changed: list[Path] = []
    outputs = render_all(designs(load_inventory(inventory_dir), codes))
    for folder in {item.site for item in outputs}:
        wanted = {item.name for item in outputs if item.site == folder}
        for stale in (golden / folder).glob("*") if (golden / folder).is_dir() else ():
            if stale.name not in wanted:
                stale.unlink()
                changed.append(stale)
    for item in outputs:
        path = golden / item.site / item.name
        if not path.is_file() or path.read_text(encoding="utf-8") != item.text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(item.text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", action="append", help="site code (default: every site in tests/golden)")
    parser.add_argument("--inventory", type=Path, default=REPO / "inventories")
    parser.add_argument("--golden", type=Path, default=GOLDEN)
    args = parser.parse_args(argv)
    codes = args.site or golden_codes(args.golden)
    changed = update(args.inventory, args.golden, codes)
    for path in changed:
        print(f"{'removed' if not path.exists() else 'wrote'} {path}")
    print(f"{len(changed)} golden files changed for {len(codes)} sites; review with `git diff tests/golden`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
