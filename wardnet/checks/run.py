"""`wardnet check`: schema, city-wide plan, capacity and the level-2 rule pack on the rendered text."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

from wardnet.checks import level2_rules
from wardnet.checks.expect import Expect
from wardnet.checks.plan import capacity, city_plan
from wardnet.checks.proven import proven
from wardnet.design import SiteDesign
from wardnet.errors import InputError
from wardnet.findings import SEVERITIES, ExitCode, Finding
from wardnet.models import Baseline
from wardnet.pipeline import build, designs
from wardnet.plandiff import format_diff, uncommitted_moves
from wardnet.platforms import get_platform
from wardnet.progress import progress
from wardnet.render import Renderer
from wardnet.units import unknown_code_warnings


def rendered_findings(
    text: str, platform: str, role: str, *, site: str, device: str, expect: Expect
) -> list[Finding]:
    """Level-2 rules on one configuration text (rendered now, or collected from a device later)."""
    rules = level2_rules()
    return [
        Finding(
            v.rule, rules[v.rule].severity, site, device, v.message, rules[v.rule].reference(platform), v.fix
        )
        for v in get_platform(platform).evaluate(text, expect, role)
    ]


# What a config of each platform cannot lack: a file without it is not that platform's config at all.
LOOKS_LIKE = {"cisco_iosxe": ("hostname ", "interface "), "fortios": ("config ",), "frr": ("!== ",)}


def run_config_check(
    config: Path,
    *,
    platform: str,
    role: str | None,
    sites: list[str] | None,
    inventory_dir: Path,
    fmt: str,
    output: Path | None,
) -> int:
    """`wardnet check --config FILE --platform P`: the rule pack on one file, against the city baseline."""
    from wardnet.inventory import load_baseline
    from wardnet.platforms import NAMES

    problem = _config_problem(config, platform, role, sites, NAMES)
    if problem:
        print(f"wardnet check: {problem}", file=sys.stderr)
        return ExitCode.NOT_RUN
    text = config.read_text(encoding="utf-8")
    if not any(line.lstrip().startswith(LOOKS_LIKE[platform]) for line in text.splitlines()):
        start = " or ".join(repr(s.strip()) for s in LOOKS_LIKE[platform])
        print(
            f"wardnet check: {config} does not look like a {platform} config (no line starts with {start}); "
            "check --platform",
            file=sys.stderr,
        )
        return ExitCode.NOT_RUN
    try:
        baseline = load_baseline(inventory_dir)
    except InputError as exc:
        emit(_input_findings(exc), fmt, output, devices=0, sites=0)
        return ExitCode.NOT_RUN
    roles = get_platform(platform).roles
    findings = rendered_findings(
        text,
        platform,
        role or roles[0],
        site=sites[0] if sites else "",
        device=config.name,
        expect=Expect.from_baseline(baseline),
    )
    emit(findings, fmt, output, devices=1, sites=1 if sites else 0)
    return ExitCode.FINDINGS if findings else ExitCode.OK


def _config_problem(
    config: Path, platform: str | None, role: str | None, sites: list[str] | None, names: tuple[str, ...]
) -> str | None:
    if not platform or platform not in names:
        return f"--platform {platform or '(missing)'}: give one of {', '.join(names)} with --config"
    roles = get_platform(platform).roles
    if role is None and len(roles) > 1:
        return f"--role: a {platform} config may be any of {', '.join(roles)}; say which"
    if role is not None and role not in roles:
        return f"--role {role}: a {platform} device is one of {', '.join(roles)}"
    if sites and len(sites) > 1:
        return "--site: one site code with --config"
    if not config.is_file():
        return f"{config}: no such file (give the path of a config text, e.g. a pulled running config)"
    try:
        config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"{config}: cannot be read as UTF-8 text ({exc.__class__.__name__}: {exc})"
    return None


def check_designs(
    selected: list[SiteDesign], everything: list[SiteDesign], baseline: Baseline
) -> list[Finding]:
    findings = city_plan(everything, baseline)
    chosen = {d.plan.site.code for d in selected}
    findings = [f for f in findings if f.site in chosen]
    expect = Expect.from_baseline(baseline)
    renderer = Renderer()
    for design in progress(selected, len(selected), "checking sites"):
        findings += capacity(design, baseline)
        findings += proven(design)
        for hostname, config in design.devices.items():
            text = renderer.device(config)
            findings += rendered_findings(
                text,
                config.platform,
                config.role,
                site=design.plan.site.code,
                device=hostname,
                expect=expect,
            )
    return findings


def run_checks(inventory_dir: Path, sites: list[str] | None, fmt: str, output: Path | None) -> int:
    try:
        inventory, everything = build(inventory_dir)
        selected = designs(inventory, sites) if sites else everything
    except InputError as exc:
        emit(_input_findings(exc), fmt, output, devices=0, sites=0)
        return ExitCode.NOT_RUN
    warnings = unknown_code_warnings([d.plan.site.code for d in selected])
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    findings = check_designs(selected, everything, inventory.baseline)
    moves = uncommitted_moves(inventory_dir, everything)
    if moves and fmt == "text":
        shown = format_diff(moves, "HEAD", "the working tree (moved and removed only)")
        print(shown, end="", file=sys.stderr)
    warnings += [f"{c.kind}: {c.key} = {c.old}" + (f" -> {c.new}" if c.new else "") for c in moves]
    emit(
        findings,
        fmt,
        output,
        devices=sum(len(d.devices) for d in selected),
        sites=len(selected),
        warnings=warnings,
    )
    return ExitCode.FINDINGS if findings else ExitCode.OK


def _input_findings(exc: InputError) -> list[Finding]:
    return [
        Finding(
            "SCHEMA",
            "critical",
            p.file,
            p.field,
            f"{p.message}" + (f" (line {p.line})" if p.line else ""),
            fix=p.fix,
        )
        for p in exc.problems
    ]


def emit(
    findings: list[Finding],
    fmt: str,
    output: Path | None,
    *,
    devices: int,
    sites: int,
    warnings: list[str] | None = None,
) -> None:
    if fmt == "json":
        text = json.dumps(
            {
                "sites": sites,
                "devices": devices,
                "findings": [f.as_dict() for f in findings],
                "summary": dict(Counter(f.severity for f in findings)),
                "warnings": warnings or [],
            },
            indent=2,
            ensure_ascii=False,
        )
    elif fmt == "junit":
        text = junit(findings, sites, devices)
    else:
        text = as_text(findings, sites, devices)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")
        print(as_text(findings, sites, devices).splitlines()[-1])
    else:
        # Machine formats always go to stdout, bad input included: CI parses them whatever happened.
        schema = fmt == "text" and bool(findings) and findings[0].rule == "SCHEMA"
        print(text, file=sys.stderr if schema else sys.stdout)


def as_text(findings: list[Finding], sites: int, devices: int) -> str:
    lines = []
    for f in sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), f.site, f.device, f.rule)):
        where = f"{f.site} {f.device}".strip()
        clause = f" [{f.clause}]" if f.clause else ""
        lines.append(f"{f.severity.upper():8} {f.rule:14} {where}: {f.message}{clause} (fix: {f.fix})")
    counts = Counter(f.severity for f in findings)
    summary = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "no findings"
    lines.append(f"checked {sites} sites, {devices} devices: {summary}")
    return "\n".join(lines)


def junit(findings: list[Finding], sites: int, devices: int) -> str:
    """One test case per (site or device, rule) that failed, plus one passing case per clean device."""
    suite = ET.Element("testsuite", name="wardnet-check", tests="0", failures=str(len(findings)))
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        grouped.setdefault((f.site, f.device, f.rule), []).append(f)
    for (site, device, rule), items in sorted(grouped.items()):
        case = ET.SubElement(suite, "testcase", classname=f"{site}.{device or 'site'}", name=rule)
        failure = ET.SubElement(case, "failure", type=items[0].severity, message=items[0].message)
        failure.text = "\n".join(f"{i.message} (fix: {i.fix})" for i in items)
    summary = ET.SubElement(suite, "testcase", classname="wardnet", name=f"{sites} sites, {devices} devices")
    if findings:
        ET.SubElement(summary, "failure", message=f"{len(findings)} findings")
    suite.set("tests", str(len(grouped) + 1))
    return ET.tostring(suite, encoding="unicode")
