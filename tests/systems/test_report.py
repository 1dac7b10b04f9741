"""`wardnet systems report`: every system counted, resources to reclaim, legal-basis gaps, the four scores."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.systems.conftest import SAMPLE_CATALOGUE
from tests.systems.helpers import edited_sample, run_cli


def raw_systems() -> list[dict[str, Any]]:
    """The sample as plain YAML, read independently of wardnet's models."""
    return yaml.safe_load(SAMPLE_CATALOGUE.read_text(encoding="utf-8"))["systems"]


def report_json(capsys: pytest.CaptureFixture[str], catalogue: Path = SAMPLE_CATALOGUE) -> dict[str, Any]:
    code, out, err = run_cli(capsys, "report", "--catalogue", str(catalogue), "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_json_counts_every_system(capsys: pytest.CaptureFixture[str]) -> None:
    systems = raw_systems()
    report = report_json(capsys)

    assert report["systems"] == len(systems)
    assert sum(report["by_status"].values()) == len(systems)
    for status, count in report["by_status"].items():
        assert count == sum(1 for s in systems if s["status"] == status)
    owners = {s["owner"] for s in systems}
    assert set(report["by_owner"]) == owners
    for owner, counts in report["by_owner"].items():
        mine = [s for s in systems if s["owner"] == owner]
        assert counts["total"] == len(mine) == sum(v for k, v in counts.items() if k != "total")
    assert [row["id"] for row in report["rows"]] == [s["id"] for s in systems]


def test_resources_to_reclaim_are_the_servers_of_systems_to_retire(
    capsys: pytest.CaptureFixture[str],
) -> None:
    retiring = [s for s in raw_systems() if s["status"] == "retire"]
    servers = [server for s in retiring for server in s.get("servers", [])]

    reclaim = report_json(capsys)["to_reclaim"]

    assert reclaim["systems"] == [s["id"] for s in retiring]
    assert reclaim["servers"] == len(servers) > 0
    for key in ("vcpu", "ram_gb", "disk_gb"):
        assert reclaim[key] == sum(server[key] for server in servers)
    assert reclaim["databases"] == sum(len(s.get("databases", [])) for s in retiring)


def test_systems_lacking_a_legal_basis_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    lacking = [s["id"] for s in raw_systems() if "legal_basis" not in s]
    assert lacking  # the sample has some: the list must not be trivially empty
    assert [s["id"] for s in report_json(capsys)["lacking_legal_basis"]] == lacking


def test_scores_follow_the_documented_rules(capsys: pytest.CaptureFixture[str]) -> None:
    rows = {row["id"]: row["scores"] for row in report_json(capsys)["rows"]}
    # cong-dvc: busy servers, shared database host, daily backup + recent restore test, on LGSP
    assert rows["cong-dvc"] == {
        "efficiency": 100,
        "centralisation": 100,
        "integrity": 100,
        "data_sharing": 100,
        "overall": 100,
    }
    # ho-tich-cu: 3 % CPU (3/60 → 5), a centralisation candidate, weekly backup, file exports
    assert rows["ho-tich-cu"] == {
        "efficiency": 5,
        "centralisation": 0,
        "integrity": 30,
        "data_sharing": 30,
        "overall": 16,
    }
    assert rows["csdl-dat-dai"]["centralisation"] == 70  # its own Oracle host
    assert set(rows["ldtbxh-cu"].values()) == {None}  # retired: not scored


def test_markdown_html_and_csv_cover_every_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = [s["id"] for s in raw_systems()]
    catalogue = edited_sample(
        tmp_path,
        (
            "    name: Cổng thông tin du lịch Thành phố\n",
            "    name: Cổng <b>du lịch</b> | cũ\n",
        ),
    )
    for fmt in ("md", "html", "csv"):
        code, out, _ = run_cli(capsys, "report", "--catalogue", str(catalogue), "--format", fmt)
        assert code == 0
        for system_id in ids:
            assert system_id in out, (fmt, system_id)
    _, html, _ = run_cli(capsys, "report", "--catalogue", str(catalogue), "--format", "html")
    assert "&lt;b&gt;du lịch&lt;/b&gt;" in html and "<b>du" not in html
    _, text, _ = run_cli(capsys, "report", "--catalogue", str(catalogue), "--format", "csv")
    assert text.startswith("\ufeff")  # the byte-order mark Excel needs to read UTF-8
    written = tmp_path / "report.csv"
    run_cli(capsys, "report", "--catalogue", str(catalogue), "--format", "csv", "--output", str(written))
    assert written.read_bytes().startswith(b"\xef\xbb\xbf")
    assert written.read_bytes().decode("utf-8-sig") == text.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["id"] for row in rows] == ids
    assert rows[-1]["name"] == "Cổng <b>du lịch</b> | cũ"
    _, markdown, _ = run_cli(
        capsys, "report", "--catalogue", str(catalogue), "--format", "md", "--lang", "en"
    )
    assert "**32 vCPU, 64 GB RAM, 1320 GB disk**" in markdown
    header = next(
        line for line in markdown.splitlines() if line.startswith("| System | Name | Owner | Status | vCPU")
    )
    (line,) = [line for line in markdown.splitlines() if line.startswith("| du-lich-portal")]
    assert line.replace("\\|", "").count("|") == header.count("|")  # the table stays intact
    assert "&lt;b>du lịch&lt;/b>" in line


def test_report_in_vietnamese_by_default_for_the_city(capsys: pytest.CaptureFixture[str]) -> None:
    """The sample baseline says city.language: vi; the status and criteria words are translated, the
    catalogue's own text (names, owners) is shown as written."""
    _, markdown, _ = run_cli(capsys, "report", "--format", "md")
    assert markdown.splitlines()[1].startswith("# Rà soát hệ thống thông tin: ")
    assert "| Hệ thống | Tên | Đơn vị chủ quản | Trạng thái | vCPU |" in markdown
    assert "**32 vCPU, 64 GB RAM, 1320 GB ổ đĩa**" in markdown
    _, html, _ = run_cli(capsys, "report", "--format", "html")
    assert '<html lang="vi">' in html and "<th>an toàn dữ liệu</th>" in html
    _, english, _ = run_cli(capsys, "report", "--format", "html", "--lang", "en")
    assert '<html lang="en">' in english and "<th>integrity</th>" in english


def test_report_output_file_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "out" / "report.json"
    code, out, _ = run_cli(capsys, "report", "--format", "json", "--output", str(out_file))
    assert code == 0 and f"wrote {out_file}" in out
    assert json.loads(out_file.read_text(encoding="utf-8"))["systems"] == len(raw_systems())

    no_basis = edited_sample(
        tmp_path, ("    legal_basis: {document: Quyết định 1780/QĐ-UBND, date: 2025-06-03}\n", "")
    )
    code, out, _ = run_cli(capsys, "report", "--catalogue", str(no_basis), "--format", "json")
    assert code == 1  # the report is written, but the catalogue has errors
    assert json.loads(out)["findings"]["error"] == 1

    broken = edited_sample(tmp_path, ("datacenter: Trung", "datacenter: [Trung"))
    code, out, err = run_cli(capsys, "report", "--catalogue", str(broken))
    assert code == 2 and out == "" and "YAML syntax error" in err
