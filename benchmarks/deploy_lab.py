"""`wardnet deploy --lab --commit` against a plain Nornir + NAPALM push (benchmarks/nornir_deploy.py), both
timed as whole processes by benchmarks/measure.py, cold and warm; the same lab devices, each run from
factory state (`wardnet lab up`, a fresh lab every run), the same intended configs, the same worker count
(wardnet: every site in one batch, as the peer pushes all hosts at once), host keys verified on both sides.

The two sides do not do the same work, and the table says so:
- wardnet: load the inventory, design, render, the check gate, site locks; per device open, load, diff,
  back up the running config, commit under the device's revert timer, post-checks (a fresh SSH session
  answers with the hostname; BGP neighbours up on the firewall; in the lab, the NOC's path and the site's
  policy matrix by real packets), confirm; a site is one transaction.
- peer: read the rendered files, per device open, load, diff, commit. Nothing else.
The dry-run rows time the part both do (open, load, diff, close) and nothing changes on the devices.

Correctness, checked once (first run): after wardnet's commit the peer's dry run must find nothing to
change, and after the peer's commit wardnet's dry run must find nothing to change: both pushed the same.

The peer's configs are the lab twins' intended configs (what `wardnet lab up --load intended` applies:
`wardnet render` writes the production platforms' configs, not the white-box twins'), written before any
timing, as a team would have rendered them beforehand. Needs root and the machine's namespaces to itself
(exit 75 while any other lab is up).

    .venv/bin/python -m benchmarks.deploy_lab [--sites 26743 26732 25777 79000] [--runs 3] [--workers 8]
"""

from __future__ import annotations

import argparse
import json
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
    site_args,
    wardnet,
)
from benchmarks.measure import BIN, REPO, Run, Series, header, row
from wardnet.api import Lab, lab_preflight, render_device

DEFAULT_SITES = ["26743", "26732", "25777", "79000"]
WARDNET_DOES = (
    "wardnet: inventory, design, render, check gate, site locks; per device load, diff, backup, commit "
    "with revert timer, post-checks (hostname, BGP, NOC path, policy matrix), confirm"
)
PEER_DOES = "peer (Nornir + napalm_configure): read files; per device load, diff, commit; nothing else"


def write_configs(lab: LabEnv, codes: list[str], folder: Path) -> int:
    """Each lab device's intended config as <device>.conf, from the same twin design `wardnet deploy --lab`
    pushes. A config with a secret mask in it is refused: the peer would push the mask literally."""
    twins = Lab(REPO / "inventories", root=lab.lab_dir, prefix=lab.prefix)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for code in codes:
        for name, config in twins.twin_design(code).devices.items():
            text = render_device(config)
            if "<<secret:" in text:
                raise SystemExit(
                    f"{name}: its intended config holds a secret mask; the peer cannot resolve it"
                )
            (folder / f"{name}.conf").write_text(text)
            count += 1
    return count


def peer(lab: LabEnv, configs: Path, workers: int, dry_run: bool = False) -> list[str]:
    argv = [str(BIN / "python"), "-m", "benchmarks.nornir_deploy", "--ssh-config", str(lab.ssh_config)]
    return argv + ["--configs", str(configs), "--workers", str(workers)] + (["--dry-run"] if dry_run else [])


def committed(path: Path) -> int:
    """Devices wardnet's --json says it committed."""
    return sum(1 for device in json.loads(path.read_text())["devices"] if device["status"] == "committed")


def one_run(
    lab: LabEnv, args: argparse.Namespace, configs: Path, devices: int, check: bool
) -> dict[str, Run]:
    """Both sides from factory state: dry runs and wardnet's commit on one fresh lab, the peer's commit on
    another. With `check`, each side's dry run after the other's commit must find nothing to change."""
    sites = site_args(args.sites)
    workers = ["--workers", str(args.workers), "--batch", str(len(args.sites))]  # every site in one batch
    results = lab.scratch / "deploy.json"
    times: dict[str, Run] = {}
    lab.run(wardnet("lab", "up", *sites))  # factory state
    times["dry"] = lab.run(wardnet("deploy", "--lab", *sites, *workers))
    times["peer_dry"] = lab.run(peer(lab, configs, args.workers, dry_run=True))
    times["commit"] = lab.run(
        wardnet("deploy", "--lab", "--commit", *sites, *workers, "--json", str(results))
    )
    if committed(results) != devices:
        raise RuntimeError(f"wardnet committed {committed(results)} of {devices} devices")
    if check:
        after = lab.run(peer(lab, configs, args.workers, dry_run=True)).output
        if f"{devices} hosts, 0 changed, 0 failed" not in after:
            raise RuntimeError(f"after wardnet's commit the peer still finds changes:\n{after}")
    lab.down()
    lab.run(wardnet("lab", "up", *sites))
    times["peer_commit"] = lab.run(peer(lab, configs, args.workers))
    if f"{devices} hosts, {devices} changed, 0 failed" not in times["peer_commit"].output:
        raise RuntimeError(f"the peer did not change every device:\n{times['peer_commit'].output}")
    if check:
        after = lab.run(wardnet("deploy", "--lab", *sites, *workers)).output
        if "nothing to change" not in after:
            raise RuntimeError(f"after the peer's commit wardnet still finds changes:\n{after}")
    lab.down()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.deploy_lab", description=__doc__)
    parser.add_argument("--sites", nargs="+", default=DEFAULT_SITES)
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each side; the first is cold (default 3)"
    )
    parser.add_argument("--workers", type=int, default=8, help="devices in parallel, both sides (default 8)")
    parser.add_argument(
        "--prefix", default=DEFAULT_PREFIX, help=f"namespace prefix (default {DEFAULT_PREFIX})"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.workers < 1:
        parser.error("--runs and --workers must be at least 1")
    lab_preflight()
    try:
        require_idle_lab(namespaces())
    except LabBusyError as exc:
        print(f"benchmarks.deploy_lab: {exc}", file=sys.stderr)
        return BUSY
    runs: list[dict[str, Run]] = []
    with tempfile.TemporaryDirectory(prefix="wardnet-deploy-bench-") as scratch:
        lab = LabEnv(Path(scratch), args.prefix)
        configs = Path(scratch) / "intended"
        devices = write_configs(lab, args.sites, configs)
        try:
            runs = [one_run(lab, args, configs, devices, check=n == 0) for n in range(args.runs)]
        finally:
            lab.down()
    batch = f"{len(args.sites)} sites in one batch" if len(args.sites) > 1 else "1 site"
    what = f"{devices} devices, {batch}, {args.workers} workers"
    labels = {
        "commit": f"wardnet deploy --lab --commit ({what})",
        "peer_commit": "peer: Nornir + napalm_configure, commit",
        "dry": "wardnet deploy --lab (dry run: diff only)",
        "peer_dry": "peer: Nornir + napalm_configure, dry run",
    }
    table = {key: Series(label, [run[key] for run in runs]) for key, label in labels.items()}
    print("\ndeploy from factory state, whole processes (wardnet does more: see below)", file=sys.stderr)
    print(header("peer/wardnet: cold, warm"))
    print(row(table["commit"], table["peer_commit"]))
    print(row(table["peer_commit"]))
    print(row(table["dry"], table["peer_dry"]))
    print(row(table["peer_dry"]))
    print(f"  {WARDNET_DOES}\n  {PEER_DOES}")
    print("  both pushed the same: after either side's commit the other's dry run found nothing to change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
