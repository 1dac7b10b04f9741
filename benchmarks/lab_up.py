"""`wardnet lab up` and `lab down` timed as whole processes (benchmarks/measure.py), cold and warm, on 1 and
N sites, with the devices' memory; beside a **self-peer**: the same `wardnet lab up` booting one node at a
time (wardnet.api.set_lab_workers(1) in the same CLI process; the CLI has no option for it).

No other tool builds this lab: a containerlab-style script would have to recreate each node's FRR, Open
vSwitch and sshd set-up and the agent that loads its factory config, i.e. rewrite wardnet/lab; so the peer
is wardnet itself and is printed as "self-peer". Needs root, and the machine's namespaces to itself (exit 75
while any other lab is up). Each run starts from nothing and ends with `wardnet lab down --all`.

    .venv/bin/python -m benchmarks.lab_up [--sites 26743 26732 25777 79000] [--runs 3] [--prefix wb-]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.labrun import (
    BUSY,
    DEFAULT_PREFIX,
    LabBusyError,
    LabEnv,
    namespaces,
    require_idle_lab,
    serial_wardnet,
    site_args,
    wardnet,
)
from benchmarks.measure import REPO, Run, Series, header, row
from wardnet.api import Lab, lab_preflight, namespace_pids

DEFAULT_SITES = ["26743", "26732", "25777", "79000"]


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def device_memory(lab: LabEnv) -> tuple[int, float]:
    rows = Lab(REPO / "inventories", root=lab.lab_dir, prefix=lab.prefix).status()
    devices = [r for r in rows if r["kind"] == "device"]
    return len(devices), sum(rss_mib(pid) for r in devices for pid in namespace_pids(r["namespace"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lab_up", description=__doc__)
    parser.add_argument("--sites", nargs="+", default=DEFAULT_SITES)
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each case; the first is cold (default 3)"
    )
    parser.add_argument(
        "--prefix", default=DEFAULT_PREFIX, help=f"namespace prefix (default {DEFAULT_PREFIX})"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    lab_preflight()
    try:
        require_idle_lab(namespaces())
    except LabBusyError as exc:
        print(f"benchmarks.lab_up: {exc}", file=sys.stderr)
        return BUSY
    one, many = site_args(args.sites[:1]), site_args(args.sites)
    cases = {
        "up1": ["lab", "up", *one],
        "up1i": ["lab", "up", *one, "--load", "intended"],
        "upN": ["lab", "up", *many],
    }
    times: dict[str, list[Run]] = {
        k: [] for k in ("up1", "down1", "up1i", "down1i", "upN", "downN", "serial")
    }
    memory: dict[str, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="wardnet-lab-bench-") as scratch:
        lab = LabEnv(Path(scratch), args.prefix)
        try:
            for _ in range(args.runs):
                for case, words in cases.items():
                    times[case].append(lab.run(wardnet(*words)))
                    if case != "up1i" and case not in memory:
                        memory[case] = device_memory(lab)
                    times["down" + case[2:]].append(lab.down())
                times["serial"].append(lab.run(serial_wardnet(*cases["up1"])))
                lab.down()
        finally:
            lab.down()
    code, sites = args.sites[0], len(args.sites)
    label = {
        "up1": f"wardnet lab up, 1 site ({code}), factory",
        "down1": "wardnet lab down --all, 1 site",
        "up1i": "wardnet lab up, 1 site, --load intended",
        "down1i": "wardnet lab down --all, 1 site (intended)",
        "upN": f"wardnet lab up, {sites} sites, factory",
        "downN": f"wardnet lab down --all, {sites} sites",
        "serial": "self-peer (wardnet, 1 worker): lab up, 1 site",
    }
    table = {k: Series(label[k], runs) for k, runs in times.items()}
    print("\nwardnet lab (root, network namespaces, real daemons), whole processes", file=sys.stderr)
    print(header("self-peer/wardnet: cold, warm"))
    for key, series in table.items():
        print(row(series, table["serial"] if key == "up1" else None))
    for case, where in (("up1", f"site {code}"), ("upN", f"{sites} sites")):
        devices, total = memory[case]
        print(f"memory: {total / devices:.0f} MiB per device ({devices} devices, {where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
