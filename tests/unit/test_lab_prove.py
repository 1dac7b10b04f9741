"""lab prove without a lab: the load per VLAN, Kea's lease rows, the verdict and the report files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BEN_THANH
from wardnet.checks.proven import proven
from wardnet.design import SiteDesign, design_site
from wardnet.inventory import Inventory
from wardnet.lab import dnsperf, leases, perfdhcp, prove, prove_report
from wardnet.lab.system import LabError

# Ben Thanh (500 users): design peak per DHCP VLAN (tests/unit/test_checks_proven.py has the same figures).
PEAKS = {15: 10, 20: 100, 21: 100, 30: 30, 40: 40, 50: 300, 70: 15}


@pytest.fixture(scope="module")
def design(inventory: Inventory) -> SiteDesign:
    entry = next(iter(inventory.select([BEN_THANH])))
    return design_site(entry.site, inventory.baseline)


def _endpoints(vlans: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "kind": "endpoint",
            "vlan": v,
            "namespace": f"wt-ep-{v}",
            "ports": ["eth0"],
            "address": f"10.9.{v}.9/24",
        }
        for v in vlans
    ]


def test_design_load_is_each_vlans_peak(design: SiteDesign) -> None:
    got = prove.loads(design.plan, _endpoints([*PEAKS, 60]), 500)
    assert {x.vlan.id: x.clients for x in got} == PEAKS  # the SERVERS VLAN (static) gets no clients
    assert sum(x.clients for x in got) >= 500
    assert {x.namespace for x in got} == {f"wt-ep-{v}" for v in PEAKS}


def test_fewer_users_scale_every_vlan_down_rounding_up(design: SiteDesign) -> None:
    got = prove.loads(design.plan, _endpoints(list(PEAKS)), 100)
    assert {x.vlan.id: x.clients for x in got} == {15: 2, 20: 20, 21: 20, 30: 6, 40: 8, 50: 60, 70: 3}


def test_a_dhcp_vlan_without_endpoint_is_an_error(design: SiteDesign) -> None:
    with pytest.raises(LabError, match="VLAN 50 GUEST-WIFI has no endpoint"):
        prove.loads(design.plan, _endpoints([15, 20, 21, 30, 40, 70]), 500)


def test_each_vlan_has_its_own_mac_base() -> None:
    assert perfdhcp.mac_base(20) == "02:19:00:14:00:00"
    assert perfdhcp.mac_base(999) == "02:19:03:e7:00:00"


def test_perfdhcp_is_bounded_by_count_and_time(tmp_path: Path) -> None:
    cmd = perfdhcp.command("eth0", 300, tmp_path / "relays", 50)
    assert cmd[cmd.index("-n") + 1] == "300" and cmd[cmd.index("-R") + 1] == "300"
    assert 0 < int(cmd[cmd.index("-p") + 1]) < perfdhcp.deadline(300)
    assert cmd[cmd.index("-l") + 1] == "eth0" and "-B" in cmd and cmd[-1] == "255.255.255.255"


KEA_HEADER = (
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context"
)


def test_kea_rows_of_this_run_only_last_row_per_client_wins() -> None:
    rows = [
        KEA_HEADER,
        "10.65.52.10,02:19:00:14:00:01,,28800,1028800,20,0,0,,0,",  # granted at 1,000,000: before the run
        "10.65.52.11,02:19:00:14:00:02,,28800,2028800,20,0,0,,0,",
        "10.65.52.12,02:19:00:14:00:02,,28800,2028801,20,0,0,,0,",  # same client renewed: this one counts
        "10.65.50.10,02:19:00:15:00:01,,28800,2028800,21,0,0,,0,",  # another VLAN's clients
        "10.65.52.13,02:19:00:14:00:03,,28800,2028800,20,0,0,,1,",  # declined
    ]
    got = leases.granted("\n".join(rows) + "\n", 2_000_000, "02:19:00:14")
    assert list(got) == ["02:19:00:14:00:02"]
    assert str(got["02:19:00:14:00:02"].address) == "10.65.52.12"
    assert got["02:19:00:14:00:02"].subnet_id == 20


def test_percentile_is_a_value_a_client_saw() -> None:
    values = [float(v) for v in range(1, 101)]
    assert perfdhcp.percentile(values, 0.50) == 50.0
    assert perfdhcp.percentile(values, 0.99) == 99.0
    assert perfdhcp.percentile([7.0], 0.99) == 7.0
    assert perfdhcp.percentile([], 0.5) is None


def _vlan_row(vlan: int, clients: int, **changes: Any) -> dict[str, Any]:
    row = {
        "vlan": vlan,
        "name": f"V{vlan}",
        "clients": clients,
        "leases": clients,
        "kea_leases": clients,
        "drops": 0,
        "rate": 10.0,
        "pool_start": "10.0.0.10",
        "pool_end": "10.0.0.254",
        "pool_size": 245,
        "out_of_pool": [],
        "wrong_subnet": 0,
        "lease_seconds": 28800,
        "wrong_lease_time": 0,
        "p50_ms": 3.0,
        "p99_ms": 9.5,
        "max_ms": 12.0,
    }
    return row | changes


def _report(rows: list[dict[str, Any]], users: int = 500, **dns: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "site": BEN_THANH,
        "name": "Bến Thành",
        "users": users,
        "designed_users": 500,
        "started": "2026-12-05T06:00:00+00:00",
        "seconds": 20.0,
        "dhcp": {
            "clients": sum(r["clients"] for r in rows),
            "leases": sum(r["leases"] for r in rows),
            "drops": sum(r["drops"] for r in rows),
            "seconds": 12.0,
            "leases_per_s": 45.4,
            "design_load": rows,
        },
        "dns": {
            "server": "127.0.0.1",
            "sent": 6000,
            "completed": 6000,
            "lost": 0,
            "qps": 1999.5,
            "p50_ms": 0.2,
            "p99_ms": 1.1,
            "denied": {"from": "wt-ep-20", "to": "10.65.55.74", "sent": 100, "completed": 0},
        }
        | dns,
        "sessions": {"conntrack_max": 262144, "measured": False},
    }
    report["failures"] = prove.failures(report)
    report["passed"] = not report["failures"]
    return report


def test_a_site_that_leases_every_client_in_its_pools_passes() -> None:
    report = _report([_vlan_row(v, n) for v, n in PEAKS.items()])
    assert report["passed"], report["failures"]


def test_short_leases_out_of_pool_wrong_time_and_answered_denied_dns_fail() -> None:
    rows = [
        _vlan_row(20, 100, leases=98, kea_leases=98),
        _vlan_row(21, 100, out_of_pool=["10.0.1.5"]),
        _vlan_row(50, 300, wrong_lease_time=3),
        _vlan_row(30, 30),
    ]
    report = _report(rows, lost=600, denied={"from": "a", "to": "b", "sent": 10, "completed": 10})
    text = "\n".join(report["failures"])
    assert not report["passed"]
    assert "VLAN 20 V20: 98 of 100 clients leased" in text
    assert "VLAN 21 V21: leases outside the pool: 10.0.1.5" in text
    assert "VLAN 50 V50: 3 leases not 28800 s long" in text
    assert "528 leases for 500 users" not in text  # 528 >= 500: the total alone is enough
    assert "DNS: 600 of 6000 queries lost" in text
    assert "answered: the policy denies it" in text


def test_fewer_leases_than_users_fails_even_when_each_vlan_got_its_clients() -> None:
    report = _report([_vlan_row(20, 100)], users=500)
    assert "100 leases for 500 users" in report["failures"]


def test_stored_report_feeds_cap_prove(design: SiteDesign, tmp_path: Path) -> None:
    pools = {v.id: v.pool_size for v in design.plan.vlans}
    rows = [_vlan_row(v, n, pool_size=pools[v]) for v, n in PEAKS.items()]
    path = prove_report.store(_report(rows, users=100), tmp_path)
    assert json.loads(path.read_text())["users"] == 100
    messages = [f.message for f in proven(design, tmp_path)]
    assert "proven for 100 users, designed for 500" in messages
    assert len(messages) == 2  # and the firewall's conntrack limit below the design's 524288


def test_report_files_show_every_vlan_and_escape_html(tmp_path: Path) -> None:
    report = _report([_vlan_row(20, 100, name="<b>STAFF</b>"), _vlan_row(50, 300, leases=150)])
    md, html = prove_report.write(report, tmp_path)
    assert md.name == f"prove-{BEN_THANH}.md" and html.name == f"prove-{BEN_THANH}.html"
    text = md.read_text()
    assert "| 50 | V50 | 300 | 150 | 300 |" in text and "FAILED" in text
    page = html.read_text()
    assert "&lt;b&gt;STAFF&lt;/b&gt;" in page and "<b>STAFF" not in page
    assert 'aria-label="150 of 300"><rect width="300" height="12" fill="#eee"/><rect width="150"' in page
    assert "src=" not in page and "href=" not in page  # a single file: nothing to fetch


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "prove"


def test_perfdhcp_output_when_nothing_answers() -> None:
    # Recorded in the lab (Kea 2.2 perfdhcp, -x tl) before the endpoint harness worked: 5 DISCOVERs, no OFFER.
    got = perfdhcp.parse((FIXTURES / "perfdhcp-no-answer.txt").read_text())
    assert (got.discover_offer.sent, got.discover_offer.received, got.discover_offer.drops) == (5, 0, 5)
    assert got.leases == 0 and got.drops == 5 and got.round_trips_ms() == []


def test_perfdhcp_timestamps_give_one_round_trip_each() -> None:
    # The -x t lines as perfdhcp prints them (stats_mgr.cc: durations since its start, HHMMSS.ffffff).
    text = (
        "Rate: 9.8 4-way exchanges/second, expected rate: 10\n"
        "***Statistics for: DISCOVER-OFFER***\nsent packets: 2\nreceived packets: 2\ndrops: 0\n"
        "***Statistics for: REQUEST-ACK***\nsent packets: 2\nreceived packets: 1\ndrops: 1\n"
        "***Timestamps for packets: DISCOVER-OFFER***\n"
        "sent / received: 000001.000000 / 000001.004500\n"
        "sent / received: 000159.990000 / 000200.010000\n\n"
        "***Timestamps for packets: REQUEST-ACK***\n"
        "sent / received: 000001.005000 / 000001.012000\n"
    )
    got = perfdhcp.parse(text)
    assert got.leases == 1 and got.drops == 1 and got.rate == 9.8
    assert [round(ms, 3) for ms in got.round_trips_ms()] == [4.5, 20.0, 7.0]


def test_perfdhcp_output_without_statistics_is_an_error() -> None:
    with pytest.raises(ValueError, match="no statistics for DISCOVER-OFFER, REQUEST-ACK"):
        perfdhcp.parse("Error running perfdhcp: no interface eth9\n")


def test_dnsperf_statistics_recorded_in_the_lab() -> None:
    answered = dnsperf.parse((FIXTURES / "dnsperf-unbound.txt").read_text())  # srv1's unbound, 3 s
    assert (answered.sent, answered.completed, answered.lost, answered.qps) == (6000, 6000, 0, 1999.886006)
    denied = dnsperf.parse(
        (FIXTURES / "dnsperf-denied.txt").read_text()
    )  # staff -> srv1: the policy drops it
    assert (denied.sent, denied.completed, denied.lost) == (100, 0, 100)


def test_dnsperf_verbose_lines_give_each_answers_latency() -> None:
    # -v prints "> RCODE query-description seconds.micros" per answer (dnsperf.c, perf_log_printf).
    head = (FIXTURES / "dnsperf-unbound.txt").read_text()
    lines = "> NOERROR localhost A 0.000250\n> NXDOMAIN example.invalid A 0.001500\n"
    got = dnsperf.parse(lines + head)
    assert [round(ms, 3) for ms in got.latencies_ms] == [0.25, 1.5]
