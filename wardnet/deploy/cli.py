"""`wardnet deploy`: dry-run by default; --commit pushes behind the check gate and the site locks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wardnet.options import add_inventory, add_sites
from wardnet.state import state_dir


def cmd_deploy(args: argparse.Namespace) -> int:
    from wardnet.deploy.device import Options
    from wardnet.deploy.job import DeployRequest, execute
    from wardnet.deploy.run import Plan, report

    request = DeployRequest(
        inventory=args.inventory,
        sites=tuple(args.sites or ()),
        all=args.all,
        lab=args.lab,
        plan=Plan(canary=args.canary, batch=args.batch, max_failures=args.max_failures, workers=args.workers),
        options=Options(commit=args.commit, confirm_timeout=args.confirm_timeout, per_device=args.per_device),
        state_dir=state_dir(),
        break_lock=args.break_lock,
        accept_new=args.accept_new,
    )
    outcome = execute(request)
    if outcome.findings_text:
        print(outcome.findings_text)
    if outcome.message:
        print(f"wardnet deploy: {outcome.message}", file=sys.stderr)
        return outcome.code
    return report(outcome.results, args.commit, args.json)


def cmd_enroll(args: argparse.Namespace) -> int:
    """Record each device's SSH host key on first contact; a changed key is reported, never replaced."""
    from wardnet.deploy import hostkeys
    from wardnet.pipeline import build, designs

    if not args.all and not args.sites:
        print("wardnet devices enroll: give --site CODE (repeatable) or --all", file=sys.stderr)
        return 2
    inventory, everything = build(args.inventory)
    selected = everything if args.all else designs(inventory, list(args.sites))
    devices = [
        (name, config.management.address, args.port)
        for design in selected
        for name, config in design.devices.items()
    ]
    store = hostkeys.store_path(state_dir())
    done = hostkeys.enroll(store, devices, "wardnet devices enroll")
    width = max([len(e.name) for e in done] + [6])
    for e in done:
        print(f"{e.name.ljust(width)}  {e.entry:<22} {e.status:<11} {e.detail}")
    print(f"store: {store}")
    return 1 if any(e.status in ("mismatch", "unreachable") for e in done) else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    devices = sub.add_parser("devices", help="the devices wardnet trusts: SSH host key enrolment")
    actions = devices.add_subparsers(dest="action", required=True)
    enroll = actions.add_parser(
        "enroll", help="record each device's SSH host key on first contact (a changed key is refused)"
    )
    add_inventory(enroll)
    add_sites(enroll)
    enroll.add_argument("--all", action="store_true", help="every site")
    enroll.add_argument("--port", type=int, default=22, help="SSH port of the devices (default 22)")
    enroll.set_defaults(func=cmd_enroll)

    deploy = sub.add_parser(
        "deploy", help="push intended configs: dry-run diff by default, --commit to apply"
    )
    add_inventory(deploy)
    add_sites(deploy)
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
    deploy.add_argument(
        "--per-device",
        action="store_true",
        help="confirm each device on its own post-checks (default: each site is one transaction)",
    )
    deploy.add_argument(
        "--accept-new",
        action="store_true",
        help="enrol the SSH host key of devices not yet enrolled (first contact; named in the results)",
    )
    deploy.add_argument("--workers", type=int, default=8, help="devices in parallel")
    deploy.add_argument(
        "--break-lock",
        action="store_true",
        help="take over a stale site lock left by a run on another host (same-host stale locks need nothing)",
    )
    deploy.add_argument("--json", type=Path, metavar="PATH", help="per-device results as JSON")
    deploy.set_defaults(func=cmd_deploy)
