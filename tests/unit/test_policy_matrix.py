"""The policy matrix's probes and expectations (wardnet/lab/matrix.py), and the probe script on loopback.

Expectations below are written from the baseline's policy by hand (inventories/group_vars/all/baseline.yml),
never computed with the module under test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import asdict

import pytest

from tests.conftest import BEN_THANH
from wardnet.design import design_site
from wardnet.design.twin import whitebox_twin
from wardnet.inventory import Inventory
from wardnet.lab import matrix, topology
from wardnet.lab.verify import PROBE_SCRIPT

FW, ACC1 = f"hcm-{BEN_THANH}-fw", f"hcm-{BEN_THANH}-acc1"


@pytest.fixture(scope="module")
def probes(inventory: Inventory) -> list[matrix.Probe]:
    baseline = inventory.baseline
    entry = next(iter(inventory.select([BEN_THANH])))
    design = design_site(whitebox_twin(entry.site, baseline), baseline)
    nodes = [asdict(n) for n in topology.build(design, baseline).nodes]
    local = matrix.site_places(design.plan, nodes)
    return matrix.probes(baseline, local, matrix.remote_places(baseline, "wn-city"))


def find(probes: list[matrix.Probe], src: str, dst: str, what: str) -> list[tuple[int, bool, str]]:
    return sorted(
        (p.family, p.expected, p.rule) for p in probes if (p.src.zone, p.dst.name, p.what) == (src, dst, what)
    )


def test_the_management_plane_ssh_from_the_noc_only_both_families(probes) -> None:
    for device in (FW, ACC1):
        assert find(probes, "noc", device, "tcp/22") == [
            (4, True, "noc-to-management"),
            (6, True, "noc-to-management"),
        ]
        assert find(probes, "guest", device, "tcp/22") == [(4, False, ""), (6, False, "")]
        assert find(probes, "city_services", device, "tcp/22") == [(4, False, ""), (6, False, "")]
    assert find(probes, "noc", FW, "udp/161") == []  # devices are probed on SSH only: no other listener


def test_allowed_and_refused_services_follow_the_rules(probes) -> None:
    servers = f"hcm-{BEN_THANH}-ep-servers"
    # staff: wired and Wi-Fi endpoints, both allowed web/smb/print to servers; services: web and print only
    assert (
        find(probes, "staff", servers, "tcp/445")
        == [(4, True, "staff-to-servers")] * 2 + [(6, True, "staff-to-servers")] * 2
    )
    assert find(probes, "services", servers, "tcp/445") == [(4, False, ""), (6, False, "")]
    assert find(probes, "services", servers, "tcp/9100") == [
        (4, True, "services-to-servers"),
        (6, True, "services-to-servers"),
    ]
    assert find(probes, "guest", "internet", "tcp/443") == [
        (4, True, "guest-to-internet"),
        (6, True, "guest-to-internet"),
    ]
    assert find(probes, "guest", "city_apps", "tcp/443") == [(4, False, ""), (6, False, "")]
    assert find(probes, "mgmt", "city_services", "udp/123") == [
        (4, True, "management-to-city-services"),
        (6, True, "management-to-city-services"),
    ]
    # both directions: the reverse of an allowed flow is refused
    assert find(probes, "city_services", servers, "udp/123") == [(4, False, ""), (6, False, "")]
    assert not any(p.expected for p in probes if p.proto == "icmp")  # no rule names ICMP


def test_no_probe_between_two_remote_zones_or_within_the_management_vlan(probes) -> None:
    assert not [p for p in probes if p.src.kind == "remote" and p.dst.kind == "remote"]
    assert not [p for p in probes if p.src.kind == "device" and p.dst.kind == "device"]
    assert not [p for p in probes if p.src == p.dst]
    sources = {p.src.name for p in probes if p.src.kind == "device"}
    assert sources == {ACC1}


def test_the_internet_test_addresses_are_outside_every_excluded_range(probes) -> None:
    internet = {p.dst.address for p in probes if p.dst.zone == "internet"}
    internet6 = {p.dst.address6 for p in probes if p.dst.zone == "internet"}
    assert internet == {"192.0.2.1"} and internet6 == {"3fff::1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_probe_script_sees_open_and_refused_ports_over_both_families() -> None:
    port, closed = free_port(), free_port()
    listener = subprocess.Popen(
        [sys.executable, str(PROBE_SCRIPT), "listen", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert listener.stdout is not None and listener.stdout.readline().strip() == "ready"
        wire = [
            {"id": i, "proto": proto, "src": src, "dst": src, "port": p}
            for i, (proto, src, p) in enumerate(
                [
                    ("tcp", "127.0.0.1", port),
                    ("udp", "127.0.0.1", port),
                    ("tcp", "::1", port),
                    ("udp", "::1", port),
                    ("tcp", "127.0.0.1", closed),
                    ("udp", "::1", closed),
                ]
            )
        ]
        done = subprocess.run(
            [sys.executable, str(PROBE_SCRIPT), "send"],
            input=json.dumps(wire),
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        listener.terminate()
        listener.wait(timeout=10)
    assert json.loads(done.stdout) == {
        "0": "open",
        "1": "open",
        "2": "open",
        "3": "open",
        "4": "refused",
        "5": "refused",
    }


@pytest.mark.skipif(os.geteuid() != 0, reason="ICMP probes use raw sockets (root)")
def test_the_probe_script_pings_over_both_families() -> None:
    wire = [
        {"id": i, "proto": "icmp", "src": a, "dst": a, "port": 0} for i, a in enumerate(["127.0.0.1", "::1"])
    ]
    wire.append({"id": 2, "proto": "icmp", "src": "127.0.0.1", "dst": "192.0.2.77", "port": 0})  # no route
    done = subprocess.run(
        [sys.executable, str(PROBE_SCRIPT), "send"],
        input=json.dumps(wire),
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(done.stdout)
    assert seen["0"] == seen["1"] == "open" and seen["2"] != "open"
