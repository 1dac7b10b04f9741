"""`wardnet lab prove` on Bến Thành, live: perfdhcp clients in every client VLAN through the firewall's
dhcrelay to the ward server's Kea (a converged podman instance), dnsperf against its unbound.

Kept at 100 users (109 DHCP clients over 5 VLANs) so it takes seconds once the server is up; the full
500-user prove runs in `make bench-lab` (benchmarks/prove_lab.py). Its own prefix and folders: nothing
another lab test or an engineer has up is touched, except a server instance of the same site (by label).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
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
USERS = 100
# The design's peak per DHCP VLAN at 500 users (20/20/6/60/3 %), scaled to 100 users and rounded up.
CLIENTS = {20: 20, 21: 20, 30: 6, 50: 60, 70: 3}
SERVER = f"{PREFIX}{BEN_THANH}-srv1"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    require_lab()
    root = tmp_path_factory.mktemp("prove-lab")
    lab = Lab(INVENTORY, root=root, prefix=PREFIX)
    lab.down(None)
    try:
        lab.up([BEN_THANH], load="intended", with_servers=True)
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
        code = main(["lab", "prove", "--site", BEN_THANH, "--users", str(USERS), "--report", str(out)])
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


def test_every_lease_kea_holds_for_the_clients_is_inside_its_vlans_pool(
    proved: dict[str, Any], plan: SitePlan
) -> None:
    pools = {v.id: (v.pool_start, v.pool_end, v.lease_minutes) for v in plan.vlans if v.pool_start}
    clients: dict[int, set[str]] = {vlan: set() for vlan in CLIENTS}
    for row in kea_leases():
        hwaddr = row["hwaddr"].lower()
        if not hwaddr.startswith("02:19:"):  # the prove's clients; 02:18: is its readiness probe
            continue
        vlan = int(hwaddr[6:8] + hwaddr[9:11], 16)  # the MAC carries its VLAN id
        start, end, minutes = pools[vlan]
        assert start is not None and end is not None
        assert start <= IPv4Address(row["address"]) <= end, row
        assert int(row["subnet_id"]) == vlan and int(row["valid_lifetime"]) == (minutes or 0) * 60, row
        clients[vlan].add(hwaddr)
    assert {vlan: len(macs) for vlan, macs in clients.items()} == CLIENTS


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
