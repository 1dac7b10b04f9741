"""`wardnet check`: schema, city-wide plan, capacity and the level-2 rule pack on the rendered text."""

from __future__ import annotations

import gc
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from wardnet.checks import cache_store as cache
from wardnet.checks import level2_rules
from wardnet.errors import InputError, InputProblem
from wardnet.findings import SEVERITIES, ExitCode, Finding
from wardnet.progress import progress

if TYPE_CHECKING:  # the design stack loads only when the cache misses: a warm check never imports it
    from wardnet.checks.expect import Expect
    from wardnet.checks.plan import PlanFacts
    from wardnet.design import SiteDesign
    from wardnet.inventory import SiteEntry
    from wardnet.models import Baseline


def rendered_findings(
    text: str, platform: str, role: str, *, site: str, device: str, expect: Expect
) -> list[Finding]:
    """Level-2 rules on one configuration text (rendered now, or collected from a device later)."""
    from wardnet.platforms import get_platform

    rules, driver = level2_rules(), get_platform(platform)
    return [
        Finding(
            v.rule,
            rules[v.rule].severity,
            site,
            device,
            v.message,
            rules[v.rule].reference(driver.cis_prefix),
            v.fix,
        )
        for v in driver.evaluate(text, expect, role)
    ]


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
    from wardnet.checks.expect import Expect
    from wardnet.inventory import load_baseline
    from wardnet.platforms import NAMES, get_platform

    problem = _config_problem(config, platform, role, sites, NAMES)
    if problem:
        print(f"wardnet check: {problem}", file=sys.stderr)
        return ExitCode.NOT_RUN
    text = config.read_text(encoding="utf-8")
    marks = get_platform(platform).config_marks
    if not any(line.lstrip().startswith(marks) for line in text.splitlines()):
        start = " or ".join(repr(s.strip()) for s in marks)
        print(
            f"wardnet check: {config} does not look like a {platform} config (no line starts with {start}); "
            "check --platform",
            file=sys.stderr,
        )
        return ExitCode.NOT_RUN
    unread = get_platform(platform).unread_layout(text)
    if unread:
        print(f"wardnet check: {config} {unread}", file=sys.stderr)
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
    from wardnet.platforms import get_platform

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
    """The city-wide plan (findings of the selected sites) and each selected site's own checks, in order."""
    from wardnet.checks.expect import Expect
    from wardnet.checks.plan import city_plan

    chosen = {d.plan.site.code for d in selected}
    findings = [f for f in city_plan(everything, baseline) if f.site in chosen]
    expect = Expect.from_baseline(baseline)
    for design in progress(selected, len(selected), "checking sites"):
        findings += _own_findings(design, baseline, expect)
    return findings


SITES_PER_WORKER = 8  # fewer sites than this per worker: forking costs more than it saves


def _own_findings(design: SiteDesign, baseline: Baseline, expect: Expect) -> list[Finding]:
    """One site's capacity, proven and rule-pack findings."""
    from wardnet.checks.plan import capacity
    from wardnet.checks.proven import proven

    found = capacity(design, baseline) + proven(design)
    renderer = _renderer()
    for hostname, config in design.devices.items():
        text = renderer.device(config)
        found += rendered_findings(
            text,
            config.platform,
            config.role,
            site=design.plan.site.code,
            device=hostname,
            expect=expect,
        )
    return found


_RENDERERS: list[Any] = []


def _renderer() -> Any:
    """One Renderer (its compiled templates) per process."""
    if not _RENDERERS:
        from wardnet.render import Renderer

        _RENDERERS.append(Renderer())
    return _RENDERERS[0]


def default_jobs() -> int:
    """The cores this process may use (a CI runner's or a cgroup's share), at least one."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass(frozen=True)
class Speed:
    """How `wardnet check` runs; never what it finds. jobs None: one worker per usable core."""

    jobs: int | None = None
    use_cache: bool = True


def run_checks(
    inventory_dir: Path, sites: list[str] | None, fmt: str, output: Path | None, speed: Speed | None = None
) -> int:
    """`wardnet check`: from the cache when nothing it depends on changed, else computed (and kept)."""
    speed = speed or Speed()
    jobs, use_cache = speed.jobs, speed.use_cache
    digest = cache.run_key(inventory_dir, sites) if use_cache else ""
    record = cache.load("run", digest) if use_cache else None
    if record is None:
        try:
            with _no_cycle_collection():
                record = _computed(inventory_dir, sites, jobs or default_jobs(), use_cache)
        except InputError as exc:
            emit(_input_findings(exc), fmt, output, devices=0, sites=0)
            return ExitCode.NOT_RUN
        if use_cache:
            cache.store("run", digest, record)
            cache.prune()
    findings = cache.from_records(record["findings"])
    from wardnet.units import unknown_code_warnings

    warnings = unknown_code_warnings(record["codes"])
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    moves = _uncommitted_moves(inventory_dir, lambda: _designed(inventory_dir))
    if moves and fmt == "text":
        from wardnet.plandiff import format_diff

        shown = format_diff(moves, "HEAD", "the working tree (moved and removed only)")
        print(shown, end="", file=sys.stderr)
    warnings += [f"{c.kind}: {c.key} = {c.old}" + (f" -> {c.new}" if c.new else "") for c in moves]
    emit(findings, fmt, output, devices=record["devices"], sites=len(record["codes"]), warnings=warnings)
    return ExitCode.FINDINGS if findings else ExitCode.OK


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector off while the check computes (inherited by the forked workers). The
    check builds about a million small objects that live until it ends (validated inventory, designs, parsed
    trees and the memos that share them) and almost no cycles: in a city run the collector freed under a
    thousand objects yet took about 15 % of the CPU walking the live ones. Reference counting still frees
    everything else; the memory peak is the same. What is still alive at the end is frozen: the collector,
    back on, would walk all of it once more, and the interpreter's exit walks it again (0.5 s after a city
    checked in one process); the command ends soon after, and the memos live until then anyway."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _computed(inventory_dir: Path, sites: list[str] | None, jobs: int, use_cache: bool) -> dict[str, Any]:
    """The check itself: every site's plan facts (the plan is checked city-wide) and the chosen sites' own
    findings, each taken from the cache per site where its input is unchanged, the rest computed: only the
    sites that miss are designed. Each worker designs the sites it is given and sends back their plan facts
    and findings, never a design."""
    from wardnet.checks.plan import PlanFacts, city_plan_facts
    from wardnet.inventory import load_inventory

    inventory = load_inventory(inventory_dir)
    entries = inventory.select(sites)
    everything = inventory.select(None)
    baseline = inventory.baseline
    chosen = {e.site.code for e in entries}
    inputs = baseline.model_dump_json()
    keys = (
        {e.site.code: cache.key("site", inputs, e.site.model_dump_json()) for e in everything}
        if use_cache
        else {}
    )
    known = {code: hit for code, k in keys.items() if (hit := cache.load("site", k)) is not None}
    facts = {code: PlanFacts.from_record(hit["facts"]) for code, hit in known.items() if "facts" in hit}
    owned = {code: cache.from_records(hit["findings"]) for code, hit in known.items() if "findings" in hit}
    todo = chosen - owned.keys()
    missing = [e for e in everything if e.site.code in todo or e.site.code not in facts]
    fresh, problems = {}, []
    for code, result, found in designed_sites(missing, baseline, todo, jobs=jobs):
        if isinstance(result, InputProblem):
            problems.append(result)
            continue
        facts[code] = result
        if found is not None:
            fresh[code] = found
        if use_cache:
            record: dict[str, Any] = {"site": code, "facts": result.as_record()}
            kept = found if found is not None else owned.get(code)
            if kept is not None:
                record["findings"] = cache.as_records(kept)
            cache.store("site", keys[code], record)
    if problems:
        raise InputError(problems)
    ordered = [facts[e.site.code] for e in everything]
    findings = [f for f in city_plan_facts(ordered, baseline) if f.site in chosen]
    for entry in entries:
        code = entry.site.code
        findings += owned[code] if code in owned else fresh[code]
    return {
        "codes": [e.site.code for e in entries],
        "devices": sum(facts[e.site.code].devices for e in entries),
        "findings": cache.as_records(findings),
    }


def designed_sites(
    entries: list[SiteEntry], baseline: Baseline, check: set[str], *, jobs: int
) -> Iterator[tuple[str, PlanFacts | InputProblem, list[Finding] | None]]:
    """Every site designed, in order: (code, its plan facts or why it cannot be planned, its own findings
    when its code is in `check`). With jobs > 1 a pool of forked workers shares the sites: they inherit the
    validated inventory and send back facts and findings only, so the report is the same for any jobs."""
    from wardnet.checks.expect import Expect

    _ENTRIES[:] = [(entries, baseline, Expect.from_baseline(baseline), check)]
    workers = min(jobs, len(entries) // SITES_PER_WORKER)
    try:
        if workers <= 1:
            results: Iterator[tuple[str, PlanFacts | InputProblem, list[Finding] | None]] = (
                _design_and_check(i) for i in range(len(entries))
            )
            yield from progress(results, len(entries), "checking sites")
            return
        from wardnet.checks.workers import Forked
        from wardnet.design.site import device_platform

        _prepare_workers({device_platform(e.site, baseline, d.role) for e in entries for d in e.site.devices})
        gc.freeze()  # what the workers inherit is never walked by their collector (nor copied for it)
        try:
            # Forked before any progress bar starts its thread; chunks of a few sites keep the pipes quiet.
            with Forked(_design_and_check, workers) as pool:
                yield from progress(pool.in_order(len(entries), 2), len(entries), "checking sites")
        finally:
            gc.unfreeze()
    finally:
        _ENTRIES.clear()


def _prepare_workers(platforms: set[str]) -> None:
    """What every worker needs and the parent can build once before the fork, so that no worker repeats
    it: the design and rule modules imported, the rule pack read, the device template of each platform
    the sites use compiled (only those: the parent's start is the one part of the run on one core, and a
    template takes 0.05-0.1 s to compile; a worker compiles any other on first use)."""
    from wardnet import ipam, pipeline  # noqa: F401
    from wardnet.checks import parse, plan, proven, rules_fortios, rules_frr, rules_ios  # noqa: F401
    from wardnet.design import design_site  # noqa: F401

    level2_rules()
    renderer = _renderer()
    for platform in sorted(platforms):
        renderer.template(platform)


# What forked workers inherit (one item): every site's entry, the baseline, expectations, codes to check.
_ENTRIES: list[tuple[list[SiteEntry], Baseline, Expect, set[str]]] = []


def _design_and_check(index: int) -> tuple[str, PlanFacts | InputProblem, list[Finding] | None]:
    from wardnet.checks.plan import plan_facts
    from wardnet.design import design_site
    from wardnet.ipam import PlanError
    from wardnet.pipeline import plan_problem

    entries, baseline, expect, check = _ENTRIES[0]
    entry = entries[index]
    code = entry.site.code
    try:
        design = design_site(entry.site, baseline)
    except PlanError as exc:
        return code, plan_problem(entry, exc), None
    found = _own_findings(design, baseline, expect) if code in check else None
    return code, plan_facts(design), found


def _designed(inventory_dir: Path) -> list[SiteDesign]:
    from wardnet.pipeline import build

    return build(inventory_dir)[1]


def _uncommitted_moves(inventory_dir: Path, now: Callable[[], list[SiteDesign]]) -> list[Any]:
    from wardnet.plandiff import uncommitted_moves

    return uncommitted_moves(inventory_dir, now)


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
