"""lab prove without a lab: the load per VLAN, Kea's lease rows, the verdict and the report files."""

from __future__ import annotations

import argparse
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


def test_perfdhcp_sends_all_clients_at_once_and_retransmits_like_a_client(tmp_path: Path) -> None:
    cmd = perfdhcp.command("eth0", 300, tmp_path / "relays", 50)
    assert cmd[cmd.index("--scenario") + 1] == "avalanche" and cmd[cmd.index("-R") + 1] == "300"
    assert cmd[cmd.index("-l") + 1] == "eth0" and "-B" in cmd and cmd[-1] == "255.255.255.255"
    assert cmd[cmd.index("-b") + 1] == "mac=02:19:00:32:00:00" and cmd[cmd.index("-x") + 1] == "t"
    # avalanche ignores -n, -p, -r: the caller's window bounds it (perfdhcp stops on SIGINT with its report)
    assert not {"-n", "-p", "-r"} & set(cmd)


def test_the_readiness_probe_stops_by_itself(tmp_path: Path) -> None:
    cmd = perfdhcp.probe("eth0", tmp_path / "relays")
    assert "--scenario" not in cmd  # basic: one DORA, bounded by -n and -p
    assert cmd[cmd.index("-n") + 1] == "1" and cmd[cmd.index("-p") + 1] == "10"


KEA_HEADER = (
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context"
)


def test_addresses_held_by_other_clients_count_against_the_pool() -> None:
    rows = [
        KEA_HEADER,
        "10.65.55.138,02:18:00:00:00:01,,86400,2086400,15,0,0,,0,",  # the readiness probe: held
        "10.65.55.139,02:19:00:0f:00:01,,86400,2086400,15,0,0,,0,",  # one of this VLAN's clients: not counted
        "10.65.55.140,aa:bb:cc:00:00:01,,86400,1000000,15,0,0,,0,",  # expired before now
        "10.65.55.141,aa:bb:cc:00:00:02,,86400,2086400,15,0,0,,0,",
        "10.65.55.141,aa:bb:cc:00:00:02,,0,2000000,15,0,0,,2,",  # released and reclaimed since
        "10.65.52.10,aa:bb:cc:00:00:03,,28800,2028800,20,0,0,,0,",  # another subnet
    ]
    assert leases.held("\n".join(rows) + "\n", 2_000_000, 15, "02:19:00:0f") == 1


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
        "unserved": 0,
        "retransmissions": 4,
        "requests": 2 * clients + 4,
        "interrupted": False,
        "seconds_to_serve": 2.5,
        "pool_start": "10.0.0.10",
        "pool_end": "10.0.0.254",
        "pool_size": 245,
        "peak_clients": clients,
        "headroom": round(245 / clients, 2),
        "held_by_others": 0,
        "predicted_leases": min(clients, 245),
        "out_of_pool": [],
        "wrong_subnet": 0,
        "lease_seconds": 28800,
        "wrong_lease_time": 0,
        "p50_ms": 3.0,
        "p99_ms": 9.5,
        "max_ms": 12.0,
        "lease_p50_s": 0.4,
        "lease_p99_s": 2.1,
        "lease_times_s": [0.4] * clients,
    }
    return row | changes


def _held(**changes: Any) -> dict[str, Any]:
    """Sessions as sessions.summary returns them, for Ben Thanh's 585 clients (the 10 APs have none)."""
    flows = [{"zone": "city_services", "to": "city_services", "address": "10.0.0.1", "port": 53, "rule": "r"}]
    rows = [
        {"vlan": 15, "name": "AP-MGMT", "zone": "ap", "namespace": "wt-ep-15", "clients": 0, "flows": [],
         "planned": 0, "established": 0, "held": 0, "clients_held": 0, "errors": {}, "seconds": None},
        {"vlan": 50, "name": "GUEST-WIFI", "zone": "guest", "namespace": "wt-ep-50", "clients": 585,
         "flows": flows, "planned": 585, "established": 585, "held": 585, "clients_held": 585, "errors": {},
         "seconds": 1.5},
    ]  # fmt: skip
    held = {
        "measured": True,
        "clients": 585,
        "clients_held": 585,
        "planned": 585,
        "established": 585,
        "held": 585,
        "hold_s": 5.0,
        "seconds_to_establish": 1.5,
        "sessions_per_s": 390.0,
        "connect_p50_ms": 40.0,
        "connect_p99_ms": 900.0,
        "conntrack_before": 12,
        "conntrack_low": 597,
        "conntrack_peak": 600,
        "conntrack_ours": 585,
        "vlans": rows,
        "denied": [
            {
                "from": "GUEST-WIFI",
                "to": "hcm-26743-srv1 (servers)",
                "src": "10.65.56.10",
                "dst": "10.65.55.74",
                "port": 80,
                "seen": "timeout",
            },
        ],
        "conntrack_max": 262144,
        "design_sessions": 125000,
        "design_conntrack_max": 524288,
    }
    return held | changes


def _report(
    rows: list[dict[str, Any]],
    users: int = 500,
    overload: list[dict[str, Any]] | None = None,
    held: dict[str, Any] | None = None,
    **dns: Any,
) -> dict[str, Any]:
    report: dict[str, Any] = {
        "site": BEN_THANH,
        "name": "Bến Thành",
        "users": users,
        "designed_users": 500,
        "started": "2026-12-05T06:00:00+00:00",
        "seconds": 20.0,
        "window_s": 64.0,
        "dhcp": {
            "clients": sum(r["clients"] for r in rows),
            "leases": sum(r["leases"] for r in rows),
            "drops": sum(r["drops"] for r in rows),
            "unserved": sum(r["unserved"] for r in rows),
            "retransmissions": sum(r["retransmissions"] for r in rows),
            "seconds": 12.0,
            "seconds_to_serve": 2.5,
            "leases_per_s": 45.4,
            "kea_log": {},
            "design_load": rows,
            "overload": overload or [],
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
        "sessions": held or _held(),
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


def test_sessions_not_all_held_too_few_clients_untracked_or_a_denied_flow_open_fail() -> None:
    rows = [_vlan_row(v, n) for v, n in PEAKS.items()]
    assert _report(rows)["passed"]
    denied = [
        {"from": "GUEST-WIFI", "to": "hcm-26743-acc1 (mgmt)", "src": "10.65.56.10", "dst": "10.65.55.4",
         "port": 22, "seen": "open"},
        {"from": "VOICE", "to": "hcm-26743-acc1 (mgmt)", "src": "10.65.48.10", "dst": "10.65.55.4",
         "port": 22, "seen": "refused"},
    ]  # fmt: skip
    held = _held(held=580, clients_held=480, conntrack_ours=570, denied=denied)
    text = "\n".join(_report(rows, held=held)["failures"])
    assert "sessions: 580 of 585 held through the firewall (585 established)" in text
    assert "sessions: 480 clients held all theirs, for 500 users" in text
    assert "sessions: the firewall tracked 570 of 580 as ESTABLISHED" in text
    assert "GUEST-WIFI to hcm-26743-acc1 (mgmt) tcp/22 open under load: the policy denies it" in text
    assert "VOICE" not in text  # refused: as the policy wants


def test_sessions_unmeasured_or_no_denied_flow_tried_fail() -> None:
    rows = [_vlan_row(v, n) for v, n in PEAKS.items()]
    assert _report(rows, held={"measured": False, "conntrack_max": 1})["failures"] == [
        "sessions: not measured"
    ]
    assert _report(rows, held=_held(denied=[]))["failures"] == [
        "sessions: no denied flow was tried under load"
    ]
    zero = _held(planned=0, held=0, established=0, conntrack_ours=0)
    assert (
        "sessions: 0 of 0 held through the firewall (0 established)" in _report(rows, held=zero)["failures"]
    )


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


def test_report_shows_the_sessions_held_conntrack_and_the_denied_flows(tmp_path: Path) -> None:
    held = _held(held=580, clients_held=580)
    held["vlans"][1] |= {"held": 580, "clients_held": 580}
    md, html = prove_report.write(_report([_vlan_row(20, 100)], held=held), tmp_path)
    text = md.read_text()
    assert (
        "580 of 585 sessions held 5.0 s by 580 of 585 clients (585 established in 1.5 s, 390.0 sessions/s"
        in text
    )
    assert "| 50 | GUEST-WIFI | guest | 585 | city_services tcp/53 | 585 | 585 | 580 | 580 |" in text
    assert "| 15 | AP-MGMT | ap | 0 | none the policy allows | 0 | 0 | 0 | 0 |" in text
    assert "12 before, 597–600 during the hold, 585 of these sessions ESTABLISHED; limit 262144" in text
    assert "(the design: 125000 sessions at peak, limit 524288)" in text
    assert "| GUEST-WIFI 10.65.56.10 | hcm-26743-srv1 (servers) 10.65.55.74 tcp/80 | timeout |" in text
    page = html.read_text()
    # 580 of 585 on a 300 px bar: 297 px
    assert 'aria-label="580 of 585 held"><rect width="300" height="12" fill="#eee"/><rect width="297"' in page
    # one linear scale, the design's conntrack limit (524288) a full 600 px: 125000 sessions are 143 px
    assert 'aria-label="design sessions at peak: 125000"><rect width="143"' in page
    assert 'aria-label="design conntrack limit: 524288"><rect width="600"' in page
    assert 'aria-label="sessions held: 580"><rect width="1"' in page  # never less than a pixel


def test_report_of_a_run_without_sessions_says_so(tmp_path: Path) -> None:
    report = _report([_vlan_row(20, 100)], held={"measured": False, "conntrack_max": 262144})
    md, html = prove_report.write(report, tmp_path)
    assert "Not measured. Firewall conntrack limit: 262144." in md.read_text()
    assert "sessions: not measured" in html.read_text()


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "prove"


def test_perfdhcp_output_when_nothing_answers() -> None:
    # Recorded in the lab (Kea 2.2 perfdhcp, -x tl) before the endpoint harness worked: 5 DISCOVERs, no OFFER.
    got = perfdhcp.parse((FIXTURES / "perfdhcp-no-answer.txt").read_text())
    assert (got.discover_offer.sent, got.discover_offer.received, got.discover_offer.drops) == (5, 0, 5)
    assert got.leases == 0 and got.drops == 5 and got.round_trips_ms() == []


def test_avalanche_interrupted_with_nothing_answering() -> None:
    # Recorded on this machine (Kea 2.2 perfdhcp --scenario avalanche -R 3 -x t, loopback, no server), ended
    # by SIGINT after 4 s: it still prints its report, and counts every retransmission it made.
    got = perfdhcp.parse((FIXTURES / "perfdhcp-avalanche-no-answer.txt").read_text())
    assert (got.discover_offer.sent, got.discover_offer.received, got.discover_offer.drops) == (3, 0, 3)
    assert (got.requests, got.retransmissions, got.leases) == (12, 9, 0)
    assert got.took_seconds == 3.955762 and got.lease_times_s() == []
    assert [(w.exchange, w.waiting, w.resent) for w in got.progress][-2:] == [
        ("DISCOVER-OFFER", 3, 2),
        ("DISCOVER-OFFER", 3, 1),
    ]
    assert sum(w.resent for w in got.progress) == 9


def test_avalanche_that_served_every_client() -> None:
    # Recorded in the lab: VLAN 15's 10 clients of the 500-user prove (trimmed: nothing, it is this short).
    got = perfdhcp.parse((FIXTURES / "perfdhcp-avalanche-10-clients.txt").read_text())
    assert (got.discover_offer.sent, got.discover_offer.received, got.request_ack.received) == (10, 10, 10)
    assert (got.leases, got.drops, got.requests, got.retransmissions) == (10, 0, 22, 2)
    assert got.took_seconds == 0.803923 and got.rate == 12.4207
    # the first ACK line: 000000.514156 s after the start; the last 000000.721598
    assert got.lease_times_s()[0] == 0.514156 and got.lease_times_s()[-1] == 0.721598
    # first DISCOVER → OFFER: 000000.000156 → 000000.126120
    assert round(got.discover_offer.delays_ms[0], 3) == 125.964
    assert len(got.round_trips_ms()) == 20
    assert [(w.exchange, w.waiting, w.resent) for w in got.progress] == [("REQUEST-ACK", 10, 2)]


def test_avalanche_interrupted_when_the_window_closed() -> None:
    # Recorded in the lab: VLAN 15 at twice the load, 20 clients, SIGINT after 64 s with 2 still unserved;
    # perfdhcp still claims "It took 00:01:03.622155 to provision 20 clients": the caller knows better.
    got = perfdhcp.parse((FIXTURES / "perfdhcp-avalanche-interrupted.txt").read_text())
    assert (got.request_ack.sent, got.request_ack.received, got.request_ack.drops) == (20, 18, 2)
    assert (got.leases, got.requests, got.retransmissions) == (18, 141, 101)
    assert got.lease_times_s()[-1] == 20.645216  # the last ACK that came
    # a REQUEST sent at 0.914719 s, answered at 18.228076 s: the round trip counts the retransmissions
    assert any(round(ms) == 17313 for ms in got.request_ack.delays_ms)
    assert got.progress[0].waiting == 20 and got.progress[0].exchange == "DISCOVER-OFFER"


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


def _round(factor: float, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "factor": factor,
        "users": 1250,
        "clients": sum(r["clients"] for r in rows),
        "leases": sum(r["leases"] for r in rows),
        "unserved": sum(r["clients"] - r["leases"] for r in rows),
        "retransmissions": 900,
        "seconds_to_serve": None,
        "kea_log": {"ALLOC_ENGINE_V4_ALLOC_FAIL": 6},
        "socket_drops": {"server": 115, "relay": 0},
        "vlans": rows,
    }


def test_overload_marks_pools_that_run_out_and_whether_the_headroom_predicted_it() -> None:
    rows = [
        # 250 clients, 245 addresses of which the probe holds 1: the pool gives 244 and Kea leased 244
        _vlan_row(20, 250, leases=244, unserved=6, pool_size=245, held_by_others=1, predicted_leases=244),
        # within its pool but 50 clients unserved: not what the headroom predicts
        _vlan_row(50, 750, leases=700, unserved=50, pool_size=1013, predicted_leases=750),
        _vlan_row(70, 38, pool_size=117, predicted_leases=38),
    ]
    (got,) = prove.exhaustion([_round(2.5, rows)])
    marks = {v["vlan"]: (v["runs_out"], v["agrees"]) for v in got["vlans"]}
    assert marks == {20: (True, True), 50: (False, False), 70: (False, True)}
    assert got["factor"] == 2.5 and got["leases"] == 982


def test_report_shows_the_overload_rounds_and_the_leases_over_time(tmp_path: Path) -> None:
    rows = [_vlan_row(20, 250, leases=244, pool_size=245, held_by_others=1, predicted_leases=244)]
    design = [_vlan_row(20, 4, lease_times_s=[0.5, 1.0, 2.0, 4.0])]
    report = _report(design, users=4, overload=prove.exhaustion([_round(2.5, rows)]))
    md, html = prove_report.write(report, tmp_path)
    text = md.read_text()
    assert "### 2.5× the load: 1250 users" in text
    assert "| 20 | V20 | 250 | 244 | 245 | 1 | 0.98 | 244 | yes | yes |" in text
    assert "ALLOC_ENGINE_V4_ALLOC_FAIL × 6" in text
    assert "Requests dropped in full socket buffers: server 115, relay 0." in text
    page = html.read_text()
    # 4 leases over 4 s on a 600 x 200 chart scaled to 4 clients: one step of 50 px per lease
    assert 'aria-label="4 of 4 clients leased within 4.0 s"' in page
    assert 'points="0.0,200.0 75.0,150.0 150.0,100.0 300.0,50.0 600.0,0.0"' in page


def test_receive_buffer_drops_from_proc_net_snmp() -> None:
    # srv1's namespace after the 500-user prove and its overload rounds (lab, /proc/net/snmp, Udp lines)
    snmp = (
        "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti "
        "MemErrors\nUdp: 36311 0 50072 84143 50072 0 0 0 0\n"
        "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors "
        "IgnoredMulti MemErrors\nUdpLite: 0 0 0 0 0 0 0 0 0\n"
    )
    assert prove.rcvbuf_errors(snmp) == 50072


def test_kea_messages_counted_by_id() -> None:
    # `journalctl -u kea-dhcp4-server -o cat` in srv1, as the lab printed it (the first line comes before
    # Kea's syslog is set up and carries a time stamp: not a message line)
    journal = (
        "2026-12-05 16:45:32.718 INFO  [kea-dhcp4.dhcp4/2186.139884398490112] DHCP4_STARTING Kea DHCPv4 "
        "server version 2.2.0 (stable) starting\n"
        "Started kea-dhcp4-server.service - Kea IPv4 DHCP daemon.\n"
        "WARN  [kea-dhcp4.dhcp4.140248447631872] DHCP4_MULTI_THREADING_INFO enabled: no, "
        "number of threads: 0,"
        " queue size: 0\n"
        "INFO  [kea-dhcp4.leases.140248447631872] DHCP4_LEASE_ADVERT [hwtype=1 02:18:00:00:00:01], "
        "cid=[01:02:18:00:00:00:01], tid=0x923: lease 10.65.55.140 will be advertised\n"
        "INFO  [kea-dhcp4.leases.140248447631872] DHCP4_LEASE_ADVERT [hwtype=1 02:18:00:00:00:01], "
        "cid=[01:02:18:00:00:00:01], tid=0x924: lease 10.65.55.140 will be advertised\n"
        "INFO  HOSTS_BACKENDS_REGISTERED the following host backend types are available: mysql postgresql\n"
    )
    assert prove.kea_messages(journal) == {
        "DHCP4_LEASE_ADVERT": 2,
        "DHCP4_MULTI_THREADING_INFO": 1,
        "HOSTS_BACKENDS_REGISTERED": 1,
    }


def test_overload_factors_from_the_command_line() -> None:
    from wardnet.lab.cli import _factors

    assert _factors("1.5,2") == (1.5, 2.0)
    assert _factors("") == ()  # no overload rounds
    with pytest.raises(argparse.ArgumentTypeError, match=r"give multiples like 1\.5,2"):
        _factors("twice")
    with pytest.raises(argparse.ArgumentTypeError, match="must be positive"):
        _factors("1.5,0")
