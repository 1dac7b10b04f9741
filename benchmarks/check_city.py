"""`wardnet check` as CI runs it, timed as whole processes: the city cold and warm, and one site.

Issue 21's goals: the whole city < 3 s on 2 cores, one site < 0.5 s with a warm cache. There is no other
tool that checks this rule pack, so the printed comparison is with the floor every command pays: a bare
`python -c "import wardnet.cli"` start-up, measured in the same run.

    .venv/bin/python -m benchmarks.check_city [--runs 3] [--site 26743]
"""

from __future__ import annotations

import argparse
import sys

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
    city = repeat("wardnet check (169 sites)", [wardnet, "check"], args.runs, accept=(0, 1))
    site = repeat(
        f"wardnet check --site {args.site}", [wardnet, "check", "--site", args.site], args.runs, accept=(0, 1)
    )
    print("wardnet check benchmark (whole processes; exit 1 = findings counts as a run)")
    print(header())
    for series in (floor, city, site):
        print(row(series))
    print(
        f"goals: city warm < {GOAL_CITY_S:.0f} s: {'met' if city.warm < GOAL_CITY_S else 'NOT met'}; "
        f"one site warm < {GOAL_SITE_S} s: {'met' if site.warm < GOAL_SITE_S else 'NOT met'} "
        f"(start-up floor {floor.warm:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
