"""CAP-PROVE: the design's capacity figures against a stored `wardnet lab prove` report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BEN_THANH
from wardnet.checks.proven import proven, report_path
from wardnet.design import SiteDesign, design_site
from wardnet.inventory import Inventory

# Ben Thanh, 500 users (baseline shares 20/20/6/60/3 %; pool = peak x 2.0, smallest prefix that holds it);
# AP-MGMT 2 % (its /26 minimum: 53) and VOICE 8 % (/25: 117) since issue 17, appended to keep the indexes.
DESIGNED = {20: (100, 245), 21: (100, 245), 30: (30, 117), 50: (300, 1013), 70: (15, 117), 15: (10, 53),
            40: (40, 117)}  # fmt: skip


@pytest.fixture(scope="module")
def design(inventory: Inventory) -> SiteDesign:
    entry = next(iter(inventory.select([BEN_THANH])))
    return design_site(entry.site, inventory.baseline)


def _report(**changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "users": 500,
        "passed": True,
        "failures": [],
        "dhcp": {
            "design_load": [
                {"vlan": v, "clients": peak, "leases": peak, "pool_size": pool}
                for v, (peak, pool) in DESIGNED.items()
            ],
            "overload": [  # one round (wardnet.lab.prove.exhaustion): twice the pool, every pool full
                {
                    "factor": 2.0,
                    "vlans": [
                        {
                            "vlan": v,
                            "clients": 2 * pool,
                            "leases": pool,
                            "pool_size": pool,
                            "held_by_others": 0,
                        }
                        for v, (_, pool) in DESIGNED.items()
                    ],
                }
            ],
        },
        "sessions": {"conntrack_max": 524288},
    }
    report.update(changes)
    return report


def _write(tmp_path: Path, report: dict[str, Any]) -> Path:
    path = report_path(BEN_THANH, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(report))
    return tmp_path


def test_design_capacity_figures(design: SiteDesign) -> None:
    want = design.devices["hcm-26743-fw"].capacity
    assert (want.users, want.sessions, want.conntrack_max) == (500, 125_000, 524_288)
    assert {v.vlan: (v.peak_clients, v.pool_size) for v in want.dhcp} == DESIGNED
    assert {v.vlan: v.lease_minutes for v in want.dhcp}[50] == 60


def test_no_report_no_finding_and_an_agreeing_report_none_either(design: SiteDesign, tmp_path: Path) -> None:
    assert proven(design, tmp_path) == []
    assert proven(design, _write(tmp_path, _report())) == []


def test_disagreements_are_warned(design: SiteDesign, tmp_path: Path) -> None:
    report = _report(users=400, passed=False, failures=["DNS unanswered"])
    report["dhcp"]["design_load"][0]["leases"] = 90
    report["dhcp"]["overload"][0]["vlans"][3]["leases"] = 800  # guest pool ran out early
    report["sessions"]["conntrack_max"] = 262144
    messages = [f.message for f in proven(design, _write(tmp_path, report))]
    assert all(f.rule == "CAP-PROVE" and f.severity == "medium" for f in proven(design, tmp_path))
    assert "proven for 400 users, designed for 500" in messages
    assert "the last prove failed: DNS unanswered" in messages
    assert "VLAN 20 leased 90 of its 100 peak clients" in messages
    assert any(m.startswith("VLAN 50 ran out at 800 leases") for m in messages)
    assert any(m.startswith("the firewall tracks at most 262144 sessions") for m in messages)
    assert len(messages) == 5


def test_unreadable_report_is_one_warning(design: SiteDesign, tmp_path: Path) -> None:
    path = report_path(BEN_THANH, tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    (finding,) = proven(design, tmp_path)
    assert "unreadable prove report" in finding.message
