"""Ben Thanh's white-box twin, live: real FRR, nftables, Open vSwitch and sshd in namespaces, real traffic."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, REPO
from tests.lab.conftest import TEST_PREFIX, leftovers
from wardnet.canonical import split_sections
from wardnet.cli import main
from wardnet.lab import nodes, system
from wardnet.lab.manager import Lab
from wardnet.lab.system import LabError

pytestmark = pytest.mark.lab

CON_DAO = "26732"
FW, ACC1 = f"hcm-{BEN_THANH}-fw", f"hcm-{BEN_THANH}-acc1"
CITY = "hcm-city-core"
NOC_SOURCE = "10.0.1.1"  # the city core's address in the NOC zone, the only management source
BGP_WAIT = 60.0


@pytest.fixture(scope="module")
def ben_thanh(lab: Lab) -> Lab:
    lab.up([BEN_THANH], load="intended")
    return lab


def node(lab: Lab, name: str) -> dict:
    return lab.find(name)


def on(lab: Lab, name: str, *command: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return lab.run(name, list(command), capture_output=True, timeout=timeout)


@pytest.fixture
def listener(ben_thanh: Lab) -> Iterator[callable]:
    started: list[subprocess.Popen[bytes]] = []

    def listen(name: str, port: int) -> None:
        target = node(ben_thanh, name)
        process = subprocess.Popen(
            ["ip", "netns", "exec", target["namespace"], "nc", "-k", "-l", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        time.sleep(0.2)

    yield listen
    for process in started:
        process.terminate()
        process.wait(timeout=5)


def connects(lab: Lab, source: str, address: str, port: int, *, from_address: str | None = None) -> bool:
    args = ["nc", "-z", "-w", "3", *(["-s", from_address] if from_address else []), address, str(port)]
    return on(lab, source, *args).returncode == 0


def address_of(lab: Lab, name: str) -> str:
    found = node(lab, name)
    return (found.get("management") or found["address"]).split("/")[0]


def wait_for_bgp(lab: Lab) -> dict:
    deadline = time.monotonic() + BGP_WAIT
    while True:
        summary = json.loads(on(lab, CITY, "vtysh", "-c", "show bgp ipv4 unicast summary json").stdout)
        peers = summary.get("peers", {})
        if peers and all(p["state"] == "Established" for p in peers.values()):
            return peers
        if time.monotonic() > deadline:
            raise AssertionError(f"BGP not established after {BGP_WAIT} s: {peers}")
        time.sleep(1)


def test_status_json_lists_every_device(ben_thanh: Lab, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WARDNET_LAB_DIR", str(ben_thanh.root))
    monkeypatch.setenv("WARDNET_LAB_PREFIX", TEST_PREFIX)
    assert main(["lab", "status", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)["nodes"]}
    devices = [r for r in rows.values() if r["kind"] == "device"]
    assert sorted(r["name"] for r in devices) == sorted(
        [FW, f"hcm-{BEN_THANH}-core", *(f"hcm-{BEN_THANH}-acc{n}" for n in range(1, 6))]
    )
    for row in devices:
        assert row["platform"] == "frr" and row["alive"]
        assert row["namespace"].startswith(f"{TEST_PREFIX}{BEN_THANH}-")
        assert row["role"] in ("firewall", "core", "access")
    assert rows[FW]["role"] == "firewall"


def test_each_device_runs_frr_in_its_own_namespaces(ben_thanh: Lab) -> None:
    own_net = os.readlink("/proc/self/ns/net")
    for row in ben_thanh.status():
        if row["kind"] != "device":
            continue
        anchor = node(ben_thanh, row["name"])["anchor"]
        assert os.readlink(f"/proc/{anchor}/ns/net") != own_net
        assert on(ben_thanh, row["name"], "hostname").stdout.strip() == row["name"]  # own UTS namespace
        running = on(ben_thanh, row["name"], "vtysh", "-c", "show running-config").stdout
        assert f"hostname {row['name']}" in running  # vtysh reaches this node's own FRR (own mount ns)


def test_loaded_devices_run_the_intended_frr_and_ovs_config(ben_thanh: Lab) -> None:
    for name, intended in intended_texts(ben_thanh).items():
        running = split_sections(on(ben_thanh, name, "wardnet-node", "show").stdout)
        expected = split_sections(intended)
        assert running["frr"] == expected["frr"], name
        assert running["ovs"] == expected["ovs"], name
        assert "table inet wardnet" in running["nftables"]


def intended_texts(lab: Lab) -> dict[str, str]:
    design = lab.twin_design(BEN_THANH)
    return {name: lab.renderer.device(config) for name, config in design.devices.items()}


def test_routing_adjacency_to_the_city_core_comes_up(ben_thanh: Lab) -> None:
    peers = wait_for_bgp(ben_thanh)
    assert len(peers) == 1
    deadline = time.monotonic() + BGP_WAIT  # the default route follows the session by a moment
    while not (routes := default_routes(ben_thanh)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert [r["protocol"] for r in routes] == ["bgp"]


def default_routes(lab: Lab) -> list[dict]:
    shown = json.loads(on(lab, FW, "vtysh", "-c", "show ip route 0.0.0.0/0 json").stdout)
    return shown.get("0.0.0.0/0", [])


def test_staff_reaches_the_server_vlan_on_an_allowed_port_only(ben_thanh: Lab, listener) -> None:
    server = f"hcm-{BEN_THANH}-ep-servers"
    listener(server, 443)
    listener(server, 2222)
    staff = f"hcm-{BEN_THANH}-ep-staff"
    assert connects(ben_thanh, staff, address_of(ben_thanh, server), 443)
    assert not connects(ben_thanh, staff, address_of(ben_thanh, server), 2222)  # not in staff-to-servers


def test_guest_wifi_cannot_reach_the_management_network(ben_thanh: Lab) -> None:
    guest = f"hcm-{BEN_THANH}-ep-guest-wifi"
    assert on(ben_thanh, guest, "ip", "route", "get", "10.65.55.11").returncode == 0  # it has a route...
    for device in (ACC1, FW):
        assert not connects(ben_thanh, guest, address_of(ben_thanh, device), 22)  # ...and is still refused


def test_the_noc_reaches_management_through_the_city_core(ben_thanh: Lab) -> None:
    wait_for_bgp(ben_thanh)
    assert connects(ben_thanh, CITY, address_of(ben_thanh, ACC1), 22, from_address=NOC_SOURCE)


# --- IPv6 (issue 23): dual stack on the white-box twin -------------------------------------------------

NOC_SOURCE6 = "2001:db8:0:1::1"  # the city core's address in the NOC zone's IPv6 prefix


def wait_for(check: callable, wait: float = BGP_WAIT) -> bool:
    deadline = time.monotonic() + wait
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def bgp6_established(lab: Lab) -> bool:
    summary = json.loads(on(lab, CITY, "vtysh", "-c", "show bgp ipv6 unicast summary json").stdout or "{}")
    peers = summary.get("peers", {})
    return bool(peers) and all(p.get("state") == "Established" for p in peers.values())


def slaac_address(lab: Lab, name: str) -> str | None:
    shown = on(lab, name, "ip", "-6", "-o", "addr", "show", "scope", "global").stdout.split()
    return next((t.split("/")[0] for t in shown if t.startswith("2001:db8:")), None)


def test_ipv6_bgp_to_the_city_core_and_a_default_route(ben_thanh: Lab) -> None:
    assert wait_for(lambda: bgp6_established(ben_thanh))
    assert wait_for(
        lambda: (
            "::/0" in json.loads(on(ben_thanh, FW, "vtysh", "-c", "show ipv6 route ::/0 json").stdout or "{}")
        )
    )
    learned = json.loads(on(ben_thanh, CITY, "vtysh", "-c", "show ipv6 route 2001:db8:413::/48 json").stdout)
    assert [r["protocol"] for r in learned["2001:db8:413::/48"]] == ["bgp"]  # the site's /48 reached the city


def test_guest_gets_a_slaac_address_and_still_cannot_reach_management_over_ipv6(ben_thanh: Lab) -> None:
    guest = f"hcm-{BEN_THANH}-ep-guest-wifi"
    port = node(ben_thanh, guest)["ports"][0]
    on(ben_thanh, guest, "ip", "link", "set", port, "down")
    on(ben_thanh, guest, "ip", "link", "set", port, "up")  # a router solicitation: the firewall answers
    assert wait_for(lambda: slaac_address(ben_thanh, guest) is not None, wait=20)
    assert slaac_address(ben_thanh, guest).startswith("2001:db8:413:50:")  # its VLAN's /64, from the RA
    for device, address in ((ACC1, "2001:db8:413:10::11"), (FW, "2001:db8:413:10::1")):
        assert not connects(ben_thanh, guest, address, 22), device


# Ben Thanh's SLAAC VLANs with an endpoint in the twin → the VLAN's /64 (IPv6 plan: 2001:db8:413:<VLAN>::/64).
# STAFF is DHCPv6 (no A flag) and SERVERS static: not here.
SLAAC_ENDPOINTS = {
    "services": "2001:db8:413:30:",
    "cameras": "2001:db8:413:70:",
    "staff-wifi": "2001:db8:413:21:",
    "guest-wifi": "2001:db8:413:50:",
}


def test_every_endpoint_of_a_slaac_vlan_gets_an_address_in_its_vlans_prefix(ben_thanh: Lab) -> None:
    names = {f"hcm-{BEN_THANH}-ep-{label}": prefix for label, prefix in SLAAC_ENDPOINTS.items()}
    for name in names:
        port = node(ben_thanh, name)["ports"][0]
        on(ben_thanh, name, "ip", "link", "set", port, "down")
        on(ben_thanh, name, "ip", "link", "set", port, "up")  # a router solicitation on each VLAN
    for name, prefix in names.items():
        assert wait_for(lambda name=name: slaac_address(ben_thanh, name) is not None, wait=20), name
        assert slaac_address(ben_thanh, name).startswith(prefix), name


def test_the_noc_reaches_management_over_ipv6_through_the_city_core(ben_thanh: Lab) -> None:
    assert wait_for(lambda: bgp6_established(ben_thanh))
    assert connects(ben_thanh, CITY, "2001:db8:413:10::11", 22, from_address=NOC_SOURCE6)


def test_generated_ssh_config_serves_openssh_netmiko_and_ansible(ben_thanh: Lab, tmp_path: Path) -> None:
    config = ben_thanh.ssh.config
    done = subprocess.run(
        ["ssh", "-F", str(config), "-o", "BatchMode=yes", ACC1, "vtysh -c 'show running-config'"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"hostname {ACC1}" in done.stdout

    from netmiko import ConnectHandler

    with ConnectHandler(
        device_type="linux", host=FW, username="root", use_keys=True, key_file=str(ben_thanh.ssh.key),
        ssh_config_file=str(config), allow_agent=False,
    ) as connection:  # fmt: skip
        assert connection.send_command("hostname").strip() == FW

    inventory = tmp_path / "hosts.yml"
    inventory.write_text(
        "all:\n  hosts:\n"
        f"    {ACC1}:\n      ansible_ssh_common_args: '-F {config}'\n"
        "      ansible_python_interpreter: /usr/bin/python3\n"
    )
    env = os.environ | {"ANSIBLE_INVENTORY_ENABLED": "yaml", "ANSIBLE_HOST_KEY_CHECKING": "True"}
    ansible = subprocess.run(
        [str(REPO / ".venv/bin/ansible"), "all", "-i", str(inventory), "-m", "ansible.builtin.command",
         "-a", "hostname"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert ansible.returncode == 0, ansible.stdout + ansible.stderr
    assert ACC1 in ansible.stdout


def test_a_devices_ssh_commands_read_its_own_bashrc_not_the_hosts(ben_thanh: Lab) -> None:
    """Debian's bash reads ~/.bashrc for every command sshd starts: a device's is its own, never the host's
    (which on the lab machine runs `pyenv init`: ~110 ms of CPU on every SSH command of every device)."""
    done = subprocess.run(
        ["ssh", "-F", str(ben_thanh.ssh.config), "-o", "BatchMode=yes", ACC1, "cat ~/.bashrc"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if Path("/root/.bashrc").is_file():
        assert (done.returncode, done.stdout) == (0, nodes.BASHRC), done.stderr
    else:  # nothing to hide: the device has none either
        assert done.returncode != 0


def test_lab_up_again_changes_nothing(ben_thanh: Lab) -> None:
    before = {row["name"]: node(ben_thanh, row["name"])["anchor"] for row in ben_thanh.status()}
    ben_thanh.up([BEN_THANH], load="intended")
    after = {row["name"]: node(ben_thanh, row["name"])["anchor"] for row in ben_thanh.status()}
    assert after == before


def test_a_second_site_starts_in_factory_state_on_the_same_city_core(ben_thanh: Lab) -> None:
    ben_thanh.up([CON_DAO])
    name = f"hcm-{CON_DAO}-core"
    running = split_sections(on(ben_thanh, name, "wardnet-node", "show").stdout)
    assert f"hostname {name}" in running["frr"]
    assert "router bgp" not in running["frr"] and running["nftables"] == "flush ruleset\n"
    assert running["ovs"].splitlines()[1:] == [" port vlan10 type=internal tag=10"]
    assert ssh_hostname(ben_thanh, name) == name  # reachable: factory state includes SSH
    city = on(ben_thanh, CITY, "vtysh", "-c", "show running-config").stdout
    assert "description site 26732" in city and "description site 26743" in city

    ben_thanh.down([CON_DAO])
    assert not [n for n in system.namespaces() if n.startswith(f"{TEST_PREFIX}{CON_DAO}-")]
    city = on(ben_thanh, CITY, "vtysh", "-c", "show running-config").stdout
    assert "site 26732" not in city and "site 26743" in city
    assert all(row["alive"] for row in ben_thanh.status())


def ssh_hostname(lab: Lab, name: str) -> str:
    done = subprocess.run(
        ["ssh", "-F", str(lab.ssh.config), "-o", "BatchMode=yes", name, "hostname"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return done.stdout.strip()


def test_a_failed_lab_up_cleans_up_after_itself(ben_thanh: Lab) -> None:
    blocker = f"{TEST_PREFIX}25777-core"
    system.add_namespace(blocker)  # the site's core namespace is taken: lab up must fail midway
    with pytest.raises(LabError, match="File exists"):
        ben_thanh.up(["25777"])
    assert not [n for n in system.namespaces() if n.startswith(f"{TEST_PREFIX}25777-")]
    assert "25777" not in {row["site"] for row in ben_thanh.status()}
    assert all(row["alive"] for row in ben_thanh.status())


def test_lab_down_all_leaves_nothing_behind(ben_thanh: Lab) -> None:
    anchors = [node(ben_thanh, row["name"]).get("anchor") for row in ben_thanh.status()]
    ben_thanh.down(None)
    assert leftovers() == []
    assert ben_thanh.status() == []
    assert not any(system._alive(pid) for pid in anchors if pid)
    assert not (ben_thanh.root / "nodes").exists() and not (ben_thanh.root / "ssh").exists()
