"""DHCPv6 from the ward server's Kea, live (issue 23): a STAFF endpoint of Ben Thanh's twin solicits on its
VLAN (ISC dhclient -6), the white-box firewall relays (dhcrelay -6, rendered from the design and run by the
device agent) to srv1's kea-dhcp6 (converged by roles/ward_dhcp_dns), and the endpoint holds an address of
the STAFF /64 that Kea's lease store records. The router advertisement on STAFF sets M and offers its prefix
without autoconfig (templates/frr/device.j2), so the address can only have come from DHCPv6. Guest SLAAC:
tests/lab/test_lab_live.py."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import time
from ipaddress import IPv6Address, IPv6Network, ip_interface
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH
from tests.lab.conftest import TEST_PREFIX
from wardnet.lab import servers
from wardnet.lab.manager import Lab

pytestmark = [pytest.mark.lab, pytest.mark.lab_servers]  # `make lab-servers-test`

STAFF_VLAN = 20
ENDPOINT = f"hcm-{BEN_THANH}-ep-staff"
FW = f"hcm-{BEN_THANH}-fw"
# dhclient's hook, in place of dhclient-script: only puts the bound address on the interface (the real
# script would also rewrite the machine's /etc/resolv.conf, which lab namespaces share).
HOOK = """#!/bin/sh
case "$reason" in
  BOUND6|RENEW6|REBIND6|REBOOT6)
    ip -6 addr replace "$new_ip6_address/${new_ip6_prefixlen:-128}" dev "$interface" nodad ;;
esac
exit 0
"""


def on_server(*command: str) -> str:
    name = servers.container_name(TEST_PREFIX, BEN_THANH, "srv1")
    done = subprocess.run(
        ["podman", "exec", name, *command],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"CONTAINERS_CONF": str(servers.CONTAINERS_CONF)},
    )
    return done.stdout


def globals6(lab: Lab, name: str, port: str) -> list[str]:
    shown = lab.run(
        name, ["ip", "-6", "-o", "addr", "show", "dev", port, "scope", "global"], capture_output=True
    )
    words = shown.stdout.split()
    return [str(ip_interface(words[i + 1]).ip) for i, w in enumerate(words) if w == "inet6"]


def wait_for(check: object, wait: float = 30.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.5)
    return False


def test_a_staff_endpoint_gets_its_ipv6_address_from_kea_through_the_firewall_relay(
    servers_lab: Lab, tmp_path: Path
) -> None:
    assert shutil.which("dhclient"), "dhclient missing: `make lab-deps` installs isc-dhcp-client"
    lab = servers_lab
    staff = IPv6Network(next(v.subnet6 for v in lab.twin_design(BEN_THANH).plan.vlans if v.id == STAFF_VLAN))
    assert wait_for(lambda: on_server("systemctl", "is-active", "kea-dhcp6-server").strip() == "active")

    node = lab.find(ENDPOINT)
    port = node["ports"][0]
    lab.run(ENDPOINT, ["ip", "link", "set", port, "down"])
    lab.run(ENDPOINT, ["ip", "link", "set", port, "up"])  # a router solicitation: the firewall answers
    # The RA arrived (a default route through the firewall's link-local address) but gave no SLAAC address.
    assert wait_for(
        lambda: (
            "via fe80:"
            in lab.run(ENDPOINT, ["ip", "-6", "route", "show", "default"], capture_output=True).stdout
        )
    )
    assert not [a for a in globals6(lab, ENDPOINT, port) if IPv6Address(a) in staff]

    hook = tmp_path / "hook.sh"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    leases, pidfile = tmp_path / "dhclient6.leases", tmp_path / "dhclient6.pid"
    command = ["dhclient", "-6", "-1", "-v", "-sf", str(hook), "-lf", str(leases), "-pf", str(pidfile), port]
    try:
        done = lab.run(ENDPOINT, command, capture_output=True, timeout=60)
        relays = lab.run(FW, ["pgrep", "-a", "dhcrelay"], capture_output=True).stdout  # for the message
        assert done.returncode == 0, (relays, done.stderr[-2000:])
        bound = [a for a in globals6(lab, ENDPOINT, port) if IPv6Address(a) in staff]
        assert len(bound) == 1, (globals6(lab, ENDPOINT, port), done.stderr[-2000:])
        assert f"iaaddr {bound[0]}" in leases.read_text()
    finally:
        if pidfile.exists():  # dhclient went to the background with its lease: ours to end, by its PID
            subprocess.run(["kill", pidfile.read_text().strip()], check=False)

    store = on_server("cat", "/var/lib/kea/kea-leases6.csv")
    rows = list(csv.DictReader(io.StringIO(store)))
    mine = [r for r in rows if r["address"] == bound[0]]
    assert mine and mine[-1]["subnet_id"] == str(STAFF_VLAN), store[-2000:]
    assert int(mine[-1]["valid_lifetime"]) > 0
