"""The audit's index.html in a real browser: headless Debian Chromium renders it from a local file, with
no network (every background service off), and the DOM it builds holds the site table and the drifted
device's section; a screenshot proves it paints."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from tests.browser import PNG, chromium, require_chromium
from tests.unit.test_audit_report import ACC1, SITE_ROWS, Page, city_run
from wardnet.audit.report import write_report

pytestmark = pytest.mark.lab

MIN_SCREENSHOT_BYTES = 50_000  # a near-blank 1280x2000 page is ~12 KB, this report ~200 KB


@pytest.fixture
def page(tmp_path: Path) -> Path:
    require_chromium()
    write_report(city_run(), tmp_path / "report", None)
    return tmp_path / "report" / "index.html"


def test_chromium_builds_the_site_table_and_the_drifted_device(tmp_path: Path, page: Path) -> None:
    dom = chromium(tmp_path, page.as_uri(), "--dump-dom")
    assert Page(dom).tables["sites"][1:] == SITE_ROWS
    start = dom.index(f'id="device-{ACC1}"')
    section = dom[start : dom.index("</section>", start)]
    assert '<span class="add">+description &lt;script&gt;alert(1)&lt;/script&gt;</span>' in section
    assert "<script" not in section  # the browser's own parser made no element of the device's text
    assert dom.count("<script") == 1  # only the device table's own script (pinned by the CSP hash)


def test_chromium_paints_the_report(tmp_path: Path, page: Path) -> None:
    shot = tmp_path / "shot.png"
    chromium(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1280,2000")
    data = shot.read_bytes()
    assert data.startswith(PNG)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert (width, height) == (1280, 2000)
    assert len(data) > MIN_SCREENSHOT_BYTES
