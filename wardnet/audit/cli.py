"""`wardnet audit`: nightly drift audit; `wardnet audit merge`: combine shard results into one report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from wardnet.audit.model import AuditRun
from wardnet.findings import SEVERITIES, ExitCode
from wardnet.i18n import LANGUAGES
from wardnet.options import add_inventory, add_sites
from wardnet.state import state_dir

if TYPE_CHECKING:  # the audit job imports NAPALM (~0.8 s): not for every command's parser
    from wardnet.audit.job import Outputs


def outputs(args: argparse.Namespace) -> Outputs:
    from wardnet.audit.job import Outputs
    from wardnet.i18n import default_language

    history = args.history or state_dir() / "audit" / "history.sqlite"
    lang = args.lang or default_language(args.inventory)
    return Outputs(history=history, report=args.report, json=args.json, metrics=args.metrics, lang=lang)


SHOWN_FINDINGS = 20  # per device on the terminal; the report has them all


def print_findings(run: AuditRun) -> None:
    """Each drifted device's findings, worst first, like a linter: severity, feature, kind, line, where."""
    for device in run.devices:
        if device.status != "drift" and not device.baseline:
            continue
        print(f"--- {device.name} ({device.site}): {len(device.active)} findings")
        ranked = sorted(device.active, key=lambda f: SEVERITIES.index(f.severity))
        for f in ranked[:SHOWN_FINDINGS]:
            where = f" [{f.section}]" if f.section else ""
            change = f"{f.intended} -> {f.running}" if f.kind == "changed" else f.line
            print(f"  {f.severity:<8} {f.feature:<10} {f.kind:<7} {change}{where}")
        if len(ranked) > SHOWN_FINDINGS:
            print(f"  ... {len(ranked) - SHOWN_FINDINGS} more in the report")
        rules = sorted(device.baseline, key=lambda r: SEVERITIES.index(r.severity))
        for r in rules[:SHOWN_FINDINGS]:
            print(f"  {r.severity:<8} {'baseline':<10} {r.rule:<7} {r.message} (fix: {r.fix})")
        if len(rules) > SHOWN_FINDINGS:
            print(f"  ... {len(rules) - SHOWN_FINDINGS} more baseline findings in the report")


def print_table(run: AuditRun, remediate: bool) -> None:
    print_findings(run)
    if remediate:
        for device in run.devices:
            if device.status == "drift" and device.remediation:
                print(f"=== {device.name} ({device.platform}): remediation")
                print(device.remediation.rstrip("\n"))
    width = max([len(d.name) for d in run.devices] + [6])
    print(f"\n{'DEVICE'.ljust(width)}  {'SITE':<6} {'STATUS':<12} {'COMPL.':>6}  DRIFT")
    for d in run.devices:
        score = d.compliance()
        shown = "-" if score is None else f"{score:.0f}%"
        detail = d.error or ", ".join(
            [f"{f} ({len([x for x in d.active if x.feature == f])})" for f in d.drifted_features()]
            + ([f"baseline ({len(d.baseline)})"] if d.baseline else [])
        )
        print(f"{d.name.ljust(width)}  {d.site:<6} {d.status:<12} {shown:>6}  {detail}".rstrip())
    counts = {s: sum(d.status == s for d in run.devices) for s in ("compliant", "drift", "not-audited")}
    expired = f"; {len(run.expired_ignores)} expired ignore rules" if run.expired_ignores else ""
    print(
        f"audit {run.run_id}: {len(run.devices)} devices: {counts['compliant']} compliant, "
        f"{counts['drift']} drifted, {counts['not-audited']} not audited{expired}"
    )
    if run.backup_error:
        print(f"BACKUP FAILED: {run.backup_error}")


def cmd_audit(args: argparse.Namespace) -> int:
    from wardnet.audit.job import execute
    from wardnet.audit.run import AuditRequest

    if not args.all and not args.sites:
        print("wardnet audit: give --site CODE (repeatable) or --all", file=sys.stderr)
        return ExitCode.NOT_RUN
    if args.commit and not args.remediate:
        print("wardnet audit: --commit applies remediation: give --remediate --commit", file=sys.stderr)
        return ExitCode.NOT_RUN
    if args.shard:
        from wardnet.audit.shard import ShardError, parse_shard

        try:
            parse_shard(args.shard)
        except ShardError as exc:
            print(f"wardnet audit: {exc}", file=sys.stderr)
            return ExitCode.NOT_RUN
    request = AuditRequest(
        inventory=args.inventory,
        sites=tuple(args.sites or ()),
        all=args.all,
        lab=args.lab,
        shard=args.shard or "",
        servers=args.servers,
        workers=args.workers,
        state_dir=state_dir(),
    )
    outcome = execute(request, outputs(args), args.remediate and args.commit, args.confirm_timeout)
    print_table(outcome.run, args.remediate)
    if outcome.fixes:
        from wardnet.deploy.run import report

        print("\nremediation through the deploy path:")
        report(outcome.fixes, True, None)
    return outcome.code


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = sub.add_parser(
        "audit",
        help="compare every device's running config with its intended config: drift by feature, reports",
        description="wardnet audit [--site CODE]... [--all] [--servers] [--report DIR] [--json PATH] "
        "[--shard K/N] [--metrics PATH] [--lang vi|en] [--remediate [--commit]];  "
        "wardnet audit merge SHARD.json... "
        "[--report DIR] [--json PATH] [--history DB] [--metrics PATH] [--lang vi|en] "
        "(files and options in any order; see wardnet audit merge --help)",
    )
    add_inventory(audit)
    add_sites(audit)
    audit.add_argument("--all", action="store_true", help="every site")
    audit.add_argument("--lab", action="store_true", help="audit the sites' white-box twins in the lab")
    audit.add_argument(
        "--servers",
        action="store_true",
        help="also each site's servers: their roles in check mode with --diff, level-2 server rules",
    )
    audit.add_argument("--shard", metavar="K/N", help="only shard K of N (whole sites, deterministic)")
    audit.add_argument("--workers", type=int, default=16, help="devices collected in parallel")
    audit.add_argument(
        "--report", type=Path, metavar="DIR", help="index.html, report.json, junit.xml, summary.md"
    )
    audit.add_argument("--json", type=Path, metavar="PATH", help="the run as JSON (also the shard format)")
    audit.add_argument(
        "--history", type=Path, metavar="DB", help="SQLite history (default STATE/audit/history.sqlite)"
    )
    audit.add_argument(
        "--metrics", type=Path, metavar="PATH", help="Prometheus textfile for node_exporter (*.prom)"
    )
    audit.add_argument(
        "--lang", choices=LANGUAGES, help="report language (default: the baseline's city.language)"
    )
    audit.add_argument(
        "--remediate", action="store_true", help="show the commands that fix each drifted device"
    )
    audit.add_argument(
        "--commit", action="store_true", help="with --remediate: apply through the deploy path"
    )
    audit.add_argument(
        "--confirm-timeout", type=int, default=120, metavar="S", help="revert timer for --commit"
    )
    audit.set_defaults(func=cmd_audit)
    from wardnet.audit.merge_cli import register as register_merge

    register_merge(audit)
