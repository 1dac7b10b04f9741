"""The audit runs the level-2 rule pack on what each device runs (issue 16, item 5): a device whose running
config matches its intended config can still break the baseline when both are wrong, and the report, the
JSON, JUnit, the summary and the history say so beside the drift."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, REPO
from wardnet.audit.compare import audit_device
from wardnet.audit.history import History
from wardnet.audit.model import AuditRun, DeviceAudit
from wardnet.audit.report import write_report
from wardnet.checks.expect import Expect
from wardnet.findings import ExitCode
from wardnet.inventory import Inventory
from wardnet.platforms import get_platform

GOLDEN = REPO / "tests" / "golden" / "26743-ben-thanh"
CORE = (GOLDEN / "hcm-26743-core.cfg").read_text()
# Both intended and running carry it: no drift, but an HTTP server on the management plane.
PLANTED = "ip http server\n"


@pytest.fixture(scope="module")
def expect(inventory: Inventory) -> Expect:
    return Expect.from_baseline(inventory.baseline)


def _audit(text: str, expect: Expect) -> DeviceAudit:
    return audit_device(
        "hcm-26743-core", BEN_THANH, "cisco_iosxe", "core",
        intended=text, running=text, rules=[], expect=expect,
    )  # fmt: skip


def test_a_device_matching_a_wrong_intended_config_still_shows_the_rule(expect: Expect) -> None:
    wrong = CORE.replace("hostname hcm-26743-core\n", f"hostname hcm-26743-core\n{PLANTED}")
    assert wrong != CORE
    clean, device = _audit(CORE, expect), _audit(wrong, expect)
    assert (clean.status, device.status) == ("compliant", "compliant")  # running matches intended
    assert not device.findings
    new = {(r.rule, r.message) for r in device.baseline} - {(r.rule, r.message) for r in clean.baseline}
    assert new, "the planted HTTP server is not reported"
    assert any("http" in message.lower() for _, message in new), new
    run = AuditRun("20261205T020000Z", "2026-12-05T02:00:00+00:00", "2026-12-05T02:01:00+00:00", [device])
    assert run.exit_code() == ExitCode.FINDINGS


def test_the_baseline_findings_reach_report_json_junit_summary_and_history(
    expect: Expect, tmp_path: Path
) -> None:
    wrong = CORE.replace("hostname hcm-26743-core\n", f"hostname hcm-26743-core\n{PLANTED}")
    device = _audit(wrong, expect)
    rules = {r.rule for r in device.baseline}
    run = AuditRun("20261205T020000Z", "2026-12-05T02:00:00+00:00", "2026-12-05T02:01:00+00:00", [device])
    history = History(tmp_path / "history.sqlite")
    history.record(run)
    write_report(run, tmp_path / "report", history)

    html = (tmp_path / "report" / "index.html").read_text()
    assert "Level-2 baseline on the running config" in html and "baseline findings" in html
    assert all(rule in html for rule in rules)
    data = json.loads((tmp_path / "report" / "report.json").read_text())
    assert {r["rule"] for r in data["devices"][0]["baseline"]} == rules
    assert data["exit_code"] == 1
    back = AuditRun.from_dict(data)
    assert back.devices[0].baseline == device.baseline  # the shard format round-trips it
    case = ET.parse(tmp_path / "report" / "junit.xml").getroot().find(".//testcase")
    assert case is not None and case.find("failure") is not None
    assert "baseline" in (case.find("failure").text or "")  # type: ignore[union-attr]
    assert all(rule in (tmp_path / "report" / "summary.md").read_text() for rule in rules)
    with sqlite3.connect(tmp_path / "history.sqlite") as db:
        stored = {row[0] for row in db.execute("SELECT rule FROM baseline WHERE device = 'hcm-26743-core'")}
    assert stored == rules


def test_the_rule_form_hides_values_and_keeps_their_type() -> None:
    ios = get_platform("cisco_iosxe").rule_form(
        "username a privilege 15 secret 9 $9$abc$def\n key 7 0822455D0A16\n"
        "ntp authentication-key 1 hmac-sha2-256 104D000A0618 7\nsnmp-server community public RO"
    )
    assert "$9$abc" not in ios and "0822455D0A16" not in ios and "104D000A0618" not in ios
    assert "public" not in ios
    assert "secret 9 <<secret:on_device>>" in ios and "key 7 <<secret:on_device>>" in ios
    assert "hmac-sha2-256 <<secret:on_device>> 7" in ios
    forti = get_platform("fortios").rule_form("    set password ENC SH2abcdef\n    set passwd clear")
    assert (
        forti == "    set password ENC <<secret:on_device>>\n    set passwd clear"
    )  # clear stays: a finding
