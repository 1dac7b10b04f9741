"""The audit's reports in one directory: index.html, report.json, junit.xml and summary.md.

index.html is a single file with no external asset (mailed, attached to a ticket, opened offline) and
reads fully without JavaScript. Every number, label and CSS class is computed here into a plain
view-model; the templates in wardnet/templates/audit/ only format it. Text comes from the run only (already
secret-masked upstream) and is escaped for each format: Jinja2 autoescape for HTML, ElementTree for
JUnit, code spans for Markdown.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from wardnet import resources
from wardnet.audit.chart import Chart, chart
from wardnet.audit.history import History, run_compliance
from wardnet.audit.model import FEATURES, AuditRun, DeviceAudit, Drift, RuleFinding
from wardnet.findings import SEVERITIES
from wardnet.i18n import translator
from wardnet.templating import environment

TEMPLATES = resources.TEMPLATES / "audit"
# summary.md lists at most this many: a CI job summary is capped (1 MiB on GitHub); index.html has them all.
MD_DEVICES, MD_FINDINGS = 50, 20
TREND_TABLE_ROWS = 10
BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 12, 3, 100  # trend chart: one pixel per percent
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
FEATURE_RANK = {f: i for i, f in enumerate(FEATURES)}
SCRIPT = TEMPLATES / "table.js"  # the device table's sort and filter; the CSP allows this script by hash
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0 forbids these


def write_report(run: AuditRun, directory: Path, history: History | None, lang: str = "en") -> list[Path]:
    """The four files in `lang` (vi or en); report.json and junit.xml are data and stay in English."""
    directory.mkdir(parents=True, exist_ok=True)
    trend = history.trend() if history else []
    breakdown = history.breakdown([t["run_id"] for t in trend]) if history else []
    view = _build_view(run, trend, lang, breakdown)
    env = _environment()
    env.globals["t"] = translator(lang)
    env.globals["lang"] = lang
    outputs = {
        "index.html": env.get_template("report.html.j2").render(view=view),
        "report.json": json.dumps(_report_dict(run), indent=1, ensure_ascii=False) + "\n",
        "junit.xml": _junit_xml(run),
        "summary.md": env.get_template("summary.md.j2").render(view=view),
    }
    return [_write(directory / name, text) for name, text in outputs.items()]


def _write(path: Path, text: str) -> Path:
    """Write then rename: a report served or uploaded while a run rewrites it is never half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path


def _environment() -> jinja2.Environment:
    env = environment(TEMPLATES, escape_html=True)
    env.filters["cell"] = _md_cell
    env.filters["code"] = _md_code
    return env


def _report_dict(run: AuditRun) -> dict[str, Any]:
    """The run as AuditRun.from_dict reads it back (shard format), plus the figures CI dashboards want."""
    return {
        **run.as_dict(),
        "sites": [asdict(s) for s in run.sites()],
        "compliance": run_compliance(run),
        "exit_code": run.exit_code(),
    }


# --- view-model -------------------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _build_view(
    run: AuditRun,
    trend: list[dict[str, Any]],
    lang: str = "en",
    breakdown: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    drifted = [_device(d) for d in run.devices if d.status == "drift"]
    # Matches its intended config, still breaks the level-2 baseline (both wrong): shown beside the drift.
    violating = [_device(d) for d in run.devices if d.status == "compliant" and d.baseline]
    not_audited = [_device(d) for d in run.devices if d.status == "not-audited"]
    everyone = sorted((_device(d) for d in run.devices), key=_attention_order)
    return {
        "run": {
            "run_id": run.run_id,
            "started": run.started,
            "finished": run.finished,
            "shard": run.shard,
            "backup_commit": run.backup_commit or run.backup_error or "–",
        },
        "totals": _totals(run, trend, lang),
        "sites": [
            {**asdict(s), "compliance": percent(s.compliance), "bad": s.drifted + s.not_audited > 0}
            for s in run.sites()
        ],
        "drifted": drifted,
        "violating": violating,
        "detailed": drifted + violating,
        "not_audited": not_audited,
        "attention": drifted + violating + not_audited,
        "devices": everyone,
        "md_drifted": drifted[:MD_DEVICES],
        "md_drifted_more": max(0, len(drifted) - MD_DEVICES),
        "expired": [
            {"id": r.id, "reason": r.reason, "expires": r.expires, "source": r.source or "–"}
            for r in run.expired_ignores
        ],
        "trend": _trend(trend),
        "charts": _charts(trend, breakdown or [], lang),
        "severities": SEVERITIES,
        **_script(),
    }


def _script() -> dict[str, Any]:
    """The inline script and its CSP hash: the page runs this script and no other (not even one a device's
    text could smuggle past the escaping)."""
    text = SCRIPT.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return {"script": Markup(text), "script_hash": f"sha256-{digest}"}


def _totals(run: AuditRun, trend: list[dict[str, Any]], lang: str = "en") -> dict[str, Any]:
    statuses = [d.status for d in run.devices]
    compliance = run_compliance(run)
    # The caller records the run before reporting: the previous run is the latest *other* one. A shard is
    # a part of the city, so comparing it with the city's last figure would mislead.
    before = [
        t
        for t in trend
        if t["run_id"] != run.run_id and t["started"] <= run.started and t["compliance"] is not None
    ]
    t = translator(lang)
    change = ""
    if before and compliance is not None and not run.shard:
        delta = f"{compliance - before[-1]['compliance']:+.1f}"
        change = t("audit.change", delta=delta, run_id=before[-1]["run_id"])
    code = run.exit_code()
    return {
        "devices": len(statuses),
        "compliant": statuses.count("compliant"),
        "drifted": statuses.count("drift"),
        "not_audited": statuses.count("not-audited"),
        "compliance": percent(compliance),
        "change": change,
        "exit_code": code,
        "baseline": sum(len(d.baseline) for d in run.devices),
        "verdict": t(_verdict(run, code)),
    }


def _verdict(run: AuditRun, code: int) -> str:
    """The verdict's message key: exit 1 with every device compliant means only baseline findings."""
    if code == 1 and not any(d.status != "compliant" for d in run.devices):
        return "audit.verdict.baseline"
    return f"audit.verdict.{code}"


def _device(device: DeviceAudit) -> dict[str, Any]:
    findings = sorted(device.findings, key=_finding_order)
    per_feature = {f: [x for x in device.active if x.feature == f] for f in device.drifted_features()}
    return {
        "name": device.name,
        "anchor": f"device-{device.name}",
        "site": device.site,
        "platform": device.platform,
        "role": device.role,
        "status": device.status,
        "error": device.error,
        "worst": device.worst_severity() or "–",
        "worst_cls": device.worst_severity() or "none",
        "status_rank": STATUS_RANK.get(device.status, 3),
        "worst_rank": SEVERITY_RANK.get(device.worst_severity() or "", len(SEVERITIES)),
        "compliance": percent(device.compliance()),
        "compliance_value": "" if device.compliance() is None else f"{device.compliance():.1f}",
        "active": len(device.active),
        "fix_anchor": f"fix-{device.name}" if device.remediation.strip() else "",
        "features": [
            {"feature": f, "severity": FEATURES[f], "count": len(xs)} for f, xs in per_feature.items()
        ],
        "detail": device.error
        or ", ".join(
            [f"{f} ({len(xs)})" for f, xs in per_feature.items()]
            + ([f"baseline ({len(device.baseline)})"] if device.baseline else [])
        ),
        "findings": [_finding(f) for f in findings],
        "md_findings": [_finding(f) for f in findings if not f.ignored_by][:MD_FINDINGS],
        "md_more": max(0, len(device.active) - MD_FINDINGS),
        "ignored": len(device.findings) - len(device.active),
        "diff": [{"cls": _diff_class(line), "text": line} for line in device.diff.splitlines()],
        "remediation": device.remediation.rstrip("\n"),
        "baseline": [_rule(r) for r in sorted(device.baseline, key=_rule_order)],
        "md_baseline": [_rule(r) for r in sorted(device.baseline, key=_rule_order)][:MD_FINDINGS],
        "md_baseline_more": max(0, len(device.baseline) - MD_FINDINGS),
    }


STATUS_RANK = {"not-audited": 0, "drift": 1, "compliant": 2}


def _attention_order(d: dict[str, Any]) -> tuple[int, int, str, str]:
    """The device table's order without JavaScript: not audited, then drift worst first, then the rest."""
    return (STATUS_RANK.get(d["status"], 3), d["worst_rank"], d["site"], d["name"])


def _rule_order(r: RuleFinding) -> tuple[int, str]:
    return (SEVERITY_RANK.get(r.severity, len(SEVERITIES)), r.rule)


def _rule(r: RuleFinding) -> dict[str, str]:
    return {"rule": r.rule, "severity": r.severity, "clause": r.clause, "message": r.message, "fix": r.fix}


def _finding_order(f: Drift) -> tuple[bool, int, int]:
    """Active before ignored, then worst severity first, then report order of features."""
    return (
        bool(f.ignored_by),
        SEVERITY_RANK.get(f.severity, len(SEVERITIES)),
        FEATURE_RANK.get(f.feature, len(FEATURES)),
    )


def _finding(f: Drift) -> dict[str, str]:
    return {
        "severity": f.severity,
        "feature": f.feature,
        "kind": f.kind,
        "section": f.section,
        "intended": f.intended,
        "running": f.running,
        "ignored_by": f.ignored_by,
    }


def _diff_class(line: str) -> str:
    """git diff colours: file headers bold, hunks cyan, removed (intended only) red, added (running) green."""
    if line.startswith(("---", "+++")):
        return "head"
    return {"@": "hunk", "-": "del", "+": "add"}.get(line[:1], "ctx")


def _trend(trend: list[dict[str, Any]]) -> dict[str, Any]:
    """Bar geometry for the inline SVG (oldest left), and the newest runs first for the table."""
    bars = []
    for i, t in enumerate(trend):
        value = t["compliance"]
        height = 2 if value is None else max(1, round(value * CHART_HEIGHT / 100))
        bars.append(
            {
                "x": i * (BAR_WIDTH + BAR_GAP),
                "y": CHART_HEIGHT - height,
                "width": BAR_WIDTH,
                "height": height,
                "cls": _bar_class(value),
                "title": f"{t['run_id']}: {percent(value)}",
            }
        )
    rows = [{**t, "compliance": percent(t["compliance"])} for t in reversed(trend)][:TREND_TABLE_ROWS]
    width = max(len(trend) * (BAR_WIDTH + BAR_GAP) - BAR_GAP, 1)
    return {"bars": bars, "rows": rows, "width": width, "height": CHART_HEIGHT}


def _charts(trend: list[dict[str, Any]], breakdown: list[dict[str, Any]], lang: str) -> list[Chart]:
    """The city's chart, then one per site in the history; every chart spans the same runs."""
    if not trend:
        return []
    t = translator(lang)
    zero = dict.fromkeys(SEVERITIES, 0)
    city = []
    for run in trend:
        rows = [b for b in breakdown if b["run_id"] == run["run_id"]]
        counts = {s: sum(b[s] for b in rows) for s in SEVERITIES}
        city.append({"run_id": run["run_id"], "compliance": run["compliance"], **counts})
    charts = [chart(t("audit.trend_city"), city)]
    by_site = {(b["run_id"], b["site"]): b for b in breakdown}
    for site in sorted({b["site"] for b in breakdown}):
        points = []
        for run in trend:
            row = by_site.get((run["run_id"], site), {"compliance": None, **zero})
            points.append(
                {"run_id": run["run_id"], "compliance": row["compliance"], **{s: row[s] for s in SEVERITIES}}
            )
        charts.append(chart(t("audit.trend_site", site=site), points))
    return charts


def _bar_class(value: float | None) -> str:
    if value is None:
        return "none"
    return "ok" if value >= 100 else "warn" if value >= 90 else "bad"


# --- Markdown escaping (summary.md) -----------------------------------------------------------------------


def _md_cell(value: Any) -> str:
    """Plain text in a table cell or a list: no pipe splits the table, no markup renders as HTML."""
    text = " ".join(str(value).split()) or "–"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _md_code(value: Any) -> str:
    """Config text as a code span: `*`, `_` and `<` stay literal (masked secrets are `*****`)."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    if not text:
        return "–"
    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{ticks} {text} {ticks}" if "`" in text else f"`{text}`"


# --- JUnit ------------------------------------------------------------------------------------------------


def _junit_xml(run: AuditRun) -> str:
    """One testsuite per site, one testcase per device: drift fails, not audited errors, compliant passes."""
    by_site: dict[str, list[DeviceAudit]] = {}
    for device in run.devices:
        by_site.setdefault(device.site, []).append(device)
    root = ET.Element("testsuites", name=f"wardnet audit {run.run_id}")
    for site in sorted(by_site):
        suite = ET.SubElement(
            root, "testsuite", name=_xml(site), timestamp=run.started[:19]
        )  # JUnit: no zone
        for device in by_site[site]:
            _testcase(suite, device)
        _count(suite)
    _count(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, device: DeviceAudit) -> None:
    case = ET.SubElement(
        suite, "testcase", name=_xml(device.name), classname=_xml(f"wardnet.audit.{device.site}")
    )
    if device.status == "drift" or (device.status == "compliant" and device.baseline):
        features = ", ".join(device.drifted_features() + (["baseline"] if device.baseline else []))
        failure = ET.SubElement(
            case,
            "failure",
            message=_xml(f"{len(device.active) + len(device.baseline)} findings: {features}"),
            type=device.worst_severity() or "drift",
        )
        lines = [_finding_line(f) for f in sorted(device.active, key=_finding_order)]
        lines += [_rule_line(r) for r in sorted(device.baseline, key=_rule_order)]
        failure.text = _xml("\n".join(lines))
    elif device.status == "not-audited":
        ET.SubElement(case, "error", message=_xml(device.error or "not audited"), type="not-audited")
    ignored = [f for f in device.findings if f.ignored_by]
    if ignored:  # accepted drift stays visible in CI without failing it
        out = ET.SubElement(case, "system-out")
        out.text = _xml("\n".join(f"ignored by {f.ignored_by}: {_finding_line(f)}" for f in ignored))


def _count(element: ET.Element) -> None:
    cases = element.findall(".//testcase")
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    element.set("errors", str(sum(c.find("error") is not None for c in cases)))
    element.set("skipped", "0")


def _xml(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def _rule_line(r: RuleFinding) -> str:
    """A baseline finding as one line: `critical baseline L2-MGMT-03 [clause]: message (fix: ...)`."""
    clause = f" [{r.clause}]" if r.clause else ""
    return f"{r.severity} baseline {r.rule}{clause}: {r.message} (fix: {r.fix})"


def _finding_line(f: Drift) -> str:
    """One finding as one line of text: `high ntp missing [section]: line`."""
    where = f" [{f.section}]" if f.section else ""
    if f.kind == "changed":
        return f"{f.severity} {f.feature} changed{where}: {f.intended!r} → {f.running!r}"
    return f"{f.severity} {f.feature} {f.kind}{where}: {f.line}"
