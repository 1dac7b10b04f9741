"""The audit's reports, history and shard merge, from runs built by hand.

The city run below has three sites: 26734 all compliant, 26743 with a drifted access switch (one finding
carries `<script>`, one is accepted by an ignore rule), a compliant core and an unreachable firewall, and
27004 with a drifted switch. Its figures are worked out by hand in the comments, not by the model.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wardnet.audit.history import History
from wardnet.audit.merge import MergeError, merge_files
from wardnet.audit.model import AuditRun, DeviceAudit, Drift, IgnoreRule
from wardnet.audit.report import write_report

RUN_ID = "20261123T020000Z"
SCRIPT = "description <script>alert(1)</script>"
ACC1, ACC2, FW = "hcm-26743-acc1", "hcm-27004-acc2", "hcm-26743-fw"
EXPIRED = IgnoreRule(
    "old-snmp-probe", "monitoring migration", "2026-10-01", feature="snmp", source="wards/26743.yml:40"
)


def compliant(name: str, site: str) -> DeviceAudit:
    return DeviceAudit(name, site, "frr", "access", "compliant", features=["aaa", "ntp", "interfaces"])


def city_run(run_id: str = RUN_ID, started: str = "2026-11-23T02:00:00+00:00") -> AuditRun:
    # acc1: features {aaa, management, ntp, interfaces}, active drift in ntp and interfaces → 50 %;
    # the logging line is ignored, so it neither fails the device nor counts as a feature.
    acc1 = DeviceAudit(
        ACC1,
        "26743",
        "frr",
        "access",
        "drift",
        findings=[
            Drift("changed", "interfaces", "interface vlan10", "description users", SCRIPT),
            Drift("missing", "ntp", "", intended="ntp server 10.20.0.1"),
            Drift("extra", "logging", "", running="logging host 10.9.9.9", ignored_by="lab-syslog"),
        ],
        features=["aaa", "management", "ntp", "interfaces"],
        diff="--- intended/acc1\n+++ running/acc1\n@@ -3 +3 @@\n-description users\n+" + SCRIPT + "\n",
        remediation="interface vlan10\n description users\nntp server 10.20.0.1\n",
    )
    # acc2: features {ntp, vlans, interfaces, dhcp} plus the drifted aaa → 4 of 5 clean = 80 %.
    acc2 = DeviceAudit(
        ACC2,
        "27004",
        "cisco_iosxe",
        "access",
        "drift",
        findings=[Drift("extra", "aaa", "", running="username intruder privilege 15 secret *****")],
        features=["ntp", "vlans", "interfaces", "dhcp"],
        diff="--- intended/acc2\n+++ running/acc2\n@@ -1 +1,2 @@\n+username intruder\n",
        remediation="no username intruder\n",
    )
    fw = DeviceAudit(
        FW, "26743", "fortios", "firewall", "not-audited", error="ssh: auth failed | retry later"
    )
    devices = [
        compliant("hcm-26734-acc1", "26734"),
        compliant("hcm-26734-core", "26734"),
        acc1,
        compliant("hcm-26743-core", "26743"),
        fw,
        acc2,
        compliant("hcm-27004-core", "27004"),
    ]
    return AuditRun(run_id, started, started.replace("02:00", "02:07"), devices, [EXPIRED], "", "c0ffee")


# Sites: 26734 → 100; 26743 → (50 + 100) / 2 = 75; 27004 → (80 + 100) / 2 = 90.
# City: (100 + 100 + 50 + 100 + 80 + 100) / 6 = 88.33 %.
SITE_ROWS = [
    ["26734", "2", "2", "0", "0", "100.0%"],
    ["26743", "3", "1", "1", "1", "75.0%"],
    ["27004", "2", "1", "1", "0", "90.0%"],
]


class Page(HTMLParser):
    """Cells of every table with an id, and every element id: enough to read the report like a browser."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs).get("id")
        if found:
            self.ids.add(found)
        if tag == "table":
            self._table = found
            if found:
                self.tables[found] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def report(tmp_path: Path) -> Path:
    history = History(tmp_path / "state" / "history.sqlite")
    history.record(replace(city_run("20261122T020000Z", "2026-11-22T02:00:00+00:00"), devices=[]))
    history.record(city_run())
    write_report(city_run(), tmp_path / "report", history)
    return tmp_path / "report"


def test_write_report_writes_the_four_files(tmp_path: Path) -> None:
    paths = write_report(city_run(), tmp_path / "new" / "dir", None)
    assert sorted(p.name for p in paths) == ["index.html", "junit.xml", "report.json", "summary.md"]
    assert all(p.stat().st_size > 0 for p in paths)
    assert sorted(p.name for p in (tmp_path / "new" / "dir").iterdir()) == sorted(p.name for p in paths)


def test_index_html_has_the_site_table_and_the_city_figures(report: Path) -> None:
    html = (report / "index.html").read_text()
    page = Page(html)
    assert page.tables["sites"][1:] == SITE_ROWS
    assert "<strong>88.3%</strong>" in html
    assert 'Network audit 20261123T020000Z: <span class="verdict-1">drift found</span>' in html
    assert "c0ffee" in html


def test_index_html_has_a_section_per_device_needing_attention(report: Path) -> None:
    html = (report / "index.html").read_text()
    ids = Page(html).ids
    assert {f"device-{ACC1}", f"device-{ACC2}", f"device-{FW}"} <= ids
    assert not {i for i in ids if i.startswith("device-") and i.endswith("core")}  # compliant: no section
    acc1 = html[html.index(f'id="device-{ACC1}"') : html.index(f'id="device-{ACC2}"')]
    assert "ntp server 10.20.0.1" in acc1 and "lab-syslog" in acc1
    assert '<span class="del">-description users</span>' in acc1
    assert '<span class="hunk">@@ -3 +3 @@</span>' in acc1
    assert "interface vlan10\n description users\nntp server 10.20.0.1" in acc1  # remediation, as is
    assert "ssh: auth failed | retry later" in html


def test_index_html_escapes_device_text_and_loads_nothing(report: Path) -> None:
    html = (report / "index.html").read_text()
    assert html.count("<script") == 1  # the table's own script, last in the body; the CSP allows only it
    script = html[html.index("<script>") + len("<script>") : html.index("</script>")]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html and "default-src 'none'" in html
    assert "alert" not in script
    assert "description &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<span class="add">+description &lt;script&gt;alert(1)&lt;/script&gt;</span>' in html
    for external in ("http://", "https://", "src=", "<link", "url(", "@import"):
        assert external not in html


def test_index_html_lists_expired_ignore_rules_and_the_trend(report: Path) -> None:
    html = (report / "index.html").read_text()
    expired = html[html.index('id="expired"') : html.index('id="sites"')]
    for text in ("old-snmp-probe", "monitoring migration", "2026-10-01", "wards/26743.yml:40"):
        assert text in expired
    trend = html[html.index('id="trend"') : html.index('id="expired"')]
    city = trend[: trend.index("</svg>")]
    # two runs in the history: the empty one has no point and no bar; the city run's active findings are
    # acc1's ntp (high) and interfaces (medium) and acc2's aaa (critical), one bar segment each
    assert len(re.findall(r"<circle ", city)) == 1
    assert "<title>20261123T020000Z: 88.3%</title>" in city
    assert "20261122T020000Z" not in city
    bars = re.findall(r'<rect class="(\w+)"[^>]*><title>([^<]*)</title>', city)
    assert bars == [
        ("critical", "20261123T020000Z: 1 critical"),
        ("high", "20261123T020000Z: 1 high"),
        ("medium", "20261123T020000Z: 1 medium"),
    ]
    assert len(re.findall(r'<svg class="trend"', trend)) == 4  # the city and its three sites
    assert Page(html).tables["runs"][1:] == [
        ["20261123T020000Z", "2026-11-23T02:00:00+00:00", "7", "4", "2", "1", "88.3%"],
        ["20261122T020000Z", "2026-11-22T02:00:00+00:00", "0", "0", "0", "0", "–"],
    ]


def test_every_finding_links_to_its_device_remediation(report: Path) -> None:
    html = (report / "index.html").read_text()
    acc1 = html[
        html.index(f'id="device-{ACC1}"') : html.index("</section>", html.index(f'id="device-{ACC1}"'))
    ]
    links = re.findall(r'<a href="#([^"]+)">how to fix</a>', acc1)
    assert links == [f"fix-{ACC1}", f"fix-{ACC1}"]  # two active findings; the ignored one has no link
    fix = acc1[acc1.index(f'id="fix-{ACC1}"') :]
    assert "ntp server 10.20.0.1" in fix and "wardnet audit --site 26743 --remediate --commit" in fix


def test_the_device_table_lists_every_device_attention_first(report: Path) -> None:
    table = Page((report / "index.html").read_text()).tables["devices"]
    assert [row[0] for row in table[1:4]] == [FW, ACC2, ACC1]
    assert table[2][4:8] == ["drift", "critical", "80.0%", "1"]
    assert sorted(row[0] for row in table[4:]) == [
        "hcm-26734-acc1", "hcm-26734-core", "hcm-26743-core", "hcm-27004-core",
    ]  # fmt: skip


def test_the_vietnamese_report(tmp_path: Path) -> None:
    write_report(city_run(), tmp_path, None, lang="vi")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in html
    assert "Báo cáo kiểm tra cấu hình mạng 20261123T020000Z" in html and "phát hiện sai lệch" in html
    table = Page(html).tables["devices"]
    assert table[0][:2] == ["Thiết bị", "Đơn vị"]
    assert table[2][4:6] == ["sai lệch", "Nghiêm trọng"]
    assert "Chưa có lịch sử." in html and "how to fix" not in html and "cách khắc phục" in html
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "**7 thiết bị**: 4 tuân thủ, 2 sai lệch, 1 chưa kiểm tra được. Mức tuân thủ **88.3%**" in md
    assert "| Cao | ntp | thiếu | – | `ntp server 10.20.0.1` | – |" in md


def test_without_history_the_report_says_so(tmp_path: Path) -> None:
    write_report(city_run(), tmp_path, None)
    assert "No history yet." in (tmp_path / "index.html").read_text()


def test_junit_has_a_suite_per_site_and_fails_drifted_devices(report: Path) -> None:
    root = ET.parse(report / "junit.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "2", "1")
    assert [s.get("name") for s in root.iter("testsuite")] == ["26734", "26743", "27004"]
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert len(cases) == 7
    assert cases[ACC1].get("classname") == "wardnet.audit.26743"
    failure = cases[ACC1].find("failure")
    assert failure is not None
    assert failure.get("message") == "2 findings: ntp, interfaces"
    assert SCRIPT in (failure.text or "") and "logging" not in (failure.text or "")
    error = cases[FW].find("error")
    assert error is not None and error.get("message") == "ssh: auth failed | retry later"
    assert list(cases["hcm-27004-core"]) == []
    site = next(s for s in root.iter("testsuite") if s.get("name") == "26743")
    assert (site.get("tests"), site.get("failures"), site.get("errors")) == ("3", "1", "1")


def test_junit_stays_well_formed_with_control_characters(tmp_path: Path) -> None:
    run = city_run()
    run.devices[2].findings.append(Drift("extra", "other", "", running="banner \x1b[31mred\x00"))
    write_report(run, tmp_path, None)
    assert ET.parse(tmp_path / "junit.xml").getroot().get("failures") == "2"


def test_summary_md_for_a_ci_job_summary(report: Path) -> None:
    md = (report / "summary.md").read_text()
    assert "**7 devices**: 4 compliant, 2 drifted, 1 not audited. Compliance **88.3%**" in md
    assert "| 26743 | 3 | 1 | 1 | 1 | 75.0% |" in md
    assert f"#### {ACC1} (site 26743, frr access)" in md
    assert "Drift by feature: ntp (high): 1; interfaces (medium): 1. Accepted by ignore rules: 1." in md
    assert "| high | ntp | missing | – | `ntp server 10.20.0.1` | – |" in md
    assert "logging host 10.9.9.9" not in md  # accepted drift is counted, not listed
    assert f"`{SCRIPT}`" in md  # a code span: shown, never rendered
    assert "`username intruder privilege 15 secret *****`" in md
    assert f"- **{FW}** (site 26743, fortios): ssh: auth failed \\| retry later" in md
    assert "| old-snmp-probe | monitoring migration | 2026-10-01 | wards/26743.yml:40 |" in md


def test_summary_md_stays_short_for_a_ci_job_summary(tmp_path: Path) -> None:
    run = city_run()
    run.devices[5].findings.extend(Drift("extra", "vlans", "", running=f"vlan {n}") for n in range(100, 125))
    write_report(run, tmp_path, None)
    md = (tmp_path / "summary.md").read_text()
    assert "`vlan 118`" in md and "`vlan 119`" not in md  # 1 aaa + 19 vlans listed
    assert "… and 6 more findings: see index.html." in md
    assert "vlan 124" in (tmp_path / "index.html").read_text()


def test_report_json_round_trips(report: Path) -> None:
    data = json.loads((report / "report.json").read_text())
    assert AuditRun.from_dict(data) == city_run()
    assert data["exit_code"] == 1
    assert [s["site"] for s in data["sites"]] == ["26734", "26743", "27004"]
    assert data["sites"][1]["compliance"] == pytest.approx(75.0)


def test_history_records_a_run_once_and_trends_oldest_first(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "history.sqlite"
    history = History(db)
    later = city_run("20261124T020000Z", "2026-11-24T02:00:00+00:00")
    history.record(later)  # recorded out of order on purpose
    history.record(city_run())
    history.record(city_run())
    trend = history.trend()
    assert [t["run_id"] for t in trend] == [RUN_ID, "20261124T020000Z"]
    first = trend[0]
    assert (first["devices"], first["compliant"], first["drifted"], first["not_audited"]) == (7, 4, 2, 1)
    assert first["compliance"] == pytest.approx(530 / 6)
    assert [t["run_id"] for t in history.trend(limit=1)] == ["20261124T020000Z"]
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM findings WHERE run_id = ?", (RUN_ID,)).fetchone() == (4,)
        assert con.execute("SELECT COUNT(*) FROM devices WHERE run_id = ?", (RUN_ID,)).fetchone() == (7,)
        row = con.execute("SELECT compliance, worst_severity FROM devices WHERE name = ?", (ACC2,)).fetchone()
    assert row == (pytest.approx(80.0), "critical")
    assert [(h["run_id"], h["status"], h["findings"]) for h in history.device_history(ACC1)] == [
        (RUN_ID, "drift", 2),
        ("20261124T020000Z", "drift", 2),
    ]


def shards(tmp_path: Path, commits: tuple[str, str] = ("c1", "c2")) -> list[Path]:
    """The city run split as `--shard 1/2` and `2/2` would (whole sites), each written as a report."""
    whole = city_run()
    parts = [
        replace(whole, devices=[d for d in whole.devices if d.site == "26743"], shard="1/2"),
        replace(whole, devices=[d for d in whole.devices if d.site != "26743"], shard="2/2"),
    ]
    parts[0] = replace(parts[0], started="2026-11-23T02:00:05+00:00", finished="2026-11-23T02:09:00+00:00")
    paths = []
    for i, (part, commit) in enumerate(zip(parts, commits, strict=True)):
        write_report(replace(part, backup_commit=commit), tmp_path / f"shard{i + 1}", None)
        paths.append(tmp_path / f"shard{i + 1}" / "report.json")
    return paths


def test_merging_shards_gives_the_whole_run(tmp_path: Path) -> None:
    merged = merge_files(shards(tmp_path))
    whole = city_run()
    assert [d.name for d in merged.devices] == [d.name for d in whole.devices]
    assert merged.devices == whole.devices
    assert merged.sites() == whole.sites()
    assert (merged.run_id, merged.shard, merged.backup_commit) == (RUN_ID, "", "c1,c2")
    assert (merged.started, merged.finished) == ("2026-11-23T02:00:00+00:00", "2026-11-23T02:09:00+00:00")
    assert merged.expired_ignores == [EXPIRED]  # in both shards, once in the merge


def test_merge_keeps_one_commit_when_shards_share_it(tmp_path: Path) -> None:
    assert merge_files(shards(tmp_path, ("c1", "c1"))).backup_commit == "c1"


def test_merge_of_different_runs_takes_the_earliest_run_id(tmp_path: Path) -> None:
    first, second = shards(tmp_path)
    data = json.loads(second.read_text())
    data.update(run_id="20261123T015900Z", started="2026-11-23T01:59:00+00:00")
    second.write_text(json.dumps(data))
    assert merge_files([first, second]).run_id == "20261123T015900Z"


def test_merge_refuses_a_device_in_two_shards(tmp_path: Path) -> None:
    first, second = shards(tmp_path)
    data = json.loads(second.read_text())
    data["devices"].append(json.loads(first.read_text())["devices"][0])
    second.write_text(json.dumps(data))
    with pytest.raises(MergeError, match=re.escape(ACC1)) as caught:
        merge_files([first, second])
    assert str(first) in str(caught.value) and str(second) in str(caught.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"run_id": "x",', "invalid JSON at line 1"),
        ("[1, 2]", "expected a JSON object"),
        ('{"started": "2026-11-23T02:00:00+00:00"}', "run_id: required field is missing"),
        ('{"run_id": "x", "started": "soon", "finished": "later"}', "started: is not an ISO 8601 time"),
        (
            '{"run_id": "x", "started": "2026-11-23", "finished": "2026-11-23", "devices": [{"name": 1}]}',
            "devices.0.name: input should be a valid string, got 1",
        ),
    ],
)
def test_merge_names_the_bad_file_and_what_is_wrong(tmp_path: Path, content: str, problem: str) -> None:
    good, _ = shards(tmp_path)
    bad = tmp_path / "broken" / "report.json"
    bad.parent.mkdir()
    bad.write_text(content)
    with pytest.raises(MergeError, match=re.escape(problem)) as caught:
        merge_files([good, bad])
    assert str(bad) in str(caught.value)


def test_merge_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MergeError, match=re.escape(str(tmp_path / "nope.json"))):
        merge_files([tmp_path / "nope.json"])


def test_merge_refuses_an_incomplete_set_of_shards(tmp_path: Path) -> None:
    first, _ = shards(tmp_path)
    with pytest.raises(MergeError, match=re.escape("shard 2/2 missing")):
        merge_files([first])
