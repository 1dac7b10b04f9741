"""Ben Thanh's golden configs with a few exact edits, and the rule pack's findings on them as a report shows
them (rule, message, fix): what the rule tests that write every finding out by hand share."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.inventory import load_baseline

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "26743-ben-thanh"
Finding = tuple[str, str, str]


@cache
def city_expect() -> Expect:
    """The city baseline's figures: management 10.0.1.0/24 and 2001:db8:0:1::/64; syslog 10.0.0.20 and
    10.0.0.21 at informational; NTP 10.0.0.10 and 10.0.0.11; UTC+7; parking VLAN 999; staff (802.1X) VLAN
    20; passwords of 14 characters."""
    return Expect.from_baseline(load_baseline(INVENTORY))


def golden(file: str) -> str:
    """A golden config by its name after the site's prefix: `acc1.cfg`, `core.cfg`, `fw.conf`."""
    return (GOLDEN / f"hcm-{BEN_THANH}-{file}").read_text(encoding="utf-8")


def edited(text: str, edits: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    """`text` with each (old, new) applied; each old must stand exactly once, so an edit never lands twice
    or nowhere."""
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def findings(text: str, platform: str, role: str, expect: Expect | None = None) -> list[Finding]:
    found = rendered_findings(
        text, platform, role, site=BEN_THANH, device="x", expect=expect or city_expect()
    )
    return [(f.rule, f.message, f.fix) for f in found]
