"""Render the whole city with wardnet in-process and with ansible-playbook + ansible.builtin.template.

Both use the same templates (wardnet/templates/<platform>/device.j2) and the same structured config: wardnet
hands it to Jinja2 directly; Ansible gets it as the host variable `wardnet_config` from the wardnet inventory
plugin (WARDNET_STRUCTURED_CONFIG=1) and renders one template task per device (benchmarks/ansible_render.yml,
connection local, forks 2). Prints both wall times, the ratio and peak memory, and checks that every file
Ansible rendered is byte-identical to wardnet's.

Ansible takes minutes for the whole city, so by default it renders a deterministic sample (every Nth site by
official code) and its whole-city time is extrapolated, which the output says; --full measures it instead.

    .venv/bin/python -m benchmarks.render_city [--every 8] [--full] [--forks 2] [--keep DIR]

Exit codes: 0 outputs identical, 1 outputs differ, 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INVENTORY = REPO / "inventories"
PLAYBOOK = REPO / "benchmarks" / "ansible_render.yml"
FULL_RUN_LIMIT_S = 300.0  # a whole-city Ansible run longer than this is sampled and extrapolated
ANSIBLE_TIMEOUT_S = 1800
GOAL_WARDNET_S = 5.0
GOAL_RATIO = 20.0
EXIT_OK, EXIT_DIFFERENT, EXIT_INPUT = 0, 1, 2


@dataclass
class AnsibleRun:
    seconds: float
    startup_seconds: float
    peak_rss_kb: int
    sites: list[str]
    devices: int


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.render_city",
        description="Whole-city render: wardnet in-process vs ansible-playbook + ansible.builtin.template.",
        epilog=(
            "By default Ansible renders every Nth site (--every) and its whole-city time is extrapolated "
            "from the measured per-device cost plus its measured start-up; the output says so. "
            "Exit codes: 0 identical output, 1 outputs differ, 2 could not run."
        ),
    )
    parser.add_argument(
        "--every",
        type=int,
        default=8,
        metavar="N",
        help="Ansible renders every Nth site in code order (default 8: about 21 sites, ~140 devices)",
    )
    parser.add_argument(
        "--full", action="store_true", help="Ansible renders the whole city (about 5 minutes on 2 cores)"
    )
    parser.add_argument("--forks", type=int, default=2, help="ansible-playbook forks (default 2)")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep both outputs in DIR (default: a temporary folder)"
    )
    args = parser.parse_args(argv)
    if args.every < 1 or args.forks < 1:
        parser.error("--every and --forks must be at least 1")
    return args


def render_wardnet(out: Path) -> tuple[float, float, dict[str, list[str]], int, int]:
    """(import seconds, render seconds, site folder → device files, devices, files) for the whole city."""
    started = time.perf_counter()
    from wardnet import design_sites as build
    from wardnet import render_sites as render_all
    from wardnet import write_rendered as write

    imported = time.perf_counter()
    _, site_designs = build(INVENTORY)
    outputs = render_all(site_designs)
    write(outputs, out)
    finished = time.perf_counter()
    folders: dict[str, list[str]] = {}
    for item in outputs:
        if item.hostname is not None:
            folders.setdefault(item.site, []).append(item.name)
    devices = sum(len(design.devices) for design in site_designs)
    return imported - started, finished - imported, folders, devices, len(outputs)


def ansible_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    env["WARDNET_STRUCTURED_CONFIG"] = "1"
    env["ANSIBLE_NOCOLOR"] = "1"
    return env


def run_ansible(
    out: Path, folders: dict[str, list[str]], sites: list[str], forks: int, full: bool
) -> AnsibleRun:
    """Time ansible-playbook over the given site folders (start-up measured separately with --list-hosts)."""
    from wardnet.api import TEMPLATES
    from wardnet.platforms import PLATFORMS

    for folder in sites:  # the template module needs the folder; created here, outside the timing
        (out / folder).mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        str(PLAYBOOK),
        "--forks",
        str(forks),
        "--extra-vars",
        json.dumps(
            {
                "bench_out": str(out),
                "bench_templates": str(TEMPLATES),
                "bench_extension": {k: v.extension for k, v in PLATFORMS.items()},
            }
        ),
    ]
    if not full:
        command += ["--limit", ":".join(f"site_{folder.split('-')[0]}" for folder in sites)]
    env = ansible_environment()
    started = time.perf_counter()
    listing = subprocess.run(
        [*command, "--list-hosts"],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    startup = time.perf_counter() - started
    if listing.returncode != 0:
        raise RuntimeError(f"ansible-playbook --list-hosts failed:\n{_tail(listing)}")
    started = time.perf_counter()
    result = subprocess.run(
        command, check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=ANSIBLE_TIMEOUT_S
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"ansible-playbook failed (exit {result.returncode}):\n{_tail(result)}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    devices = sum(len(folders[folder]) for folder in sites)
    return AnsibleRun(seconds, startup, peak, sites, devices)


def _tail(result: subprocess.CompletedProcess[str], lines: int = 25) -> str:
    text = (result.stdout or "") + (result.stderr or "")
    return "\n".join(text.splitlines()[-lines:])


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


def _mb(kilobytes: int) -> str:
    return f"{kilobytes / 1024:.0f} MB"


def _goal(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="wardnet-bench-") as temporary:
        root = args.keep or Path(temporary)
        wardnet_out, ansible_out = root / "wardnet", root / "ansible"
        for folder in (wardnet_out, ansible_out):
            shutil.rmtree(folder, ignore_errors=True)
        print(f"wardnet render benchmark: {INVENTORY.relative_to(REPO)}, {cores} CPU core(s) available")

        try:
            import_s, wardnet_s, folders, devices, files = render_wardnet(wardnet_out)
        except Exception as exc:  # input or template problems: nothing to compare
            print(f"wardnet could not render the city: {exc}", file=sys.stderr)
            return EXIT_INPUT
        wardnet_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        all_sites = sorted(folders)
        print(
            f"  wardnet (in-process): {len(all_sites)} sites, {devices} devices, {files} files in "
            f"{wardnet_s:.2f} s (+ {import_s:.2f} s imports); peak RSS {_mb(wardnet_rss)} (self)"
        )

        sample = all_sites if args.full else all_sites[:: args.every]
        what = "the whole city" if args.full else f"a sample: every {args.every}th site by code"
        print(f"  ansible-playbook + ansible.builtin.template, forks {args.forks}, on {what} ...", flush=True)
        try:
            run = run_ansible(ansible_out, folders, sample, args.forks, args.full)
        except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
            print(f"ansible-playbook could not run: {exc}", file=sys.stderr)
            return EXIT_INPUT
        print(
            f"  ansible: {len(run.sites)} sites, {run.devices} devices in {run.seconds:.1f} s "
            f"(start-up: inventory + playbook {run.startup_seconds:.1f} s); "
            f"peak RSS {_mb(run.peak_rss_kb)} (largest child process)"
        )
        if args.full or run.devices == devices:
            ansible_city_s = run.seconds
            basis = "measured"
        else:
            per_device = max(run.seconds - run.startup_seconds, 0.0) / run.devices
            ansible_city_s = run.startup_seconds + per_device * devices
            basis = "EXTRAPOLATED"
            print(
                f"  ansible whole city, EXTRAPOLATED from the sample: {run.startup_seconds:.1f} s start-up + "
                f"{per_device:.3f} s/device x {devices} devices = {ansible_city_s:.0f} s"
            )
            if ansible_city_s <= FULL_RUN_LIMIT_S:
                print("  (under 5 minutes: run with --full to measure it instead)")

        ratio = ansible_city_s / wardnet_s
        print()
        print(f"wardnet, whole city:           {wardnet_s:8.2f} s   peak RSS {_mb(wardnet_rss)}")
        print(
            f"ansible-playbook, whole city:  {ansible_city_s:8.1f} s   peak RSS {_mb(run.peak_rss_kb)}   "
            f"({basis})"
        )
        print(f"ratio ansible / wardnet:       {ratio:8.0f} x   ({basis})")
        print(
            f"goals: wardnet < {GOAL_WARDNET_S:.0f} s: {_goal(wardnet_s < GOAL_WARDNET_S)}; "
            f">= {GOAL_RATIO:.0f}x faster: {_goal(ratio >= GOAL_RATIO)}"
        )

        bad = compare(wardnet_out, ansible_out, folders, run.sites)
        if bad:
            print(f"OUTPUTS DIFFER: {len(bad)} of {run.devices} device files", file=sys.stderr)
            for line in bad[:10]:
                print(f"  {line}", file=sys.stderr)
            return EXIT_DIFFERENT
        print(f"byte-identical: all {run.devices} device files Ansible rendered equal wardnet's")
        if args.keep:
            print(f"outputs kept in {wardnet_out} and {ansible_out}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
