"""Deploy on the live lab: one site and four sites at once, against a one-device-at-a-time peer; diff time
per device.

The peer is the same deploy code with one worker: devices pushed one after another, as a plain NAPALM loop
would. Both run here, in the same process, on the same lab, each from factory state. Needs root.

    .venv/bin/python -m benchmarks.deploy_lab [--sites 26743 26732 25777 79000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from wardnet.api import BackupStore, DeviceResult, Lab, Target, deploy_device, lab_preflight, lab_targets
from wardnet.api import DeployOptions as Options
from wardnet.api import DeployPlan as Plan
from wardnet.api import deploy_targets as deploy

REPO = Path(__file__).resolve().parent.parent
PREFIX = "wb-"
DEFAULT_SITES = ["26743", "26732", "25777", "79000"]


def push(targets: list[Target], store: BackupStore, workers: int) -> tuple[float, list[DeviceResult]]:
    started = time.perf_counter()
    options = Options(commit=True, confirm_timeout=90)
    results = deploy(targets, Plan(workers=workers, batch=99), options, store)
    elapsed = time.perf_counter() - started
    bad = [r for r in results if r.status != "committed"]
    if bad:
        raise SystemExit(f"benchmark deploy failed: {[(r.name, r.status, r.error) for r in bad]}")
    return elapsed, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", nargs="+", default=DEFAULT_SITES)
    args = parser.parse_args()
    lab_preflight()
    one = args.sites[:1]
    with tempfile.TemporaryDirectory() as root:
        lab = Lab(REPO / "inventories", root=Path(root), prefix=PREFIX)
        lab.down(None)
        store = BackupStore(Path(root) / "backups")

        def targets(codes: list[str]) -> list[Target]:
            return lab_targets([lab.twin_design(code) for code in codes], lab.ssh.config, lab.ssh.key)

        try:
            lab.up(one)
            diffs = []
            for target in targets(one):  # dry-run, one device at a time: open, load, compare, close
                started = time.perf_counter()
                result = deploy_device(target, Options(), lambda t, text: None)
                diffs.append(time.perf_counter() - started)
                assert result.status == "would-change", result
            one_site, _ = push(targets(one), store, workers=8)
            lab.down(None)

            lab.up(args.sites)
            many = targets(args.sites)
            four_sites, _ = push(many, store, workers=8)
            lab.down(None)

            lab.up(args.sites)
            serial, _ = push(many, store, workers=1)
        finally:
            lab.down(None)
    title = "wardnet deploy --commit on the lab (from factory state, with post-checks and confirm)"
    print(f"\n{title}", file=sys.stderr)
    print(f"{'case':<44} {'devices':>7} {'s':>7}")
    print(f"{'1 site (' + one[0] + '), 8 workers':<44} {len(diffs):>7} {one_site:>7.1f}")
    print(f"{f'{len(args.sites)} sites at once, 8 workers':<44} {len(many):>7} {four_sites:>7.1f}")
    print(f"{'peer: one device at a time (plain loop)':<44} {len(many):>7} {serial:>7.1f}")
    print(f"ratio: {serial / four_sites:.1f}x faster than one device at a time")
    print(
        f"diff (dry-run) per device: median {statistics.median(diffs):.2f} s, "
        f"max {max(diffs):.2f} s over {len(diffs)} devices"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
