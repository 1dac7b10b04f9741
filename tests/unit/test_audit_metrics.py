"""The audit's Prometheus textfile, read back with Prometheus' own text parser (prometheus_client): the
figures of the hand-built city run (worked out in test_audit_report.py), label escaping, the atomic write
node_exporter's textfile collector needs, and `last success` surviving a run that audited nothing."""

from __future__ import annotations

import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.unit.test_audit_report import ACC1, ACC2, FW, city_run, shards
from wardnet.audit.history import History
from wardnet.audit.metrics import write_metrics
from wardnet.audit.model import DeviceAudit, Drift
from wardnet.cli import main

FINISHED = datetime(2026, 11, 23, 2, 7, tzinfo=UTC).timestamp()  # city_run: 02:00 to 02:07 UTC


def parse(path: Path) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """metric name → {sorted label pairs: value}, through the real exposition-format parser."""
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        assert family.type == "gauge" and family.documentation
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def test_the_city_run_as_metrics(tmp_path: Path) -> None:
    path = write_metrics(city_run(), tmp_path / "wardnet_audit.prom", None)
    m = parse(path)
    assert m["wardnet_audit_devices"] == {
        (("status", "compliant"),): 4,
        (("status", "drift"),): 2,
        (("status", "not-audited"),): 1,
    }
    assert m["wardnet_audit_compliance_ratio"][()] == pytest.approx(530 / 600)  # 88.33 %
    assert m["wardnet_audit_not_audited_devices"][()] == 1
    # active findings: acc2 aaa (critical), acc1 ntp (high) and interfaces (medium); logging is ignored
    assert m["wardnet_audit_drift_findings"] == {
        (("severity", "critical"),): 1,
        (("severity", "high"),): 1,
        (("severity", "medium"),): 1,
        (("severity", "low"),): 0,
    }
    sites = {dict(k)["site"]: v for k, v in m["wardnet_audit_site_compliance_ratio"].items()}
    assert sites == {"26734": 1.0, "26743": 0.75, "27004": 0.9}
    assert m["wardnet_audit_site_not_audited_devices"][(("site", "26743"),)] == 1
    assert m["wardnet_audit_site_drift_findings"][(("severity", "critical"), ("site", "27004"))] == 1
    devices = {dict(k)["device"]: v for k, v in m["wardnet_audit_device_compliance_ratio"].items()}
    assert devices[ACC1] == 0.5 and devices[ACC2] == 0.8 and FW not in devices  # no score, not 0
    audited = {dict(k)["device"]: v for k, v in m["wardnet_audit_device_audited"].items()}
    assert audited[FW] == 0 and audited[ACC1] == 1 and len(audited) == 7
    by_device = m["wardnet_audit_device_drift_findings"]
    acc1 = {dict(k)["severity"]: v for k, v in by_device.items() if dict(k)["device"] == ACC1}
    assert acc1 == {"critical": 0, "high": 1, "medium": 1, "low": 0}
    assert m["wardnet_audit_expired_ignore_rules"][()] == 1
    assert m["wardnet_audit_run_duration_seconds"][()] == 420
    assert m["wardnet_audit_run_timestamp_seconds"][()] == FINISHED
    assert m["wardnet_audit_last_success_timestamp_seconds"][()] == FINISHED
    assert m["wardnet_audit_run_exit_code"][()] == 1


def test_labels_are_escaped_and_the_file_is_replaced_whole(tmp_path: Path) -> None:
    odd = DeviceAudit(
        'sw"1\\x', "2\n7", "frr", "access", "drift", findings=[Drift("extra", "ntp", "", running="x")]
    )
    path = tmp_path / "textfiles" / "wardnet_audit.prom"
    path.parent.mkdir()
    path.write_text("stale 1\n")
    write_metrics(replace(city_run(), devices=[odd]), path, None)
    m = parse(path)
    assert m["wardnet_audit_device_audited"] == {
        (("device", 'sw"1\\x'), ("platform", "frr"), ("role", "access"), ("site", "2\n7")): 1
    }
    assert "stale" not in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["wardnet_audit.prom"]  # no partial file left
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # node_exporter runs as its own user


def test_a_run_that_audited_nothing_keeps_the_last_success(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite")
    history.record(city_run())
    down = city_run("20261124T020000Z", "2026-11-24T02:00:00+00:00")
    down.devices = [replace(d, status="not-audited", error="timeout", findings=[]) for d in down.devices]
    history.record(down)
    m = parse(write_metrics(down, tmp_path / "w.prom", history.last_success()))
    assert m["wardnet_audit_run_exit_code"][()] == 2
    assert m["wardnet_audit_last_success_timestamp_seconds"][()] == FINISHED  # the 23rd's run
    assert "wardnet_audit_compliance_ratio" not in m  # no audited device: no figure, not 0 %


def test_merge_writes_the_metrics_and_the_lang(tmp_path: Path) -> None:
    prom, report = tmp_path / "metrics" / "wardnet_audit.prom", tmp_path / "report"
    args = ["audit", "merge", *map(str, shards(tmp_path)), "--history", str(tmp_path / "h.sqlite")]
    assert main([*args, "--metrics", str(prom), "--report", str(report), "--lang", "vi"]) == 1
    m = parse(prom)
    assert sum(m["wardnet_audit_devices"].values()) == 7
    assert m["wardnet_audit_run_duration_seconds"][()] == 540  # merged: 02:00:00 to 02:09:00
    assert '<html lang="vi">' in (report / "index.html").read_text(encoding="utf-8")
