"""The audit's index.html in a real browser: headless Debian Chromium renders it from a local file, with
no network (every background service off), and the DOM it builds holds the site table and the drifted
device's section; a screenshot proves it paints."""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import pytest

from tests.unit.test_audit_report import ACC1, SITE_ROWS, Page, city_run
from wardnet.audit.report import write_report

pytestmark = pytest.mark.lab

CHROMIUM = Path("/usr/bin/chromium")
PNG = b"\x89PNG\r\n\x1a\n"
MIN_SCREENSHOT_BYTES = 50_000  # a near-blank 1280x2000 page is ~12 KB, this report ~200 KB


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("WARDNET_REQUIRE_LAB") == "1":
        pytest.fail(
            f"lab required (WARDNET_REQUIRE_LAB=1) but {CHROMIUM} is missing: apt-get install chromium"
        )
    pytest.skip(f"{CHROMIUM} missing: apt-get install chromium")


def chromium(tmp_path: Path, page: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"  # a fresh one per launch
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *mode,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture
def page(tmp_path: Path) -> Path:
    require_chromium()
    write_report(city_run(), tmp_path / "report", None)
    return tmp_path / "report" / "index.html"


def test_chromium_builds_the_site_table_and_the_drifted_device(tmp_path: Path, page: Path) -> None:
    dom = chromium(tmp_path, page, "--dump-dom").stdout
    assert Page(dom).tables["sites"][1:] == SITE_ROWS
    start = dom.index(f'id="device-{ACC1}"')
    section = dom[start : dom.index("</section>", start)]
    assert '<span class="add">+description &lt;script&gt;alert(1)&lt;/script&gt;</span>' in section
    assert "<script" not in section  # the browser's own parser made no element of the device's text
    assert dom.count("<script") == 1  # only the device table's own script (pinned by the CSP hash)


def test_chromium_paints_the_report(tmp_path: Path, page: Path) -> None:
    shot = tmp_path / "shot.png"
    chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1280,2000")
    data = shot.read_bytes()
    assert data.startswith(PNG)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert (width, height) == (1280, 2000)
    assert len(data) > MIN_SCREENSHOT_BYTES
