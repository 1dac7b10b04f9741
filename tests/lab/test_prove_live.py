"""`wardnet lab prove`, live, at the design peak of Bến Thành (26743, 500 users) and of the city center
(79000, 600 users) (issue 19): the DHCP clients of every VLAN arriving at once and retransmitting like
clients (perfdhcp avalanche), through the firewall's dhcrelay to the ward server's Kea (a converged podman
instance); every client that got a lease then holds a TCP session to each zone its policy reaches (server
and city zones) through the firewall while denied flows are tried; dnsperf against the ward server's
unbound. Bến Thành also at twice the load, where the pools' headroom (pool / peak >= 2.45 here) predicts no
pool runs out.

79000's inventory has no ward server (its FortiGate serves DHCP itself, which the white-box twin does not
emulate): the test proves it on a copy of the inventory whose 79000 has Bến Thành's srv1 (dhcp_dns), the
rest of its design unchanged. One site is up at a time, under its own prefix and folders: nothing another lab
test or an engineer has up is touched, except a server instance of the same site (by label). Durations are
printed (-s), never asserted.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from tests.lab.conftest import require_lab
from wardnet.checks.proven import proven
from wardnet.cli import main
from wardnet.design.site import SitePlan
from wardnet.lab import system
from wardnet.lab.manager import Lab

pytestmark = [pytest.mark.lab, pytest.mark.lab_servers]  # `make lab-servers-test`

PREFIX = "wp-"
CITY_CENTER = "79000"
USERS = {BEN_THANH: 500, CITY_CENTER: 600}
# The design's peak per DHCP VLAN (2/20/20/6/8/60/3 % of the users in the baseline, rounded up).
CLIENTS = {
    BEN_THANH: {15: 10, 20: 100, 21: 100, 30: 30, 40: 40, 50: 300, 70: 15},
    CITY_CENTER: {15: 12, 20: 120, 21: 120, 30: 36, 40: 48, 50: 360, 70: 18},
}
OVERLOAD = {BEN_THANH: 2.0, CITY_CENTER: None}  # the city center at its design load only: seconds
# Sessions each client of a zone holds, by hand from the baseline's policy (lowest allowed TCP port per
# zone reached): staff -> srv1/80, city DNS/53, city apps/80, internet/80; services -> srv1, DNS, apps;
# voice -> DNS; guest -> DNS, internet; cameras (iot) -> DNS, recorders/554; access points: none.
PER_CLIENT = {15: 0, 20: 4, 21: 4, 30: 3, 40: 1, 50: 2, 70: 2}


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The inventory, with 79000 given a ward server like Bến Thành's."""
    root = tmp_path_factory.mktemp("prove-inventory") / "inventories"
    shutil.copytree(INVENTORY, root)
    (center,) = (root / "wards").glob(f"{CITY_CENTER}-*.yml")
    center.write_text(center.read_text() + "servers:\n  - {name: srv1, services: [dhcp_dns]}\n")
    return root


@pytest.fixture(scope="module", params=[BEN_THANH, CITY_CENTER])
def site(
    request: pytest.FixtureRequest, inventory: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Lab]]:
    """One site up at a time: pytest ends one parameter's lab before it starts the next."""
    require_lab()
    code: str = request.param
    lab = Lab(inventory, root=tmp_path_factory.mktemp(f"prove-lab-{code}"), prefix=PREFIX)
    lab.down(None)
    try:
        started = time.monotonic()
        lab.up([code], load="intended", with_servers=True)
        print(f"\n{code}: lab up --load intended --servers: {time.monotonic() - started:.0f} s")
        yield code, lab
    finally:
        lab.down(None)
        assert not [n for n in system.namespaces() if n.startswith(PREFIX)]


@pytest.fixture(scope="module")
def proved(
    site: tuple[str, Lab], inventory: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    code, lab = site
    state = tmp_path_factory.mktemp(f"state-{code}")
    out = tmp_path_factory.mktemp(f"report-{code}")
    patch = pytest.MonkeyPatch()
    patch.setenv("WARDNET_LAB_PREFIX", PREFIX)
    patch.setenv("WARDNET_LAB_DIR", str(lab.root))
    patch.setenv("WARDNET_STATE_DIR", str(state))
    factor = OVERLOAD[code]
    try:
        started = time.monotonic()
        args = [
            "--inventory",
            str(inventory),
            "--site",
            code,
            "--users",
            str(USERS[code]),
            "--report",
            str(out),
        ]
        code_out = main(["lab", "prove", *args, "--overload", str(factor) if factor else ""])
        print(f"\n{code}: lab prove ({USERS[code]} users, x{factor}): {time.monotonic() - started:.0f} s")
    finally:
        patch.undo()
    stored = json.loads((state / "prove" / f"{code}.json").read_text())
    return {"code": code, "exit": code_out, "report": stored, "state": state, "out": out}


def kea_leases(code: str) -> list[dict[str, str]]:
    text = subprocess.run(
        ["podman", "exec", f"{PREFIX}{code}-srv1", "cat", "/var/lib/kea/kea-leases4.csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return list(csv.DictReader(io.StringIO(text)))


def test_prove_exits_0_and_every_client_of_every_vlan_got_a_lease(proved: dict[str, Any]) -> None:
    report, code = proved["report"], proved["code"]
    assert proved["exit"] == 0, report["failures"]
    assert report["passed"] and report["users"] == USERS[code]
    got = {v["vlan"]: (v["clients"], v["leases"], v["kea_leases"]) for v in report["dhcp"]["design_load"]}
    assert got == {vlan: (n, n, n) for vlan, n in CLIENTS[code].items()}
    assert sum(n for n, _, _ in got.values()) >= USERS[code]
    assert report["dhcp"]["unserved"] == 0 and report["dhcp"]["drops"] == 0
    assert report["dhcp"]["seconds_to_serve"] is not None


def test_every_client_holds_its_sessions_through_the_firewall(proved: dict[str, Any]) -> None:
    held, code = proved["report"]["sessions"], proved["code"]
    want = {vlan: n * PER_CLIENT[vlan] for vlan, n in CLIENTS[code].items()}
    assert {v["vlan"]: (v["planned"], v["established"], v["held"]) for v in held["vlans"]} == {
        vlan: (n, n, n) for vlan, n in want.items()
    }
    clients = sum(n for vlan, n in CLIENTS[code].items() if PER_CLIENT[vlan])
    assert held["clients"] == held["clients_held"] == clients >= USERS[code]
    # the firewall tracked every one of them as ESTABLISHED while they were held
    assert held["conntrack_ours"] >= held["held"] == sum(want.values())
    assert held["conntrack_low"] >= held["held"] and held["conntrack_peak"] <= held["conntrack_max"]


def test_denied_flows_stay_denied_under_load(proved: dict[str, Any]) -> None:
    denied = proved["report"]["sessions"]["denied"]
    tried = {(d["from"], d["to"].split(" (")[1].rstrip(")")) for d in denied}
    assert ("GUEST-WIFI", "servers") in tried and ("GUEST-WIFI", "mgmt") in tried
    assert [d for d in denied if d["seen"] == "open"] == []


def test_at_twice_the_load_every_pool_gives_what_its_headroom_predicts(proved: dict[str, Any]) -> None:
    code = proved["code"]
    if OVERLOAD[code] is None:
        assert proved["report"]["dhcp"]["overload"] == []
        return
    (round_,) = proved["report"]["dhcp"]["overload"]
    assert round_["factor"] == OVERLOAD[code]
    got = {v["vlan"]: v for v in round_["vlans"]}
    assert {vlan: v["clients"] for vlan, v in got.items()} == {
        vlan: 2 * n for vlan, n in CLIENTS[code].items()
    }
    for vlan, v in got.items():
        assert not v["runs_out"], v  # every pool here is >= 2.45 x its peak
        assert v["predicted_leases"] == 2 * CLIENTS[code][vlan], v
        assert v["out_of_pool"] == [] and v["wrong_subnet"] == 0, v
        # Whether every client of twice the design load is served inside the round's window is a matter
        # of this machine's speed (a loaded runner left 4 of 1,190 waiting once): not asserted. What the
        # headroom promises is asserted: no client was refused for want of an address.
        assert v["leases"] == v["predicted_leases"] or v["interrupted"], v
    refused = {k: n for k, n in round_["kea_log"].items() if "ALLOC_FAIL" in k or "NO_ADDR" in k}
    assert refused == {}, refused


def test_every_lease_kea_holds_for_the_clients_is_inside_its_vlans_pool(
    proved: dict[str, Any], site: tuple[str, Lab]
) -> None:
    code, lab = site
    plan: SitePlan = lab.twin_design(code).plan
    pools = {v.id: (v.pool_start, v.pool_end, v.lease_minutes) for v in plan.vlans if v.pool_start}
    clients: dict[int, dict[int, dict[str, str]]] = {vlan: {} for vlan in CLIENTS[code]}
    for row in kea_leases(code):  # the memfile appends: the last row of a client wins
        hwaddr = row["hwaddr"].lower()
        if not hwaddr.startswith("02:19:"):  # the prove's clients; 02:18: is its readiness probe
            continue
        vlan, index = int(hwaddr[6:8] + hwaddr[9:11], 16), int(hwaddr[12:14] + hwaddr[15:17], 16)
        clients[vlan][index] = row  # the MAC carries its VLAN and its client number
    overload = {v["vlan"]: v["leases"] for r in proved["report"]["dhcp"]["overload"] for v in r["vlans"]}
    for vlan, rows in clients.items():
        start, end, minutes = pools[vlan]
        assert start is not None and end is not None
        # the clients of the design load, and at least as many as perfdhcp saw leased in the overload
        # (a client perfdhcp gave up on at the window's end may still have been leased)
        most = (OVERLOAD[code] or 1) * CLIENTS[code][vlan]
        assert CLIENTS[code][vlan] <= len(rows) <= most and len(rows) >= overload.get(vlan, 0), len(rows)
        for row in rows.values():
            assert start <= IPv4Address(row["address"]) <= end, row
            assert int(row["subnet_id"]) == vlan and int(row["valid_lifetime"]) == (minutes or 0) * 60, row
            assert row["state"] == "0", row


def test_the_ward_resolver_answers_and_clients_cannot_reach_it_directly(proved: dict[str, Any]) -> None:
    dns = proved["report"]["dns"]
    assert dns["completed"] > 0 and dns["lost"] <= dns["sent"] // 100
    assert dns["denied"]["sent"] > 0 and dns["denied"]["completed"] == 0  # staff → servers: no DNS


def test_reports_written_and_cap_prove_reads_the_stored_result(
    proved: dict[str, Any], site: tuple[str, Lab]
) -> None:
    code, lab = site
    assert sorted(p.name for p in Path(proved["out"]).iterdir()) == [
        "perfdhcp",
        f"prove-{code}.html",
        f"prove-{code}.md",
    ]
    assert "sessions held" in (Path(proved["out"]) / f"prove-{code}.html").read_text()
    # a passing prove at the design's users: CAP-PROVE's only word is the lab kernel's conntrack limit
    # (one for every namespace, below the design's limit at either site)
    messages = [f.message for f in proven(lab.twin_design(code), proved["state"])]
    assert len(messages) == 1 and messages[0].startswith("the firewall tracks at most "), messages
