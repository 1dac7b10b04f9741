"""The audit run as a Prometheus textfile for node_exporter's textfile collector.

node_exporter reads every `*.prom` file in its --collector.textfile.directory on each scrape, so the file is
written beside its final name under a name that does not end in .prom and renamed over it: a scrape sees
the previous run or this one, never half a file (node_exporter's textfile collector documentation,
https://github.com/prometheus/node_exporter#textfile-collector). Format: the Prometheus text exposition
format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).

Compliance is a ratio (0-1, the Prometheus convention for percentages); a device that could not be
audited has no compliance sample, only wardnet_audit_device_audited 0, so averages in Grafana stay honest.
"""

from __future__ import annotations

import math
import os
from datetime import datetime
from pathlib import Path

from wardnet.audit.model import AuditRun
from wardnet.findings import SEVERITIES

Labels = dict[str, str]
Sample = tuple[Labels, float]

HELP: dict[str, str] = {
    "wardnet_audit_devices": "Devices in the last audit run by status (compliant, drift, not-audited).",
    "wardnet_audit_compliance_ratio": "City compliance: mean device compliance over audited devices (0-1).",
    "wardnet_audit_not_audited_devices": "Devices the last run could not audit (unreachable, login failed).",
    "wardnet_audit_drift_findings": "Active drift findings in the last run, by severity.",
    "wardnet_audit_site_compliance_ratio": "Site compliance: mean compliance of its audited devices (0-1).",
    "wardnet_audit_site_not_audited_devices": "Devices of the site the last run could not audit.",
    "wardnet_audit_site_drift_findings": "Active drift findings per site and severity.",
    "wardnet_audit_device_audited": "1 when the device was audited in the last run, 0 when it could not be.",
    "wardnet_audit_device_compliance_ratio": "Share of the device's features without drift (0-1).",
    "wardnet_audit_device_drift_findings": "Active drift findings per device and severity.",
    "wardnet_audit_expired_ignore_rules": "Ignore rules past their expiry date (no longer accepting drift).",
    "wardnet_audit_run_duration_seconds": "Wall time of the last audit run (collect, back up, compare).",
    "wardnet_audit_run_timestamp_seconds": "When the last audit run finished (Unix time).",
    "wardnet_audit_run_exit_code": "Exit code of the last run: 0 compliant, 1 drift, 2 nothing audited.",
    "wardnet_audit_last_success_timestamp_seconds": "When the last run that audited a device finished.",
}


def samples(run: AuditRun, last_success: str | None) -> dict[str, list[Sample]]:
    """Every metric's samples; `last_success` is the history's latest successful finish (this run's own
    when it audited anything)."""
    shard = {"shard": run.shard} if run.shard else {}
    out: dict[str, list[Sample]] = {name: [] for name in HELP}
    for status in ("compliant", "drift", "not-audited"):
        count = sum(d.status == status for d in run.devices)
        out["wardnet_audit_devices"].append(({**shard, "status": status}, count))
    scores = [c for d in run.devices if (c := d.compliance()) is not None]
    if scores:
        out["wardnet_audit_compliance_ratio"].append((shard, sum(scores) / len(scores) / 100))
    out["wardnet_audit_not_audited_devices"].append(
        (shard, sum(d.status == "not-audited" for d in run.devices))
    )
    for severity in SEVERITIES:
        count = sum(f.severity == severity for d in run.devices for f in d.active)
        out["wardnet_audit_drift_findings"].append(({**shard, "severity": severity}, count))
    for site in run.sites():
        where = {"site": site.site}
        if site.compliance is not None:
            out["wardnet_audit_site_compliance_ratio"].append((where, site.compliance / 100))
        out["wardnet_audit_site_not_audited_devices"].append((where, site.not_audited))
        for severity in SEVERITIES:
            count = sum(f.severity == severity for d in run.devices if d.site == site.site for f in d.active)
            out["wardnet_audit_site_drift_findings"].append(({**where, "severity": severity}, count))
    for d in run.devices:
        who = {"site": d.site, "device": d.name, "platform": d.platform, "role": d.role}
        out["wardnet_audit_device_audited"].append((who, 0 if d.status == "not-audited" else 1))
        score = d.compliance()
        if score is not None:
            out["wardnet_audit_device_compliance_ratio"].append((who, score / 100))
            for severity in SEVERITIES:
                count = sum(f.severity == severity for f in d.active)
                out["wardnet_audit_device_drift_findings"].append(({**who, "severity": severity}, count))
    out["wardnet_audit_expired_ignore_rules"].append((shard, len(run.expired_ignores)))
    started, finished = _unix(run.started), _unix(run.finished)
    out["wardnet_audit_run_duration_seconds"].append((shard, max(0.0, finished - started)))
    out["wardnet_audit_run_timestamp_seconds"].append((shard, finished))
    out["wardnet_audit_run_exit_code"].append((shard, run.exit_code()))
    success = run.finished if run.exit_code() != 2 else last_success
    if success:
        out["wardnet_audit_last_success_timestamp_seconds"].append((shard, _unix(success)))
    return out


def exposition(metrics: dict[str, list[Sample]]) -> str:
    lines = []
    for name, values in metrics.items():
        lines.append(f"# HELP {name} {HELP[name]}")
        lines.append(f"# TYPE {name} gauge")
        lines.extend(f"{name}{_labels(labels)} {_number(value)}" for labels, value in values)
    return "\n".join(lines) + "\n"


def write_metrics(run: AuditRun, path: Path, last_success: str | None) -> Path:
    """Write the textfile atomically: a temporary name node_exporter ignores, then rename over the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(exposition(samples(run, last_success)), encoding="utf-8")
    partial.chmod(0o644)  # node_exporter usually runs as another user
    os.replace(partial, path)
    return path


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}"


def _escape(value: str) -> str:
    """Label values: backslash, double quote and line feed are escaped (exposition format 0.0.4)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, int) or (math.isfinite(value) and value == int(value) and abs(value) < 1e15):
        return str(int(value))
    return repr(float(value))


def _unix(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()
