"""The audit's history in SQLite: one row per run, per device and per finding.

Level-2 rule findings on the running configs go in their own table (`baseline`). It feeds the report's
trend and answers what the reports don't (`sqlite3 history.sqlite "select …"`):
since when has a device drifted, which features drift most. Only whole or merged runs are recorded (the
caller skips shards), and recording a run_id again replaces it, so a re-run merge never counts twice.

Nothing of a run is lost when the database is locked past the timeout or damaged: the run is written to a
side file (`<history>.pending/<run_id>.json`), the caller reports the warning, and the next run that reaches
the database records the pending runs first. A damaged database is never replaced or deleted here.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from wardnet.audit.model import AuditRun
from wardnet.findings import SEVERITIES

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT NOT NULL, backup_commit TEXT NOT NULL,
    devices INTEGER NOT NULL, compliant INTEGER NOT NULL, drifted INTEGER NOT NULL,
    not_audited INTEGER NOT NULL, compliance REAL
);
CREATE TABLE IF NOT EXISTS devices (
    run_id TEXT NOT NULL, name TEXT NOT NULL, site TEXT NOT NULL, platform TEXT NOT NULL,
    role TEXT NOT NULL, status TEXT NOT NULL, error TEXT NOT NULL, compliance REAL, worst_severity TEXT,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS findings (
    run_id TEXT NOT NULL, device TEXT NOT NULL, kind TEXT NOT NULL, feature TEXT NOT NULL,
    severity TEXT NOT NULL, section TEXT NOT NULL, intended TEXT NOT NULL, running TEXT NOT NULL,
    ignored_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS baseline (
    run_id TEXT NOT NULL, device TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
    clause TEXT NOT NULL, message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS baseline_by_run ON baseline (run_id, device);
CREATE INDEX IF NOT EXISTS findings_by_run ON findings (run_id, device);
CREATE INDEX IF NOT EXISTS devices_by_name ON devices (name);
"""
TABLES = ("findings", "baseline", "devices", "runs")
TREND_COLUMNS = ("run_id", "started", "devices", "compliant", "drifted", "not_audited", "compliance")


def run_compliance(run: AuditRun) -> float | None:
    """City compliance: the mean device compliance over audited devices (as SiteSummary does per site)."""
    scores = [c for d in run.devices if (c := d.compliance()) is not None]
    return sum(scores) / len(scores) if scores else None


class History:
    timeout_s = 30.0  # parallel CI jobs wait this long for each other's transaction

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One connection per call, one transaction inside it: parallel CI jobs wait (timeout), never tear."""
        with closing(sqlite3.connect(self.path, timeout=self.timeout_s)) as db:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            with db:
                yield db

    @property
    def pending(self) -> Path:
        return self.path.with_name(self.path.name + ".pending")

    def record(self, run: AuditRun) -> str | None:
        """Record the run (and any pending ones); on a database error keep it in a side file and say so."""
        waiting = sorted(self.pending.glob("*.json")) if self.pending.is_dir() else []
        try:
            with self._db() as db:
                for path in waiting:
                    _insert(db, AuditRun.from_dict(json.loads(path.read_text(encoding="utf-8"))))
                _insert(db, run)
        except sqlite3.Error as exc:
            kept = self._keep(run)
            return (
                f"the audit history {self.path} did not take this run ({exc}); it is kept in {kept} and "
                "recorded by the next run that reaches the database"
                + (f" ({len(waiting)} earlier run(s) wait there too)" if waiting else "")
            )
        for path in waiting:
            path.unlink()
        return None

    def _keep(self, run: AuditRun) -> Path:
        self.pending.mkdir(parents=True, exist_ok=True)
        target = self.pending / f"{run.run_id}.json"
        scratch = target.with_suffix(".tmp")
        scratch.write_text(json.dumps(run.as_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(scratch, target)
        return target

    def trend(self, limit: int = 30) -> list[dict[str, Any]]:
        """The last `limit` runs, oldest first (compliance in percent, None when nothing was audited)."""
        with self._db() as db:
            rows = db.execute(
                f"SELECT {', '.join(TREND_COLUMNS)} FROM runs ORDER BY started DESC, run_id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [dict(row) for row in reversed(rows)]

    def breakdown(self, run_ids: list[str]) -> list[dict[str, Any]]:
        """Per run and site: mean device compliance (None when nothing was audited) and the active findings
        by severity (`critical`, `high`, ... counts) — the per-site trend and the drift-by-severity bars."""
        if not run_ids:
            return []
        marks = ", ".join("?" * len(run_ids))
        with self._db() as db:
            sites = db.execute(
                f"""SELECT run_id, site, AVG(compliance) AS compliance, COUNT(*) AS devices
                    FROM devices WHERE run_id IN ({marks}) GROUP BY run_id, site""",
                run_ids,
            ).fetchall()
            drift = db.execute(
                f"""SELECT f.run_id, d.site, f.severity, COUNT(*) AS n
                    FROM findings f JOIN devices d ON d.run_id = f.run_id AND d.name = f.device
                    WHERE f.ignored_by = '' AND f.run_id IN ({marks})
                    GROUP BY f.run_id, d.site, f.severity""",
                run_ids,
            ).fetchall()
        rows = {(r["run_id"], r["site"]): {**dict(r), **dict.fromkeys(SEVERITIES, 0)} for r in sites}
        for r in drift:
            if (r["run_id"], r["site"]) in rows and r["severity"] in SEVERITIES:
                rows[(r["run_id"], r["site"])][r["severity"]] = r["n"]
        return list(rows.values())

    def last_success(self) -> str | None:
        """When the latest run that audited at least one device finished (ISO 8601), for monitoring."""
        with self._db() as db:
            row = db.execute(
                "SELECT finished FROM runs WHERE devices > not_audited ORDER BY started DESC LIMIT 1"
            ).fetchone()
        return None if row is None else str(row["finished"])

    def device_history(self, name: str, limit: int = 10) -> list[dict[str, Any]]:
        """One device over the last `limit` runs it was in, oldest first; `findings` counts active ones."""
        with self._db() as db:
            rows = db.execute(
                """SELECT d.run_id, r.started, d.status, d.compliance, d.worst_severity, d.error,
                          (SELECT COUNT(*) FROM findings f
                           WHERE f.run_id = d.run_id AND f.device = d.name AND f.ignored_by = '') AS findings
                   FROM devices d JOIN runs r USING (run_id) WHERE d.name = ?
                   ORDER BY r.started DESC, d.run_id DESC LIMIT ?""",
                (name, limit),
            ).fetchall()
        return [dict(row) for row in reversed(rows)]


def _insert(db: sqlite3.Connection, run: AuditRun) -> None:
    for table in TABLES:
        db.execute(f"DELETE FROM {table} WHERE run_id = ?", (run.run_id,))
    db.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _run_row(run))
    db.executemany("INSERT INTO devices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _device_rows(run))
    db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _finding_rows(run))
    db.executemany("INSERT INTO baseline VALUES (?, ?, ?, ?, ?, ?)", _baseline_rows(run))


def _run_row(run: AuditRun) -> tuple[Any, ...]:
    statuses = [d.status for d in run.devices]
    return (
        run.run_id,
        run.started,
        run.finished,
        run.backup_commit,
        len(statuses),
        statuses.count("compliant"),
        statuses.count("drift"),
        statuses.count("not-audited"),
        run_compliance(run),
    )


def _device_rows(run: AuditRun) -> Iterator[tuple[Any, ...]]:
    for d in run.devices:
        scores = (d.compliance(), d.worst_severity())
        yield (run.run_id, d.name, d.site, d.platform, d.role, d.status, d.error, *scores)


def _finding_rows(run: AuditRun) -> Iterator[tuple[Any, ...]]:
    for d in run.devices:
        for f in d.findings:
            text = (f.section, f.intended, f.running, f.ignored_by)
            yield (run.run_id, d.name, f.kind, f.feature, f.severity, *text)


def _baseline_rows(run: AuditRun) -> Iterator[tuple[Any, ...]]:
    for d in run.devices:
        for r in d.baseline:
            yield (run.run_id, d.name, r.rule, r.severity, r.clause, r.message)
