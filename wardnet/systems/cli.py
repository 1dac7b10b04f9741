"""`wardnet systems check|report`: the City Data Center's systems catalogue.

Exit codes as for every wardnet command: 0 all good, 1 findings (errors in the catalogue; warnings too
with --strict), 2 could not run (unreadable or invalid catalogue; nothing was written).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from wardnet.errors import InputError
from wardnet.findings import ExitCode
from wardnet.i18n import LANGUAGES, default_language
from wardnet.options import DEFAULT_INVENTORY, add_format
from wardnet.systems.catalogue import DEFAULT_CATALOGUE, LoadedCatalogue, load_catalogue
from wardnet.systems.check import CatalogueProblem, check_catalogue
from wardnet.systems.formats import FORMATS, format_report
from wardnet.systems.report import build_report


def _load(args: argparse.Namespace) -> LoadedCatalogue | None:
    """The validated catalogue, or None after printing every input problem to stderr."""
    try:
        path = args.inventory / "datacenter/systems.yml" if args.inventory else args.catalogue
        return load_catalogue(path)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"wardnet systems: {len(exc.problems)} input problem(s); nothing was written", file=sys.stderr)
        return None


def _summary(systems: int, findings: list[CatalogueProblem]) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    return f"checked {systems} systems: {errors} error(s), {warnings} warning(s)"


def _exit_code(findings: list[CatalogueProblem], strict: bool) -> int:
    failing = [f for f in findings if strict or f.severity == "error"]
    return ExitCode.FINDINGS if failing else ExitCode.OK


def cmd_check(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return ExitCode.NOT_RUN
    findings = check_catalogue(loaded, args.today)
    systems = len(loaded.catalogue.systems)
    if args.format == "json":
        payload = {
            "catalogue": loaded.shown,
            "systems": systems,
            "findings": [f.as_dict() for f in findings],
            "summary": {
                "error": sum(1 for f in findings if f.severity == "error"),
                "warning": sum(1 for f in findings if f.severity == "warning"),
            },
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for finding in sorted(findings, key=lambda f: (f.severity != "error", f.line or 0)):
            print(finding)
        print(_summary(systems, findings))
    return _exit_code(findings, args.strict)


def cmd_report(args: argparse.Namespace) -> int:
    if args.output and (args.output.is_dir() or (args.output.exists() and not args.output.is_file())):
        print(f"error: --output {args.output}: not a regular file (fix: give a file path)", file=sys.stderr)
        return ExitCode.NOT_RUN
    loaded = _load(args)
    if loaded is None:
        return ExitCode.NOT_RUN
    findings = check_catalogue(loaded, args.today)
    lang = args.lang or default_language(args.inventory or DEFAULT_INVENTORY)
    report = build_report(loaded.catalogue, findings, args.today, loaded.shown)
    text = format_report(report, args.format, lang)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}; {_summary(len(loaded.catalogue.systems), findings)}")
    else:
        sys.stdout.write(text)
    return _exit_code(findings, strict=False)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--inventory",
        type=Path,
        metavar="DIR",
        help="inventory folder: the catalogue is DIR/datacenter/systems.yml",
    )
    parser.add_argument(
        "--catalogue",
        type=Path,
        default=DEFAULT_CATALOGUE,
        metavar="FILE",
        help=f"systems catalogue (default {DEFAULT_CATALOGUE})",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=date.today(),
        metavar="YYYY-MM-DD",
        help="judge review dates as of this day (default: today)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    systems = subparsers.add_parser("systems", help="City Data Center systems catalogue: check and report")
    sub = systems.add_subparsers(dest="systems_command", required=True)

    check = sub.add_parser(
        "check", help="schema and review rules: keep needs a reason and a legal basis, retire needs a plan"
    )
    _common(check)
    add_format(check, ["text", "json"], "text")
    check.add_argument("--strict", action="store_true", help="warnings (overdue reviews) fail too")
    check.set_defaults(func=cmd_check)

    report = sub.add_parser(
        "report", help="counts by owner and status, resources to reclaim, legal-basis gaps, criteria scores"
    )
    _common(report)
    add_format(report, FORMATS, "md")
    report.add_argument("--output", type=Path, metavar="FILE", help="write here instead of stdout")
    report.add_argument(
        "--lang", choices=LANGUAGES, help="md and html language (default: the baseline's city.language)"
    )
    report.set_defaults(func=cmd_report)
