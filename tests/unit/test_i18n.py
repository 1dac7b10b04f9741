"""The report message catalogue: every key in both languages, every key a template asks for present,
and the default language read from the city baseline (vi for Ho Chi Minh City)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from wardnet.audit.model import FEATURES
from wardnet.findings import SEVERITIES
from wardnet.i18n import LANGUAGES, MissingMessageError, catalogue, default_language, translator
from wardnet.resources import TEMPLATES
from wardnet.systems.report import CRITERIA, STATUSES

USED = re.compile(r"""\bt\(\s*["']([a-z0-9_.-]+)["']""")
DYNAMIC = {"severity.": [*SEVERITIES, "none"], "status.": ["compliant", "drift", "not-audited"]}


def test_every_key_has_both_languages() -> None:
    for key, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key


def test_every_key_a_template_uses_is_in_the_catalogue() -> None:
    used = {key for path in TEMPLATES.glob("*/*.j2") for key in USED.findall(path.read_text())}
    assert "audit.title" in used and len(used) > 40  # the scan finds the calls
    assert {k for k in used if not k.endswith(".")} - set(catalogue()) == set()  # "severity." ~ s: below
    dynamic = {
        **DYNAMIC,
        "kind.": ["missing", "extra", "changed"],
        "site.state.": ["up", "shutdown"],
        "site.ipv6.": ["static", "slaac", "dhcpv6"],
        "sys.status.": list(STATUSES),
        "sys.criterion.": [*CRITERIA, "overall"],
    }
    assert {k for k in used if k.endswith(".")} == set(dynamic)  # every dynamic prefix is checked
    for prefix, values in dynamic.items():
        assert {prefix + v for v in values} <= set(catalogue())
    assert set(FEATURES.values()) <= set(SEVERITIES)


def test_vietnamese_severity_words_carry_their_diacritics() -> None:
    vi = translator("vi")
    assert [vi(f"severity.{s}") for s in SEVERITIES] == ["Nghiêm trọng", "Cao", "Trung bình", "Thấp"]
    assert vi("audit.severity") == "Mức độ"


def test_a_missing_key_or_language_is_an_error() -> None:
    with pytest.raises(MissingMessageError, match=r"no 'vi' text for 'audit\.nope'"):
        translator("vi")("audit.nope")
    with pytest.raises(ValueError, match="give one of vi, en"):
        translator("fr")


def test_the_default_language_comes_from_the_baseline(tmp_path: Path) -> None:
    assert default_language(REPO / "inventories") == "vi"  # Ho Chi Minh City
    copy = tmp_path / "inv"
    shutil.copytree(REPO / "inventories" / "group_vars", copy / "group_vars")
    baseline = copy / "group_vars" / "all" / "baseline.yml"
    baseline.write_text(re.sub(r"^  language: vi.*\n", "", baseline.read_text(), flags=re.MULTILINE))
    assert default_language(copy) == "en"
    assert default_language(tmp_path / "missing") == "en"


def test_site_pages_default_to_the_city_language(tmp_path: Path) -> None:
    """`wardnet render` writes Ho Chi Minh City's site pages in Vietnamese; --lang en gives the English
    page, byte for byte the golden one (rendered by the library default, English)."""
    from wardnet.cli import main

    assert main(["render", "--site", "26743", "--out", str(tmp_path / "vi")]) == 0
    page = (tmp_path / "vi" / "26743-ben-thanh" / "README.md").read_text(encoding="utf-8")
    for heading in (
        "## Quy hoạch IP và VLAN",
        "## Thiết bị",
        "## Đấu nối",
        "## Sơ đồ cổng",
        "## DHCP và DNS",
    ):
        assert f"\n{heading}\n" in page
    assert "| Cổng | Số lượng | Chế độ | VLAN | Mô tả | Trạng thái |" in page and "| tắt |" in page
    assert "Designed for" not in page and "relays every client VLAN" not in page
    assert main(["render", "--site", "26743", "--out", str(tmp_path / "en"), "--lang", "en"]) == 0
    english = (tmp_path / "en" / "26743-ben-thanh" / "README.md").read_text(encoding="utf-8")
    assert english == (REPO / "tests" / "golden" / "26743-ben-thanh" / "README.md").read_text(
        encoding="utf-8"
    )
