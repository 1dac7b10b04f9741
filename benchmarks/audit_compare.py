"""The compare engine on 2,500 rendered configs with seeded drift, against netutils and hier_config.

All sides get the same (intended, running) pairs: every IOS-XE and FortiOS device of the city rendered by
wardnet, cycled to 2,500, each running config carrying seeded drift (a changed line, an extra line, a
removed line). Each side runs as its own process (benchmarks/compare_side.py), timed whole by
benchmarks/measure.py, one core each, in the same run; a floor side only reads the pairs, so each side's
peak RSS is also printed above what holding the input costs (the input dominates every side's peak):
- wardnet `audit_device`: normalise, compare by block, features, severity, diff and remediation;
- peer netutils `compliance()` with the same features as top-level sections (Nautobot Golden Config's check);
- peer hier_config `WorkflowRemediation` over the whole configs (remediation, what wardnet also produces).

    .venv/bin/python -m benchmarks.audit_compare [--configs 2500] [--seed 7] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import BIN, Series, header, mb, repeat, row
from wardnet import load_inventory
from wardnet import select_designs as designs
from wardnet.api import Renderer

REPO = Path(__file__).resolve().parent.parent


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_setting(line: str, following: str) -> bool:
    """An indented leaf line with a value: not a block header, not a closer."""
    words = line.split()
    return (
        line.startswith(" ")
        and len(words) >= 2
        and words[0] not in {"edit", "config"}
        and _depth(following) <= _depth(line)
    )


def drifted(platform: str, text: str, rng: random.Random, n: int) -> str:
    """A running config: one leaf line changed, one removed, one extra (IOS) or one setting changed."""
    lines = text.splitlines()
    leaves = [i for i in range(len(lines) - 1) if _is_setting(lines[i], lines[i + 1])]
    changed, removed = rng.sample(leaves, 2)
    lines[changed] = lines[changed] + " drift"
    del lines[removed]
    if platform == "cisco_iosxe":
        lines.append(f"ntp server 203.0.113.{n % 250 + 1}")
    return "\n".join(lines) + "\n"


def pairs(count: int, seed: int) -> list[tuple[str, str, str, str]]:
    inventory = load_inventory(REPO / "inventories")
    renderer = Renderer()
    city = [
        (name, config.platform, renderer.device(config))
        for design in designs(inventory)
        for name, config in design.devices.items()
    ]
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name, platform, text = city[i % len(city)]
        out.append((name, platform, text, drifted(platform, text, rng, i)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--configs", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=2, help="runs of each side (default 2: cold, warm)")
    args = parser.parse_args()
    work = pairs(args.configs, args.seed)
    ios = sum(p == "cisco_iosxe" for _, p, _, _ in work)
    with tempfile.TemporaryDirectory(prefix="wardnet-compare-") as scratch:
        data = Path(scratch) / "pairs.json"
        data.write_text(json.dumps(work), encoding="utf-8")
        side = [str(BIN / "python"), "-m", "benchmarks.compare_side"]
        runs = {
            name: repeat(label, [*side, name, str(data)], args.runs)
            for name, label in (
                ("wardnet", "wardnet compare (+ diff, remediation, severity)"),
                ("netutils", "peer: netutils compliance (features by section)"),
                ("hier_config", "peer: hier_config WorkflowRemediation (whole configs)"),
                ("load", "floor: read the pairs, compare nothing"),
            )
        }
    print(f"compare benchmark: {len(work)} configs ({ios} IOS-XE), whole processes, one core each")
    print(header("peer / wardnet: cold, warm (wall), warm CPU"))
    print(row(runs["wardnet"]))
    for name in ("netutils", "hier_config"):
        print(_vs(runs[name], runs["wardnet"]))
    print(row(runs["load"]))
    for name, series in runs.items():
        print(f"  {name}: {series.runs[-1].output.strip()}")
    held = runs["load"].peak_rss_kb
    print(
        "peak RSS of each side's own process (wait4), and above the floor that only holds the pairs: "
        + ", ".join(
            f"{name} {mb(runs[name].peak_rss_kb)} (+{mb(max(0, runs[name].peak_rss_kb - held))})"
            for name in ("wardnet", "netutils", "hier_config")
        )
    )
    ours = runs["wardnet"]
    cpu = {name: runs[name].warm_cpu / ours.warm_cpu for name in ("netutils", "hier_config")}
    print(
        f"goals (warm CPU, fair on a shared machine): >= 5x netutils: {_met(cpu['netutils'] >= 5)} "
        f"({cpu['netutils']:.1f}x); >= 3x hier_config: {_met(cpu['hier_config'] >= 3)} "
        f"({cpu['hier_config']:.1f}x)"
    )
    return 0


def _vs(peer: Series, ours: Series) -> str:
    return (
        f"{row(peer)}   {peer.cold / ours.cold:6.1f}x {peer.warm / ours.warm:6.1f}x"
        f"   CPU {peer.warm_cpu / ours.warm_cpu:5.1f}x"
    )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
