"""The wardnet command line. Exit codes: 0 all good, 1 findings, 2 could not run (bad input), 3 internal
error (a bug: one line on stderr, the traceback in STATE/logs/)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

import yaml

from wardnet.errors import InputError
from wardnet.findings import ExitCode
from wardnet.lab.system import LabError
from wardnet.options import add_format, add_inventory, add_sites

DEFAULT_OUT = Path("build/intended")
ALL_SITES = "official site code; repeat for several (default: every site)"


def cmd_show(args: argparse.Namespace) -> int:
    from wardnet.pipeline import build

    _, site_designs = build(args.inventory)
    for design in site_designs:
        if args.device in design.devices:
            yaml.safe_dump(
                design.devices[args.device].as_dict(), sys.stdout, sort_keys=False, allow_unicode=True
            )
            return ExitCode.OK
    known = [h for d in site_designs for h in d.devices]
    import difflib

    close = difflib.get_close_matches(args.device, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; names look like hcm-26743-core"
    print(f"wardnet show: no device named {args.device}{hint}", file=sys.stderr)
    return ExitCode.NOT_RUN


def cmd_render(args: argparse.Namespace) -> int:
    from wardnet.cliargs import require_paths
    from wardnet.gate import refuse_render
    from wardnet.pipeline import build, render_all
    from wardnet.render import write

    require_paths(inventory=args.inventory, out=args.out)
    inventory, everything = build(args.inventory)  # the whole city: the gate checks the plan city-wide
    chosen = {entry.site.code for entry in inventory.select(args.sites)}
    site_designs = [d for d in everything if d.plan.site.code in chosen]
    from wardnet.render import Renderer

    outputs = render_all(site_designs, Renderer(lang=args.lang or inventory.baseline.city.language))
    if refuse_render(site_designs, everything, outputs, inventory.baseline, force=args.force):
        return ExitCode.NOT_RUN
    result = write(outputs, args.out, args.sites)
    devices = sum(len(d.devices) for d in site_designs)
    for removed in result.removed:
        print(f"removed: {args.out / removed}")
    print(
        f"rendered {len(site_designs)} sites, {devices} devices into {args.out}: "
        f"{result.written} files written, {result.unchanged} unchanged, {len(result.removed)} removed"
    )
    return ExitCode.OK


def cmd_check(args: argparse.Namespace) -> int:
    from wardnet.checks.run import run_checks, run_config_check
    from wardnet.cliargs import require_paths

    if args.output is not None:
        require_paths(output=args.output)
    if args.config is not None:
        return run_config_check(
            args.config,
            platform=args.platform,
            role=args.role,
            sites=args.sites,
            inventory_dir=args.inventory,
            fmt=args.format,
            output=args.output,
        )
    if args.platform or args.role:
        print("wardnet check: --platform and --role go with --config FILE", file=sys.stderr)
        return ExitCode.NOT_RUN
    from wardnet.checks.run import Speed

    speed = Speed(jobs=args.jobs, use_cache=not args.no_cache)
    return run_checks(args.inventory, args.sites, args.format, args.output, speed)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wardnet")
    except PackageNotFoundError:
        return "unknown (not installed)"


OWN_COMMANDS = ("show", "render", "check")  # defined here; the others register from their packages


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; given one of OWN_COMMANDS, only what that command needs: the other
    packages' parsers import NAPALM, the catalogue and the design (~0.6 s CPU), which a warm-cache
    `wardnet check` does not otherwise pay."""
    root = argparse.ArgumentParser(prog="wardnet", description=__doc__)
    root.add_argument("--version", action="version", version=f"wardnet {_version()}")
    sub = root.add_subparsers(dest="command", required=True)

    show = sub.add_parser("show", help="print a device's structured config as YAML")
    show.add_argument("device", help="hostname, e.g. hcm-26743-core")
    add_inventory(show)
    show.set_defaults(func=cmd_show)

    render = sub.add_parser("render", help="render intended configs and site pages")
    add_inventory(render)
    add_sites(render, help=ALL_SITES)
    render.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default build/intended)"
    )
    render.add_argument(
        "--force", action="store_true", help="render sites even when their check has critical/high findings"
    )
    render.add_argument(
        "--lang", choices=("vi", "en"), help="site pages' language (default: the baseline's city.language)"
    )
    render.set_defaults(func=cmd_render)

    check = sub.add_parser("check", help="validate inventory, plan, capacity and the level-2 rule pack")
    add_inventory(check)
    add_sites(check, help=ALL_SITES)
    add_format(check, ["text", "json", "junit"], "text")
    check.add_argument("--output", type=Path, help="write the report here instead of stdout")
    check.add_argument("--config", type=Path, help="check one config file (e.g. a pulled running config)")
    check.add_argument("--platform", help="the --config file's platform: cisco_iosxe, fortios or frr")
    check.add_argument("--role", help="the --config device's role (firewall, core, access)")
    check.add_argument(
        "--jobs", type=int, metavar="N", help="worker processes for the sites (default: the usable cores)"
    )
    check.add_argument(
        "--no-cache", action="store_true", help="compute everything; read and write no STATE/cache/check"
    )
    check.set_defaults(func=cmd_check)
    if command in OWN_COMMANDS:
        return root

    from wardnet.plandiff import register as register_plan

    register_plan(sub)
    from wardnet.lab.cli import register as register_lab

    register_lab(sub)
    from wardnet.deploy.cli import register as register_deploy

    register_deploy(sub)
    from wardnet.audit.cli import register as register_audit

    register_audit(sub)
    from wardnet.systems.cli import register as register_systems

    register_systems(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    """Run one command; whatever goes wrong inside it, the exit code keeps its meaning for CI."""
    try:
        return _run(argv)
    except Exception as exc:  # the one place a bug becomes exit 3, never "findings" (1)
        if isinstance(exc, BrokenPipeError) and argv is None:
            # As a command, quietly when the reader of stdout goes away (wardnet show ... | head), with
            # the status of a process SIGPIPE ended (128 + 13). Not SIGPIPE's default action itself:
            # that would also end an audit whose ProxyCommand (the lab's `nc`) died with one silent
            # device, where that device alone must be reported not audited.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
            return 128 + signal.SIGPIPE
        from wardnet.crash import report_crash

        print(report_crash(exc), file=sys.stderr)
        return ExitCode.INTERNAL


def _run(argv: list[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = parser(words[0] if words else None).parse_args(argv)
    try:
        return int(args.func(args))
    except LabError as exc:
        print(f"wardnet lab: {exc}", file=sys.stderr)
        return ExitCode.NOT_RUN
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"wardnet: {len(exc.problems)} input problem(s); nothing was rendered or changed", file=sys.stderr
        )
        return ExitCode.NOT_RUN


if __name__ == "__main__":
    sys.exit(main())
