"""lab prove's sessions without a lab: who opens what where (from the policy), the denied flows tried under
load, conntrack's listing, and the load generator itself on loopback (no namespace, no root)."""

from __future__ import annotations

import json
import subprocess
import sys
from ipaddress import IPv4Address
from typing import Any

import pytest

from tests.conftest import BEN_THANH
from wardnet.design import SiteDesign, design_site
from wardnet.inventory import Inventory
from wardnet.lab import matrix, sessions

# Ben Thanh (500 users): design peak per DHCP VLAN, as in test_lab_prove.py.
PEAKS = {15: 10, 20: 100, 21: 100, 30: 30, 40: 40, 50: 300, 70: 15}
ZONES = {15: "ap", 20: "staff", 21: "staff", 30: "services", 40: "voice", 50: "guest", 70: "iot"}
SRV1 = "10.65.55.74"  # hcm-26743-srv1 on SERVERS (VLAN 60)


@pytest.fixture(scope="module")
def design(inventory: Inventory) -> SiteDesign:
    entry = next(iter(inventory.select([BEN_THANH])))
    return design_site(entry.site, inventory.baseline)


def _nodes() -> list[dict[str, Any]]:
    endpoints = [
        {
            "kind": "endpoint",
            "vlan": v,
            "namespace": f"t-ep-{v}",
            "name": f"ep-{v}",
            "address": f"10.9.{v}.9/24",
        }
        for v in [*PEAKS, 60]
    ]
    device = {"kind": "device", "name": f"hcm-{BEN_THANH}-acc1", "namespace": "t-acc1"}
    return [*endpoints, device]


def _clients(count: dict[int, int] = PEAKS) -> list[sessions.Clients]:
    return [
        sessions.Clients(
            v,
            f"V{v}",
            ZONES[v],
            f"t-ep-{v}",
            "eth0",
            24,
            tuple(IPv4Address(f"10.{v}.0.0") + 10 + i for i in range(n)),
        )
        for v, n in count.items()
    ]


def _places(design: SiteDesign, inventory: Inventory) -> list[sessions.Target]:
    remote = matrix.remote_places(inventory.baseline, "t-city")
    return sessions.targets(design.plan, _nodes(), remote)


def test_each_zone_opens_a_session_to_every_zone_its_policy_lets_it_reach(
    design: SiteDesign, inventory: Inventory
) -> None:
    per_ns, rows = sessions.plan_sessions(inventory.baseline, _clients(), _places(design, inventory))
    # by hand from the baseline's policy: (destination, port) per client zone, lowest allowed TCP port
    staff = [(SRV1, 80), ("10.0.0.1", 53), ("10.0.2.1", 80), ("192.0.2.1", 80)]
    want = {
        "ap": [],  # no rule lets access points through the firewall
        "staff": staff,
        "services": [(SRV1, 80), ("10.0.0.1", 53), ("10.0.2.1", 80)],
        "voice": [("10.0.0.1", 53)],
        "guest": [("10.0.0.1", 53), ("192.0.2.1", 80)],
        "iot": [("10.0.0.1", 53), ("10.0.4.1", 554)],
    }
    for row in rows:
        assert sorted((f["address"], f["port"]) for f in row["flows"]) == sorted(want[row["zone"]]), row[
            "zone"
        ]
        assert row["planned"] == PEAKS[row["vlan"]] * len(want[row["zone"]])
    assert sum(r["planned"] for r in rows) == 200 * 4 + 30 * 3 + 40 + 300 * 2 + 15 * 2  # 1,560
    assert sum(r["clients"] for r in rows) == 585  # every client but the 10 access points
    guest = per_ns["t-ep-50"]
    assert len(guest) == 600 and len({s for s, _, _ in guest}) == 300
    assert ["10.50.0.10", "192.0.2.1", 80] in guest


def test_echo_servers_bind_the_addresses_and_ports_the_sessions_use(
    design: SiteDesign, inventory: Inventory
) -> None:
    places = _places(design, inventory)
    _, rows = sessions.plan_sessions(inventory.baseline, _clients(), places)
    binds = sessions.listening(places, rows)
    assert binds["t-ep-60"] == [f"{SRV1}:80"]
    assert sorted(binds["t-city"]) == ["10.0.0.1:53", "10.0.2.1:80", "10.0.4.1:554", "192.0.2.1:80"]


def test_denied_flows_are_those_the_policy_refuses_towards_places_that_listen(
    design: SiteDesign, inventory: Inventory
) -> None:
    places = _places(design, inventory)
    servers = places[:1]
    mgmt = matrix.mgmt_source(matrix.site_places(design.plan, _nodes()))
    assert mgmt is not None
    got = sessions.denied_probes(inventory.baseline, _clients(), servers, 80, mgmt)
    pairs = {(p["from"], p["dst"], p["port"]) for p in got}
    # staff and services may reach srv1 on 80: not tried; no client zone may reach a device's SSH
    assert pairs == {(f"V{v}", SRV1, 80) for v in (15, 40, 50, 70)} | {
        (f"V{v}", mgmt.address, 22) for v in PEAKS
    }
    assert all(p["src"] == str(IPv4Address(f"10.{int(p['from'][1:])}.0.10")) for p in got)
    assert sorted(p["id"] for p in got) == list(range(len(got)))


CONNTRACK = """\
tcp      6 431999 ESTABLISHED src=10.65.56.10 dst=192.0.2.1 sport=41000 dport=80 src=192.0.2.1 \
dst=100.64.0.2 sport=80 dport=41000 [ASSURED] mark=0 use=1
tcp      6 431999 ESTABLISHED src=10.65.56.11 dst=10.0.0.1 sport=41001 dport=53 src=10.0.0.1 \
dst=10.65.56.11 sport=53 dport=41001 [ASSURED] mark=0 use=1
tcp      6 119 SYN_SENT src=10.65.56.12 dst=10.0.0.1 sport=41002 dport=53 [UNREPLIED] src=10.0.0.1 \
dst=10.65.56.12 sport=53 dport=41002 mark=0 use=1
tcp      6 431999 ESTABLISHED src=10.65.52.10 dst=10.0.1.1 sport=41003 dport=22 src=10.0.1.1 \
dst=10.65.52.10 sport=22 dport=41003 [ASSURED] mark=0 use=1
"""


def test_conntrack_counts_only_established_entries_of_these_sessions_by_original_tuple() -> None:
    ours = {
        ("10.65.56.10", "192.0.2.1", 80),
        ("10.65.56.11", "10.0.0.1", 53),
        ("10.65.56.12", "10.0.0.1", 53),  # still SYN_SENT: not established
        ("192.0.2.1", "100.64.0.2", 41000),  # a reply tuple: never counted
    }
    assert sessions.tracked(CONNTRACK, ours) == 2
    assert sessions.tracked("", ours) == 0


LOAD = [sys.executable, str(sessions.LOAD_SCRIPT)]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_load_generator_holds_sessions_until_released_and_stops_by_itself() -> None:
    port, closed = _free_port(), _free_port()
    server = subprocess.Popen(
        [*LOAD, "serve", "30", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        todo = [[f"127.0.0.{2 + i % 20}", "127.0.0.1", port] for i in range(200)]
        todo.append(["127.0.0.99", "127.0.0.1", closed])  # nothing listens: refused, counted as failed
        holder = subprocess.Popen(
            [*LOAD, "hold"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write(json.dumps({"sessions": todo, "connect_s": 20, "hold_s": 30}) + "\n")
        holder.stdin.flush()
        up = json.loads(holder.stdout.readline())["established"]
        assert (up["planned"], up["established"], up["errors"]) == (201, 200, {"ConnectionRefusedError": 1})
        assert len(up["connect_ms"]) == 200
        holder.stdin.write("release\n")
        holder.stdin.flush()
        held = json.loads(holder.stdout.readline())["held"]
        # 21 sources, of which 127.0.0.99 lost its only session
        assert held == {"sessions": 200, "sources": 21, "sources_held": 20}
        assert holder.wait(timeout=10) == 0
    finally:
        server.kill()
        server.wait()


def test_load_generator_ends_its_hold_by_itself_without_release() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [*LOAD, "serve", "2", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    holder = subprocess.Popen(
        [*LOAD, "hold"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert holder.stdin is not None and holder.stdout is not None
        plan = {"sessions": [["127.0.0.1", "127.0.0.1", port]], "connect_s": 5, "hold_s": 3}
        holder.stdin.write(json.dumps(plan) + "\n")
        holder.stdin.flush()  # and stdin stays open: no release, no EOF
        assert json.loads(holder.stdout.readline())["established"]["established"] == 1
        # the server stopped by itself (its 2 s) before the hold ended (3 s): that session is not held
        assert json.loads(holder.stdout.readline())["held"] == {
            "sessions": 0,
            "sources": 1,
            "sources_held": 0,
        }
        assert holder.wait(timeout=20) == 0 and server.wait(timeout=20) == 0
    finally:
        holder.kill()
        server.kill()


def test_each_client_can_open_several_sessions_to_every_zone(
    design: SiteDesign, inventory: Inventory
) -> None:
    per_ns, rows = sessions.plan_sessions(
        inventory.baseline, _clients({50: 3}), _places(design, inventory), 4
    )
    (guest,) = rows
    assert guest["clients"] == 3 and guest["planned"] == 3 * 2 * 4  # 3 clients, DNS and internet, 4 each
    assert per_ns["t-ep-50"].count(["10.50.0.10", "10.0.0.1", 53]) == 4
