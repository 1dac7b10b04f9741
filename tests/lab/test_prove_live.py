"""`wardnet lab prove` on Bến Thành, live, at its design peak (issue 19's done-when): 500 users, i.e. 595
DHCP clients over the 7 DHCP VLANs arriving at once and retransmitting like clients (perfdhcp avalanche),
through the firewall's dhcrelay to the ward server's Kea (a converged podman instance); dnsperf against its
unbound; then twice the load, where the pools' headroom (pool / peak >= 2.45 here) predicts no pool runs out.
Its own prefix and folders: nothing another lab test or an engineer has up is touched, except a server
instance of the same site (by label). Durations are printed (-s), never asserted.
"""

from __future__ import annotations

import csv
import io
import json
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
USERS = 500
# The design's peak per DHCP VLAN at 500 users (2/20/20/6/8/60/3 % in the baseline).
CLIENTS = {15: 10, 20: 100, 21: 100, 30: 30, 40: 40, 50: 300, 70: 15}
OVERLOAD = 2.0
SERVER = f"{PREFIX}{BEN_THANH}-srv1"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    require_lab()
    root = tmp_path_factory.mktemp("prove-lab")
    lab = Lab(INVENTORY, root=root, prefix=PREFIX)
    lab.down(None)
    try:
        started = time.monotonic()
        lab.up([BEN_THANH], load="intended", with_servers=True)
        print(f"\nlab up --load intended --servers: {time.monotonic() - started:.0f} s")
        yield lab
    finally:
        lab.down(None)
        assert not [n for n in system.namespaces() if n.startswith(PREFIX)]


@pytest.fixture(scope="module")
def proved(site: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    state = tmp_path_factory.mktemp("state")
    out = tmp_path_factory.mktemp("report")
    patch = pytest.MonkeyPatch()
    patch.setenv("WARDNET_LAB_PREFIX", PREFIX)
    patch.setenv("WARDNET_LAB_DIR", str(site.root))
    patch.setenv("WARDNET_STATE_DIR", str(state))
    try:
        started = time.monotonic()
        args = ["--site", BEN_THANH, "--users", str(USERS), "--report", str(out), "--overload", str(OVERLOAD)]
        code = main(["lab", "prove", *args])
        print(f"\nlab prove ({USERS} users and x{OVERLOAD}): {time.monotonic() - started:.0f} s")
    finally:
        patch.undo()
    stored = json.loads((state / "prove" / f"{BEN_THANH}.json").read_text())
    return {"exit": code, "report": stored, "state": state, "out": out}


@pytest.fixture(scope="module")
def plan(site: Lab) -> SitePlan:
    return site.twin_design(BEN_THANH).plan


def kea_leases() -> list[dict[str, str]]:
    text = subprocess.run(
        ["podman", "exec", SERVER, "cat", "/var/lib/kea/kea-leases4.csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return list(csv.DictReader(io.StringIO(text)))


def test_prove_exits_0_and_every_client_of_every_vlan_got_a_lease(proved: dict[str, Any]) -> None:
    report = proved["report"]
    assert proved["exit"] == 0, report["failures"]
    assert report["passed"] and report["users"] == USERS
    got = {v["vlan"]: (v["clients"], v["leases"], v["kea_leases"]) for v in report["dhcp"]["design_load"]}
    assert got == {vlan: (n, n, n) for vlan, n in CLIENTS.items()}
    assert report["dhcp"]["unserved"] == 0 and report["dhcp"]["seconds_to_serve"] is not None


def test_at_twice_the_load_every_pool_gives_what_its_headroom_predicts(proved: dict[str, Any]) -> None:
    (round_,) = proved["report"]["dhcp"]["overload"]
    assert round_["factor"] == OVERLOAD
    got = {v["vlan"]: v for v in round_["vlans"]}
    assert {vlan: v["clients"] for vlan, v in got.items()} == {vlan: 2 * n for vlan, n in CLIENTS.items()}
    for vlan, v in got.items():
        assert not v["runs_out"], v  # every pool here is >= 2.45 x its peak
        assert v["leases"] == v["predicted_leases"] == 2 * CLIENTS[vlan], v


def test_every_lease_kea_holds_for_the_clients_is_inside_its_vlans_pool(
    proved: dict[str, Any], plan: SitePlan
) -> None:
    pools = {v.id: (v.pool_start, v.pool_end, v.lease_minutes) for v in plan.vlans if v.pool_start}
    clients: dict[int, dict[int, dict[str, str]]] = {vlan: {} for vlan in CLIENTS}
    for row in kea_leases():  # the memfile appends: the last row of a client wins
        hwaddr = row["hwaddr"].lower()
        if not hwaddr.startswith("02:19:"):  # the prove's clients; 02:18: is its readiness probe
            continue
        vlan, index = int(hwaddr[6:8] + hwaddr[9:11], 16), int(hwaddr[12:14] + hwaddr[15:17], 16)
        clients[vlan][index] = row  # the MAC carries its VLAN and its client number
    for vlan, rows in clients.items():
        start, end, minutes = pools[vlan]
        assert start is not None and end is not None
        assert len(rows) == 2 * CLIENTS[vlan]  # the design load's clients, then as many more at twice it
        for row in rows.values():
            assert start <= IPv4Address(row["address"]) <= end, row
            assert int(row["subnet_id"]) == vlan and int(row["valid_lifetime"]) == (minutes or 0) * 60, row
            assert row["state"] == "0", row


def test_the_ward_resolver_answers_and_clients_cannot_reach_it_directly(proved: dict[str, Any]) -> None:
    dns = proved["report"]["dns"]
    assert dns["completed"] > 0 and dns["lost"] <= dns["sent"] // 100
    assert dns["denied"]["sent"] > 0 and dns["denied"]["completed"] == 0  # staff → servers: no DNS


def test_reports_written_and_cap_prove_reads_the_stored_result(proved: dict[str, Any], site: Lab) -> None:
    assert sorted(p.name for p in Path(proved["out"]).iterdir()) == [
        f"prove-{BEN_THANH}.html",
        f"prove-{BEN_THANH}.md",
    ]
    messages = [f.message for f in proven(site.twin_design(BEN_THANH), proved["state"])]
    assert f"proven for {USERS} users, designed for 500" in messages
