"""`wardnet check` as CI runs it, timed as whole processes: the city uncached, cold and warm, and one site.

Issue 21's goals: the whole city < 3 s on 2 cores, one site < 0.5 s with a warm cache. Every series runs
against a fresh state directory (the cache lives in STATE/cache/check), so "cold" is really cold:
- `--no-cache`: everything computed on every run (the cold path, each run);
- city: the first run fills the cache (cold), the next ones are answered from it (warm);
- one site: the same, for `--site`;
- one ward edited: CI's usual push. A copy of the inventory, its cache filled once (untimed), then each run
  changes one ward's `concurrent_users` and checks the whole city: every site is still loaded, validated and
  designed (the plan is checked city-wide), only the edited ward is rendered and ruled again.
There is no other tool that checks this rule pack, so the printed comparison is with the floor every command
pays: a bare `python -c "import wardnet.cli"` start-up, measured in the same run.

    .venv/bin/python -m benchmarks.check_city [--runs 3] [--site 26743]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import BIN, REPO, Series, header, repeat, row, timed

GOAL_CITY_S = 3.0
GOAL_SITE_S = 0.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.check_city", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (default 3)")
    parser.add_argument("--site", default="26743", help="the one-site case (default 26743, Ben Thanh)")
    args = parser.parse_args(argv)
    wardnet = str(BIN / "wardnet")
    floor = repeat(
        "floor: python -c 'import wardnet.cli'", [str(BIN / "python"), "-c", "import wardnet.cli"], 3
    )
    with tempfile.TemporaryDirectory(prefix="wardnet-check-bench-") as scratch:

        def env(name: str) -> dict[str, str]:
            return {**os.environ, "WARDNET_STATE_DIR": os.path.join(scratch, name)}

        uncached = repeat(
            "wardnet check --no-cache (169 sites)",
            [wardnet, "check", "--no-cache"],
            args.runs,
            accept=(0, 1),
            env=env("none"),
        )
        city = repeat(
            "wardnet check (169 sites; cold fills the cache)",
            [wardnet, "check"],
            args.runs,
            accept=(0, 1),
            env=env("city"),
        )
        site = repeat(
            f"wardnet check --site {args.site} (cold fills the cache)",
            [wardnet, "check", "--site", args.site],
            args.runs,
            accept=(0, 1),
            env=env("site"),
        )
        edited = _one_ward_edited(wardnet, Path(scratch), args.site, args.runs, env("edited"))
    cores = len(os.sched_getaffinity(0))
    print(f"wardnet check benchmark (whole processes, {cores} cores; exit 1 = findings counts as a run)")
    print(header())
    for series in (floor, uncached, city, site, edited):
        print(row(series))
    print(
        f"goals (wall; CPU in brackets, what a loaded machine cannot inflate): city < {GOAL_CITY_S:.0f} s: "
        f"uncached {_met(uncached.warm < GOAL_CITY_S)} ({uncached.warm_cpu:.2f} s CPU), "
        f"warm {_met(city.warm < GOAL_CITY_S)} ({city.warm_cpu:.2f} s CPU), "
        f"one ward edited {_met(edited.warm < GOAL_CITY_S)} ({edited.warm_cpu:.2f} s CPU); "
        f"one site warm < {GOAL_SITE_S} s: "
        f"{_met(site.warm < GOAL_SITE_S)} ({site.warm_cpu:.2f} s CPU; start-up floor {floor.warm:.2f} s, "
        f"{floor.warm_cpu:.2f} s CPU)"
    )
    return 0


def _one_ward_edited(wardnet: str, scratch: Path, code: str, runs: int, env: dict[str, str]) -> Series:
    """The city checked after each of `runs` edits to one ward file, from a cache filled before the first."""
    inventory = scratch / "inventory"
    shutil.copytree(REPO / "inventories", inventory)
    (ward,) = (inventory / "wards").glob(f"{code}-*.yml")
    argv = [wardnet, "check", "--inventory", str(inventory)]
    timed(argv, env=env)  # fills the cache, as CI restores it from main
    text = ward.read_text(encoding="utf-8")
    users = int(re.search(r"^concurrent_users: (\d+)$", text, re.MULTILINE).group(1))  # type: ignore[union-attr]
    measured = []
    for step in range(1, runs + 1):
        ward.write_text(text.replace(f"concurrent_users: {users}", f"concurrent_users: {users + step}"))
        run = timed(argv, env=env)
        if run.returncode not in (0, 1):
            tail = run.output[-2000:]
            raise RuntimeError(f"check after editing {ward.name} exited {run.returncode}:\n{tail}")
        measured.append(run)
    return Series(f"wardnet check, city, after one ward edited ({code})", measured)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
