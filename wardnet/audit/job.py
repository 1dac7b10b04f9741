"""One audit job, the same for `wardnet audit` and the `wardnet_audit` Ansible module (AWX/AAP):
run the audit, record it in the history, write the report and JSON, and with remediate+commit fix the
drifted devices through the deploy path."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from wardnet.audit.model import AuditRun
from wardnet.audit.run import AuditRequest, run_audit_all
from wardnet.deploy.device import DeviceResult
from wardnet.findings import ExitCode

FIXED = {"committed", "unchanged"}


@dataclass(frozen=True)
class Outputs:
    history: Path  # SQLite; a shard's partial run is not recorded (the merged run is)
    report: Path | None = None  # directory: index.html, report.json, junit.xml, summary.md
    json: Path | None = None
    metrics: Path | None = None  # Prometheus textfile (node_exporter textfile collector)
    lang: str = "en"  # index.html and summary.md: vi or en (wardnet.i18n)


@dataclass
class AuditOutcome:
    run: AuditRun
    fixes: list[DeviceResult] = field(default_factory=list)

    @property
    def code(self) -> int:
        """The audit's exit code; after remediation, 0 only when every drifted device was fixed."""
        if not self.fixes:
            return self.run.exit_code()
        if any(d.status == "not-audited" for d in self.run.devices):
            return ExitCode.FINDINGS
        return ExitCode.OK if all(r.status in FIXED for r in self.fixes) else ExitCode.FINDINGS


def publish(run: AuditRun, outputs: Outputs) -> None:
    from wardnet.audit.history import History
    from wardnet.audit.report import write_report

    history: History | None = History(outputs.history)
    if not run.shard and history is not None and (warning := history.record(run)):
        print(f"warning: {warning}", file=sys.stderr)
        history = None  # locked or damaged: the report goes out without a trend rather than not at all
    if outputs.report:
        write_report(run, outputs.report, history, outputs.lang)
    if outputs.json:
        outputs.json.parent.mkdir(parents=True, exist_ok=True)
        outputs.json.write_text(json.dumps(run.as_dict(), indent=1, ensure_ascii=False) + "\n")
    if outputs.metrics:  # last: a dashboard's "last success" moves only once the reports are written
        from wardnet.audit.metrics import write_metrics

        audited = any(d.status != "not-audited" for d in run.devices)
        last = history.last_success() if history else (run.finished if audited else None)
        write_metrics(run, outputs.metrics, last)


def execute(
    request: AuditRequest, outputs: Outputs, remediate_commit: bool = False, confirm_timeout: int = 120
) -> AuditOutcome:
    run, targets, servers = run_audit_all(request)
    publish(run, outputs)
    outcome = AuditOutcome(run)
    if remediate_commit and any(d.status == "drift" for d in run.devices):
        from wardnet.audit.fix import apply
        from wardnet.audit.servers import remediate

        if any(d.status == "drift" and d.name in {t.name for t in targets} for d in run.devices):
            outcome.fixes = apply(run, targets, request.state_dir, confirm_timeout)
        outcome.fixes += remediate(run.devices, servers, request.inventory)  # the roles in commit mode
    return outcome
