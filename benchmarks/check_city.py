"""`wardnet check` as CI runs it, timed as whole processes: the city uncached, cold and warm, and one site.

Issue 21's goals: the whole city < 3 s on 2 cores, one site < 0.5 s with a warm cache. Every series runs
against a fresh state directory (the cache lives in STATE/cache/check), so "cold" is really cold:
- `--no-cache`: everything computed on every run (the cold path, each run);
- city: the first run fills the cache (cold), the next ones are answered from it (warm);
- one site: the same, for `--site`.
There is no other tool that checks this rule pack, so the printed comparison is with the floor every command
pays: a bare `python -c "import wardnet.cli"` start-up, measured in the same run.

    .venv/bin/python -m benchmarks.check_city [--runs 3] [--site 26743]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from benchmarks.measure import BIN, header, repeat, row

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
    cores = len(os.sched_getaffinity(0))
    print(f"wardnet check benchmark (whole processes, {cores} cores; exit 1 = findings counts as a run)")
    print(header())
    for series in (floor, uncached, city, site):
        print(row(series))
    print(
        f"goals (wall; CPU in brackets, what a loaded machine cannot inflate): city < {GOAL_CITY_S:.0f} s: "
        f"uncached {_met(uncached.warm < GOAL_CITY_S)} ({uncached.warm_cpu:.2f} s CPU), "
        f"warm {_met(city.warm < GOAL_CITY_S)} ({city.warm_cpu:.2f} s CPU); one site warm < {GOAL_SITE_S} s: "
        f"{_met(site.warm < GOAL_SITE_S)} ({site.warm_cpu:.2f} s CPU; start-up floor {floor.warm:.2f} s, "
        f"{floor.warm_cpu:.2f} s CPU)"
    )
    return 0


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    sys.exit(main())
