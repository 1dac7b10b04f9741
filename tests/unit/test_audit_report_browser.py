"""The audit report in headless Chromium (Debian package chromium), no root and no network: the Vietnamese
page at 1366×768 and at phone width (390×844) has its SVG trend charts, its device table sorts and filters
with JavaScript and still lists every device without it, and nothing overflows the phone's width.
Screenshots stay in build/test-artifacts/audit-report/ for a human to look at.

Headless Chromium will not make a window narrower than 500 px, so the phone is an iframe 390 px wide:
the page lays out in the frame's width (its viewport), and a probe copy of the page posts what it measured
to the outer page, which --dump-dom prints."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
from dataclasses import replace
from pathlib import Path

import pytest

from tests.browser import PNG, chromium
from tests.unit.test_audit_report import ACC1, ACC2, FW, RUN_ID, city_run
from wardnet.audit.history import History
from wardnet.audit.report import write_report

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts" / "audit-report"
DEVICES = 7  # city_run: two compliant sites' devices, two drifted switches, an unreachable firewall
PROBE = """<script>
var w = document.documentElement.clientWidth, out = [];
document.querySelectorAll("body *").forEach(function (e) {
  if (e.closest(".scroll") || e.closest("[hidden]")) { return; }
  if (e.getBoundingClientRect().right > w + 0.5) { out.push(e.tagName + "#" + e.id + "." + e.className); }
});
parent.postMessage(JSON.stringify({width: w, scroll: document.documentElement.scrollWidth, wide: out}), "*");
</script>"""
FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="width:390px;height:844px;border:0;display:block"></iframe>
<script>window.addEventListener("message", function (m) {{
document.body.setAttribute("data-probe", m.data); }});</script></body></html>"""


@pytest.fixture
def page(tmp_path: Path) -> Path:
    """The Vietnamese report with three earlier runs in the history (one with nothing audited)."""
    history = History(tmp_path / "history.sqlite")
    for day, devices in (("20", 7), ("21", 0), ("22", 7)):
        earlier = city_run(f"202611{day}T020000Z", f"2026-11-{day}T02:00:00+00:00")
        history.record(replace(earlier, devices=earlier.devices[:devices]))
    history.record(city_run())
    write_report(city_run(), tmp_path / "report", history, lang="vi")
    return tmp_path / "report" / "index.html"


def rows(dom: str) -> list[str]:
    """The device table's body rows, in DOM order, as their opening tag plus the first cell's text."""
    body = dom[dom.index('<table id="devices">') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r"<tr[^>]*>\s*<td[^>]*>(?:<a [^>]*>)?([^<]+)", body)


def visible(dom: str) -> list[str]:
    body = dom[dom.index('<table id="devices">') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [
        name
        for tag, name in re.findall(r"(<tr[^>]*>)\s*<td[^>]*>(?:<a [^>]*>)?([^<]+)", body)
        if "hidden" not in tag
    ]


def test_chromium_builds_the_vietnamese_charts_and_table(tmp_path: Path, page: Path) -> None:
    dom = chromium(tmp_path, page.as_uri(), "--dump-dom", "--window-size=1366,768")
    assert '<html lang="vi">' in dom
    assert "Báo cáo kiểm tra cấu hình mạng" in dom and "Nghiêm trọng" in dom
    city = dom[dom.index('id="chart-1"') : dom.index("</svg>", dom.index('id="chart-1"'))]
    # four runs: the one with no device audited has no point and breaks the line (two points, then one)
    assert len(re.findall(r"<circle ", city)) == 3
    assert len(re.findall(r"<polyline ", city)) == 2
    # acc1: high ntp + medium interfaces, acc2: critical aaa; three runs with drift → 3 × 3 severity bars
    assert len(re.findall(r'<rect class="critical"', city)) == 3
    assert len(re.findall(r'<rect class="(?:high|medium)"', city)) == 6
    assert len(re.findall(r'<svg class="trend"', dom)) == 4  # the city and its three sites
    assert len(rows(dom)) == DEVICES
    assert 'id="device-filter"' in dom and 'id="device-filter" hidden' not in dom  # the script ran


def test_without_javascript_every_device_is_listed_worst_first(page: Path) -> None:
    """What a browser without JavaScript shows is the file as written (Chromium's --dump-dom itself needs
    JavaScript, so this reads the file): every row, attention first, no dead filter box, no buttons."""
    html = page.read_text(encoding="utf-8")
    assert 'id="device-filter" hidden' in html and "<button" not in html
    names = rows(html)
    assert names[:3] == [FW, ACC2, ACC1]  # not audited, then critical drift, then high
    assert len(names) == DEVICES


def test_the_address_filters_and_sorts_the_table(tmp_path: Path, page: Path) -> None:
    dom = chromium(tmp_path, page.as_uri() + "?q=sai+lech+26743", "--dump-dom")
    assert visible(dom) == [ACC1]  # "sai lech" matches "sai lệch" (status drift) in site 26743
    assert '<span id="device-count">1</span>' in dom
    dom = chromium(tmp_path, page.as_uri() + "?sort=compliance", "--dump-dom")
    assert visible(dom)[:3] == [FW, ACC1, ACC2]  # – (not audited), 50 %, 80 %, then the 100 % devices
    assert re.search(r'<th data-key="compliance"[^>]*aria-sort="ascending"', dom)


def test_phone_width_has_no_horizontal_overflow(tmp_path: Path, page: Path) -> None:
    probe = page.with_name("probe.html")
    text = page.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)  # let the probe run
    probe.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    frame = page.with_name("phone.html")
    frame.write_text(FRAME.format(src=probe.name), encoding="utf-8")
    dom = chromium(tmp_path, frame.as_uri(), "--dump-dom", "--virtual-time-budget=5000", "--hide-scrollbars")
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, "the probe did not report"
    measured = json.loads(found.group(1).replace("&quot;", '"'))
    assert measured["width"] == 390
    assert measured["scroll"] <= 390 and measured["wide"] == []


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_screenshots_paint(tmp_path: Path, page: Path, size: tuple[int, int]) -> None:
    width, height = size
    target = page
    if width < 500:  # the phone: the page in a 390 px frame (see the module docstring)
        target = page.with_name("phone.html")
        target.write_text(FRAME.format(src=page.name), encoding="utf-8")
    shot = tmp_path / "shot.png"
    chromium(
        tmp_path,
        target.as_uri(),
        f"--screenshot={shot}",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
    )
    data = shot.read_bytes()
    assert data.startswith(PNG)
    assert struct.unpack(">II", data[16:24]) == size  # the IHDR chunk comes first
    assert len(data) > 30_000  # a blank page of this size is a few KB
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / f"report-vi-{width}x{height}.png")
    assert RUN_ID in page.read_text(encoding="utf-8") and os.path.getsize(ARTIFACTS.parent) >= 0
