"""`wardnet systems check`: the sample passes; every rule of the review order fails when broken."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from tests.systems.conftest import SAMPLE_CATALOGUE
from tests.systems.helpers import edited_sample, run_cli

IN_TWO_DAYS = date.today() + timedelta(days=2)  # tomorrow is allowed: the city is UTC+7, CI often UTC
CONG_DVC_BASIS = (
    "    reason: Nền tảng dùng chung của Thành phố, kết nối Cổng Dịch vụ công quốc gia; "
    "không có hệ thống thay thế\n"
    "    legal_basis: {document: Quyết định 2448/QĐ-UBND, date: 2025-07-15}\n"
)


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_sample_catalogue_passes(capsys: pytest.CaptureFixture[str]) -> None:
    systems = len(yaml.safe_load(SAMPLE_CATALOGUE.read_text(encoding="utf-8"))["systems"])
    for today in ("2026-11-23", date.today().isoformat()):  # the committed day, and the day it runs
        code, out, err = run_cli(capsys, "check", "--catalogue", str(SAMPLE_CATALOGUE), "--today", today)
        assert code == 0, out + err
        assert f"checked {systems} systems: 0 error(s)" in out
    assert systems >= 12


def test_keep_without_legal_basis_fails_naming_the_system(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reason_only = CONG_DVC_BASIS.splitlines(keepends=True)[0]
    catalogue = edited_sample(tmp_path, (CONG_DVC_BASIS, reason_only))

    code, out, _ = run_cli(capsys, "check", "--catalogue", str(catalogue))

    assert code == 1
    (error,) = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert "cong-dvc" in error and "legal_basis" in error and "kept without a legal basis" in error
    assert f"systems.yml:{line_of(catalogue, '- id: cong-dvc')}:" in error
    assert "checked 18 systems: 1 error(s)" in out


def test_keep_without_reason_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    basis_only = CONG_DVC_BASIS.splitlines(keepends=True)[1]
    catalogue = edited_sample(tmp_path, (CONG_DVC_BASIS, basis_only))

    code, out, _ = run_cli(capsys, "check", "--catalogue", str(catalogue))

    assert code == 1
    assert "cong-dvc" in out and "kept without a written reason" in out


def test_retire_without_a_decommission_plan_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = (
        "    decommission:\n"
        "      planned: 2027-01-20\n"
        "      approved_by: Giám đốc Sở Tư pháp\n"
        "      replacement: Hệ thống hộ tịch điện tử toàn quốc (Bộ Tư pháp)\n"
        "      retention_years: 20\n"
        "      services:\n"
        "        - {unit: hotich-cu.service}\n"
        "      data_dirs: [/srv/hotich-cu/scans]\n"
    )
    catalogue = edited_sample(tmp_path, (plan, ""))

    code, out, _ = run_cli(capsys, "check", "--catalogue", str(catalogue))

    assert code == 1
    (error,) = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert "ho-tich-cu" in error and "decommission" in error and "without a decommission plan" in error


def test_retire_with_a_database_the_decommission_cannot_archive_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = edited_sample(
        tmp_path,
        (
            "{engine: postgresql, name: hotich_cu, host: pgdc02.dc.hcm.gov.vn}",
            "{engine: mssql, name: hotich_cu, host: sqldc01.dc.hcm.gov.vn, port: 1433}",
        ),
    )
    code, out, _ = run_cli(capsys, "check", "--catalogue", str(catalogue))
    assert code == 1
    assert "ho-tich-cu" in out and "databases.0.engine" in out and "postgresql only" in out


def test_an_overdue_review_is_a_warning_and_fails_only_with_strict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sample = str(SAMPLE_CATALOGUE)  # khao-sat-hai-long: last review 2025-06-10, every 365 days
    code, out, _ = run_cli(capsys, "check", "--catalogue", sample, "--today", "2026-06-10")
    assert code == 0 and "khao-sat-hai-long" not in out
    code, out, _ = run_cli(capsys, "check", "--catalogue", sample, "--today", "2026-06-11")
    assert code == 0
    assert "WARNING  khao-sat-hai-long" in out and "review overdue since 2026-06-10" in out
    code, _, _ = run_cli(capsys, "check", "--catalogue", sample, "--today", "2026-06-11", "--strict")
    assert code == 1


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    status: retired\n", "    status: retire\n", "has an archive record but its status is retire"),
        (
            "    status: review\n    reason: Chờ",
            "    status: retired\n    reason: Chờ",
            "without the archive record",
        ),
    ],
    ids=["record-on-retire", "retired-without-record"],
)
def test_contradictions_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    catalogue = edited_sample(tmp_path, (old, new))
    code, out, _ = run_cli(capsys, "check", "--catalogue", str(catalogue))
    assert code == 1
    assert expected in out


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("datacenter: Trung", "datacenter: [Trung", "YAML syntax error"),
        (
            "    legal_basis: {document: Quyết định 1325",
            "    legal_bassis: {document: Quyết định 1325",
            "did you mean 'legal_basis'?",
        ),
        ("    last_review: 2026-06-20\n", "    last_review: 2026-13-20\n", "write the date as YYYY-MM-DD"),
        ("    status: retired\n", "    status: archived\n", "'archived' is not allowed"),
        (
            "      - {name: ks-app01,",
            "    backup: daily\n    servers:\n      - {name: ks-app01,",
            "key given twice",
        ),
        (
            "    name: Trang thông tin điện tử cũ của Ban Quản lý các khu chế xuất và công nghiệp\n",
            '    name: "Trang\\nthông tin"\n',
            "control or invisible character",
        ),
        ("      data_dirs: [/srv/hotich-cu/scans]", "      data_dirs: [/srv]", "too close to /"),
        ("  - id: gqtthc\n", "  - id: cong-dvc\n", "id cong-dvc given twice (first on line"),
        (
            "{name: gq-app02, vcpu: 16",
            "{name: dvc-web01, vcpu: 16",
            "server dvc-web01 is also listed by cong-dvc",
        ),
        ("    last_review: 2026-06-20\n", "    last_review: 0\n", "must be a calendar date, not a number"),
        ("    last_review: 2026-06-20\n", '    last_review: "20/06/2026"\n', "not text in another form"),
        ("    last_review: 2026-06-20\n", "    last_review: 2026-06-20 10:00:00\n", "not a date with a time"),
        ("    last_review: 2026-06-20\n", "    last_review: 1970-01-01\n", "not a plausible date"),
        ("    last_review: 2026-06-20\n", f"    last_review: {IN_TWO_DAYS}\n", "is in the future"),
    ],
    ids=[
        "syntax",
        "typo",
        "date",
        "status",
        "duplicate-key",
        "newline",
        "root-folder",
        "duplicate-id",
        "server-twice",
        "review-zero",
        "review-text",
        "review-with-time",
        "review-1970",
        "review-tomorrow",
    ],
)
def test_bad_input_cannot_run_and_names_file_line_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    catalogue = edited_sample(tmp_path, (old, new))
    code, out, err = run_cli(capsys, "check", "--catalogue", str(catalogue))
    assert code == 2
    assert out == ""
    assert expected in err and "(fix: " in err
    assert re.search(r"systems\.yml:\d+: ", err), err  # file and line
    assert "nothing was written" in err


def test_a_missing_catalogue_cannot_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "check", "--catalogue", str(tmp_path / "nowhere.yml"))
    assert code == 2 and "catalogue file not found" in err


def test_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reason_only = CONG_DVC_BASIS.splitlines(keepends=True)[0]
    catalogue = edited_sample(tmp_path, (CONG_DVC_BASIS, reason_only))
    code, out, _ = run_cli(capsys, "check", "--catalogue", str(catalogue), "--format", "json")
    payload = json.loads(out)
    assert code == 1
    assert payload["systems"] == 18 and payload["summary"] == {"error": 1, "warning": 1}
    errors = [f for f in payload["findings"] if f["severity"] == "error"]
    assert errors[0]["system"] == "cong-dvc" and errors[0]["field"] == "legal_basis"
    assert errors[0]["line"] == line_of(catalogue, "- id: cong-dvc")


def test_report_output_that_is_a_folder_cannot_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "report", "--catalogue", str(SAMPLE_CATALOGUE), "--output", str(tmp_path)
    )
    assert code == 2 and "not a regular file" in err and out == ""
