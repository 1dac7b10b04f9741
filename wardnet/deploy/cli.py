"""`wardnet deploy`: dry-run by default; --commit pushes behind the check gate and the site locks."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from wardnet.deploy.run import EXIT_NOT_RUN


def state_dir() -> Path:
    """Locks and the backup store (shared with the audit)."""
    return Path(os.environ.get("WARDNET_STATE_DIR", "build"))


def cmd_deploy(args: argparse.Namespace) -> int:
    from wardnet.checks.run import check_designs, emit
    from wardnet.deploy.backups import BackupStore
    from wardnet.deploy.device import Options
    from wardnet.deploy.lock import SiteLockedError, site_locks
    from wardnet.deploy.run import Plan, deploy, report
    from wardnet.deploy.targets import lab_targets, production_targets
    from wardnet.pipeline import build, designs

    if not args.all and not args.sites:
        print("wardnet deploy: give --site CODE (repeatable) or --all", file=sys.stderr)
        return EXIT_NOT_RUN
    inventory, everything = build(args.inventory)
    selected = everything if args.all else designs(inventory, args.sites)
    codes = [d.plan.site.code for d in selected]
    if args.canary and args.canary not in codes:
        print(f"wardnet deploy: canary {args.canary} is not among the targeted sites", file=sys.stderr)
        return EXIT_NOT_RUN
    findings = check_designs(selected, everything, inventory.baseline)
    if findings:  # the gate: nothing unchecked reaches a device
        emit(findings, "text", None, devices=sum(len(d.devices) for d in selected), sites=len(selected))
        print("wardnet deploy: the check gate failed; nothing was pushed", file=sys.stderr)
        return EXIT_NOT_RUN
    if args.lab:
        from wardnet.design import design_site
        from wardnet.design.twin import whitebox_twin
        from wardnet.lab.manager import Lab

        lab = Lab(args.inventory)
        twins = [
            design_site(whitebox_twin(d.plan.site, inventory.baseline), inventory.baseline) for d in selected
        ]
        targets = lab_targets(twins, lab.ssh.config, lab.ssh.key)
    else:
        targets = production_targets(selected)
    options = Options(commit=args.commit, confirm_timeout=args.confirm_timeout)
    plan = Plan(canary=args.canary, batch=args.batch, max_failures=args.max_failures, workers=args.workers)
    try:
        with site_locks(state_dir() / "locks", codes):
            results = deploy(targets, plan, options, BackupStore(state_dir() / "backups"))
    except SiteLockedError as exc:
        print(f"wardnet deploy: {exc}", file=sys.stderr)
        return EXIT_NOT_RUN
    return report(results, args.commit, args.json)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    deploy = sub.add_parser(
        "deploy", help="push intended configs: dry-run diff by default, --commit to apply"
    )
    deploy.add_argument("--inventory", type=Path, default=Path("inventories"))
    deploy.add_argument("--site", action="append", dest="sites", metavar="CODE")
    deploy.add_argument("--all", action="store_true", help="every site")
    deploy.add_argument("--lab", action="store_true", help="target the sites' white-box twins in the lab")
    deploy.add_argument("--commit", action="store_true", help="apply (default: show the diff only)")
    deploy.add_argument("--canary", metavar="CODE", help="deploy this site first, alone")
    deploy.add_argument("--batch", type=int, default=1, metavar="N", help="sites per batch after the canary")
    deploy.add_argument(
        "--max-failures",
        type=int,
        default=0,
        metavar="K",
        help="failed devices tolerated before the rollout stops (default 0)",
    )
    deploy.add_argument(
        "--confirm-timeout",
        type=int,
        default=120,
        metavar="S",
        help="the device reverts by itself unless confirmed within S seconds",
    )
    deploy.add_argument("--workers", type=int, default=8, help="devices in parallel")
    deploy.add_argument("--json", type=Path, metavar="PATH", help="per-device results as JSON")
    deploy.set_defaults(func=cmd_deploy)
