"""Lab bring-up and teardown: 1 and 4 sites, memory per device, against a one-node-at-a-time peer.

The peer is the same lab code with one worker: nodes booted one after another, as a plain shell script
would. Both run here, in the same process, on the same machine. Needs root (the lab does).

    .venv/bin/python -m benchmarks.lab_up [--sites 26743 26732 25777 79000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from wardnet.api import Lab, lab_preflight, namespace_pids, set_lab_workers

REPO = Path(__file__).resolve().parent.parent
PREFIX = "wb-"
DEFAULT_SITES = ["26743", "26732", "25777", "79000"]


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def device_memory(lab: Lab) -> tuple[int, float]:
    devices = [row for row in lab.status() if row["kind"] == "device"]
    total = sum(rss_mib(pid) for row in devices for pid in namespace_pids(row["namespace"]))
    return len(devices), total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", nargs="+", default=DEFAULT_SITES)
    args = parser.parse_args()
    lab_preflight()
    one = args.sites[:1]
    with tempfile.TemporaryDirectory() as root:
        lab = Lab(REPO / "inventories", root=Path(root), prefix=PREFIX)
        lab.down(None)
        rows = []
        up1 = timed(lambda: lab.up(one))
        devices, memory = device_memory(lab)
        down1 = timed(lambda: lab.down(None))
        rows.append(("1 site, factory", up1, down1))
        up1i = timed(lambda: lab.up(one, load="intended"))
        rows.append(("1 site, intended config", up1i, timed(lambda: lab.down(None))))
        up4 = timed(lambda: lab.up(args.sites))
        devices4, memory4 = device_memory(lab)
        rows.append((f"{len(args.sites)} sites, factory", up4, timed(lambda: lab.down(None))))
        workers = set_lab_workers(1)
        try:
            serial = timed(lambda: lab.up(one))
            lab.down(None)
        finally:
            set_lab_workers(workers)
    print("\nwardnet lab bring-up (root, network namespaces, real daemons)", file=sys.stderr)
    print(f"{'case':<28} {'up s':>7} {'down s':>7}")
    for name, up, down in rows:
        print(f"{name:<28} {up:>7.2f} {down:>7.2f}")
    print(f"peer: one node at a time      {serial:>7.2f}   ratio {serial / up1:.1f}x (site {one[0]})")
    print(
        f"memory: {memory / devices:.0f} MiB per device ({devices} devices, site {one[0]}); "
        f"{memory4 / devices4:.0f} MiB per device over {devices4} devices in {len(args.sites)} sites"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
