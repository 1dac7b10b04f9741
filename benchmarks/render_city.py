"""Render the whole city: `wardnet render` against ansible-playbook + ansible.builtin.template, and the floor.

Every side is timed as a whole process from exec to exit by benchmarks/measure.py (start-up, imports and
inventory loading included on each side):
- `wardnet render --force`: load and validate the inventory, design, render, run the check gate on every
  rendered text, write configs, site pages and the manifest;
- the floor, benchmarks/bare_render.py: a bare Jinja2 loop over the same structured configs, precomputed as
  JSON outside the timing (no inventory, design, check or canonical form);
- the peer, ansible-playbook + ansible.builtin.template (benchmarks/ansible_render.yml, forks 2): the wardnet
  inventory plugin hands each host its structured config; one template task per device.
wardnet and the floor run --runs times (cold = the first, warm = the median of the rest). Ansible renders
the whole city by default (about 5 minutes a run on 2 cores); --every N samples every Nth site instead and
the ratio line then says EXTRAPOLATED. Every device file Ansible writes must be byte-identical to wardnet's.

    .venv/bin/python -m benchmarks.render_city [--runs 3] [--ansible-runs 1] [--every N] [--keep DIR]

Exit codes: 0 outputs identical, 1 outputs differ, 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import BIN, REPO, Run, Series, header, repeat, row, timed

INVENTORY = REPO / "inventories"
PLAYBOOK = REPO / "benchmarks" / "ansible_render.yml"
ANSIBLE_TIMEOUT_S = 1800
GOAL_WARDNET_S = 5.0
GOAL_RATIO = 20.0
GOAL_FLOOR = 3.0
EXIT_OK, EXIT_DIFFERENT, EXIT_INPUT = 0, 1, 2


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.render_city",
        description="Whole-city render as whole processes: wardnet, a bare Jinja2 floor, ansible-playbook.",
        epilog="Exit codes: 0 identical output, 1 outputs differ, 2 could not run.",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of wardnet and of the floor (default 3)")
    parser.add_argument("--ansible-runs", type=int, default=1, help="runs of ansible-playbook (default 1)")
    parser.add_argument(
        "--every", type=int, default=1, metavar="N", help="Ansible renders every Nth site (default 1: all)"
    )
    parser.add_argument("--forks", type=int, default=2, help="ansible-playbook forks (default 2)")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep the outputs in DIR (default: a temporary folder)"
    )
    args = parser.parse_args(argv)
    if min(args.runs, args.ansible_runs, args.every, args.forks) < 1:
        parser.error("--runs, --ansible-runs, --every and --forks must be at least 1")
    return args


def structured_configs(path: Path) -> tuple[dict[str, list[str]], int]:
    """Write every device's structured config with its output path (the floor's input); site → files."""
    from wardnet import design_sites, render_sites

    _, designs = design_sites(INVENTORY)
    configs = {name: config for design in designs for name, config in design.devices.items()}
    items: list[dict[str, object]] = []
    folders: dict[str, list[str]] = {}
    for item in render_sites(designs):  # the paths render gives each device file
        if item.hostname is not None:
            items.append({"path": f"{item.site}/{item.name}", "config": configs[item.hostname].as_dict()})
            folders.setdefault(item.site, []).append(item.name)
    path.write_text(json.dumps(items), encoding="utf-8")
    return folders, len(items)


def ansible_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    env["WARDNET_STRUCTURED_CONFIG"] = "1"
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def ansible_command(out: Path, sites: list[str] | None, forks: int) -> list[str]:
    from wardnet.api import TEMPLATES
    from wardnet.platforms import PLATFORMS

    command = [str(BIN / "ansible-playbook"), str(PLAYBOOK), "--forks", str(forks), "--extra-vars"]
    command.append(
        json.dumps(
            {
                "bench_out": str(out),
                "bench_templates": str(TEMPLATES),
                "bench_extension": {k: v.extension for k, v in PLATFORMS.items()},
            }
        )
    )
    if sites is not None:
        command += ["--limit", ":".join(f"site_{folder.split('-')[0]}" for folder in sites)]
    return command


def compare(
    wardnet_out: Path, ansible_out: Path, folders: dict[str, list[str]], sites: list[str]
) -> list[str]:
    """Every device file of the sampled sites, byte for byte; returns the differing/missing ones."""
    bad = []
    for folder in sites:
        for name in folders[folder]:
            ours, theirs = wardnet_out / folder / name, ansible_out / folder / name
            if not theirs.is_file():
                bad.append(f"{folder}/{name}: Ansible wrote no file")
            elif ours.read_bytes() != theirs.read_bytes():
                bad.append(f"{folder}/{name}: differs ({_first_difference(ours, theirs)})")
    return bad


def _first_difference(ours: Path, theirs: Path) -> str:
    a = ours.read_text(encoding="utf-8").splitlines(keepends=True)
    b = theirs.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, (left, right) in enumerate(zip(a, b, strict=False), start=1):
        if left != right:
            return f"line {number}: wardnet {left!r} / ansible {right!r}"
    return f"wardnet {len(a)} lines / ansible {len(b)} lines"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="wardnet-bench-") as temporary:
        root = args.keep or Path(temporary)
        for folder in ("wardnet", "floor", "ansible"):
            shutil.rmtree(root / folder, ignore_errors=True)
        print(
            f"wardnet render benchmark: {INVENTORY.relative_to(REPO)}, {cores} CPU core(s), whole processes"
        )
        try:
            folders, devices = structured_configs(root / "configs.json")
        except Exception as exc:  # input or template problems: nothing to compare
            print(f"wardnet could not design the city: {exc}", file=sys.stderr)
            return EXIT_INPUT
        sites = sorted(folders)
        sample = sites[:: args.every]
        sampled = len(sample) != len(sites)
        for folder in sample:  # the template module needs the folder; created outside the timing
            (root / "ansible" / folder).mkdir(parents=True, exist_ok=True)
        print(f"  {len(sites)} sites, {devices} devices; Ansible renders {len(sample)} sites", flush=True)
        wardnet_cmd = [str(BIN / "wardnet"), "render", "--force", "--out", str(root / "wardnet")]
        floor_cmd = [str(BIN / "python"), "-m", "benchmarks.bare_render", str(root / "configs.json")]
        floor_cmd.append(str(root / "floor"))
        try:
            ours = repeat("wardnet render (design, render, check gate, write)", wardnet_cmd, args.runs)
            floor = repeat("floor: bare Jinja2 loop over the same configs", floor_cmd, args.runs)
            theirs = repeat(
                f"ansible-playbook + template, forks {args.forks}" + (" (sample)" if sampled else ""),
                ansible_command(root / "ansible", sample if sampled else None, args.forks),
                args.ansible_runs,
                env=ansible_environment(),
                timeout=ANSIBLE_TIMEOUT_S,
            )
        except (RuntimeError, OSError) as exc:
            print(f"could not run: {exc}", file=sys.stderr)
            return EXIT_INPUT
        sample_devices = sum(len(folders[f]) for f in sample)
        if sampled:  # the per-device cost scaled to the city, plus Ansible's start-up once
            listing = [*ansible_command(root / "ansible", sample, args.forks), "--list-hosts"]
            startup = timed(listing, env=ansible_environment()).seconds
            theirs = _extrapolated(theirs, startup, devices / sample_devices)
            print(f"  Ansible start-up (inventory + playbook, --list-hosts): {startup:.1f} s")
        print()
        print(header("ratio to wardnet cold, warm"))
        print(row(ours))
        print(row(floor))
        print(row(theirs) + ("   EXTRAPOLATED" if sampled else ""))
        basis = "EXTRAPOLATED from a sample" if sampled else "measured, whole city"
        warm_note = "" if args.ansible_runs > 1 else " (Ansible ran once: its warm = its cold)"
        print(
            f"  ansible / wardnet: cold {theirs.cold / ours.cold:.0f}x, warm {theirs.warm / ours.warm:.0f}x "
            f"({basis}){warm_note}"
        )
        print(f"  wardnet / floor:   cold {ours.cold / floor.cold:.1f}x, warm {ours.warm / floor.warm:.1f}x")
        print(
            f"goals: wardnet warm < {GOAL_WARDNET_S:.0f} s: {_goal(ours.warm < GOAL_WARDNET_S)}; "
            f">= {GOAL_RATIO:.0f}x Ansible: {_goal(theirs.warm / ours.warm >= GOAL_RATIO)}; "
            f"<= {GOAL_FLOOR:.0f}x the floor: {_goal(ours.warm / floor.warm <= GOAL_FLOOR)}"
        )
        bad = compare(root / "wardnet", root / "ansible", folders, sample)
        if bad:
            print(f"OUTPUTS DIFFER: {len(bad)} of {sample_devices} device files", file=sys.stderr)
            for line in bad[:10]:
                print(f"  {line}", file=sys.stderr)
            return EXIT_DIFFERENT
        print(f"byte-identical: all {sample_devices} device files Ansible rendered equal wardnet's")
        if args.keep:
            print(f"outputs kept in {root}")
    return EXIT_OK


def _extrapolated(series: Series, startup: float, factor: float) -> Series:
    runs = [
        Run(startup + max(r.seconds - startup, 0.0) * factor, r.peak_rss_kb, r.returncode, r.output)
        for r in series.runs
    ]
    return Series(series.label, runs)


def _goal(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
