"""Known devices only, against a real OpenSSH sshd on loopback (no lab): the frr driver connects when the
enrolled key is the one sshd offers, and is refused before authentication when it is not. sshd logs every
authentication request at LogLevel DEBUG3 ("userauth-request for user ... method ..."): the proof that no
password (nor username, nor key signature) reached the impostor."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import napalm
import pytest
from napalm.base.exceptions import ConnectionException

from wardnet.deploy import hostkeys

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
pytestmark = pytest.mark.skipif(
    not os.path.exists(SSHD) or os.geteuid() != 0,
    reason="needs OpenSSH sshd, run as root (it logs in as root)",
)
PASSWORD = "must-never-reach-an-impostor"


@dataclass
class Sshd:
    port: int
    host_pub: str  # "ssh-ed25519 AAAA..."
    client_key: Path
    log: Path

    def auth_requests(self) -> list[str]:
        return [line for line in self.log.read_text().splitlines() if "userauth-request" in line]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
    subprocess.run([*keygen, "-f", str(tmp_path / "host")], check=True)
    subprocess.run([*keygen, "-f", str(tmp_path / "client")], check=True)
    (tmp_path / "authorized_keys").write_text((tmp_path / "client.pub").read_text())
    port = _free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {tmp_path / 'host'}\n"
        f"AuthorizedKeysFile {tmp_path / 'authorized_keys'}\nPidFile {tmp_path / 'sshd.pid'}\n"
        "LogLevel DEBUG3\nStrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # its privilege separation directory: gone after a reboot
    log = tmp_path / "sshd.log"
    with log.open("w") as out:
        process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=out)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        host_pub = " ".join((tmp_path / "host.pub").read_text().split()[:2])
        yield Sshd(port, host_pub, tmp_path / "client", log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _driver(server: Sshd, known_hosts: Path, host: str = "127.0.0.1", **options: str) -> Any:
    """The frr NAPALM driver towards `server`, trusting only `known_hosts`; `options` add or replace its
    optional_args (an ssh_config, an agent)."""
    return napalm.get_network_driver("frr")(
        host,
        "root",
        PASSWORD,
        timeout=10,
        optional_args={
            "port": server.port,
            "key_file": str(server.client_key),
            "known_hosts": str(known_hosts),
            **options,
        },
    )


def _wait_for_log(server: Sshd, text: str) -> None:
    for _ in range(100):
        if text in server.log.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"sshd never logged {text!r}")


def test_enrolled_key_connects(sshd: Sshd, tmp_path: Path) -> None:
    store = tmp_path / "known_hosts"
    store.write_text(f"[127.0.0.1]:{sshd.port} {sshd.host_pub}\n")
    driver = _driver(sshd, store)
    driver.open()
    try:
        assert driver._run("echo known-device").strip() == "known-device"
    finally:
        driver.close()
    assert any("method publickey" in line for line in sshd.auth_requests())  # the log does see logins


def test_different_key_is_refused_before_authentication(sshd: Sshd, tmp_path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True)
    other = " ".join((tmp_path / "other.pub").read_text().split()[:2])
    store = tmp_path / "known_hosts"
    store.write_text(f"[127.0.0.1]:{sshd.port} {other}\n")
    with pytest.raises(ConnectionException) as caught:
        _driver(sshd, store).open()
    refused = hostkeys.refusal(caught.value)
    assert refused is not None and refused.kind == "mismatch"
    # sshd did run the key exchange with this client, and got no authentication request from it at all
    _wait_for_log(sshd, "Connection from 127.0.0.1")
    _wait_for_log(sshd, "Connection closed by 127.0.0.1")
    assert sshd.auth_requests() == []
    assert PASSWORD not in sshd.log.read_text()


def test_unenrolled_key_is_refused_and_not_added(sshd: Sshd, tmp_path: Path) -> None:
    store = tmp_path / "known_hosts"
    store.write_text("")
    with pytest.raises(ConnectionException) as caught:
        _driver(sshd, store).open()
    refused = hostkeys.refusal(caught.value)
    assert refused is not None and refused.kind == "unknown"
    assert store.read_text() == ""
    _wait_for_log(sshd, "Connection closed by 127.0.0.1")
    assert sshd.auth_requests() == []


def test_ssh_config_host_port_and_proxycommand_apply(sshd: Sshd, tmp_path: Path) -> None:
    """As the lab reaches a device: an alias whose HostName, Port and ProxyCommand come from ssh_config;
    the key is still looked up by the address and port it resolves to."""
    if shutil.which("nc") is None:
        pytest.skip("needs nc")
    proxied = tmp_path / "proxied.log"
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host device-alias\n  HostName 127.0.0.1\n  Port {sshd.port}\n"
        f"  ProxyCommand sh -c 'echo %h:%p >> {proxied}; exec nc %h %p'\n"
    )
    store = tmp_path / "known_hosts"
    store.write_text(f"[127.0.0.1]:{sshd.port} {sshd.host_pub}\n")
    driver = _driver(sshd, store, "device-alias", ssh_config_file=str(config))
    driver.open()
    proxy = driver.device.get_transport().sock
    try:
        assert driver._run("echo through-the-proxy").strip() == "through-the-proxy"
    finally:
        driver.close()
    assert proxied.read_text() == f"127.0.0.1:{sshd.port}\n"
    assert isinstance(proxy, hostkeys.ProxyCommand)
    assert proxy.process.returncode is not None  # `nc` ended and reaped with the session, no zombie


def test_a_loaded_candidate_is_made_canonical_by_the_device_once(sshd: Sshd, tmp_path: Path) -> None:
    """load (the device validates and canonicalises), then the candidate and the diff: one agent call for
    the candidate, as each reuses the form made at load."""
    calls = tmp_path / "agent.log"
    agent = tmp_path / "agent"
    agent.write_text(
        f'#!/bin/sh\necho "$1" >> {calls}\n'
        'if [ "$1" = canonical ]; then sed "s/^hostname .*/hostname canonical/"; '
        "else printf '!== frr\\nhostname running\\n'; fi\n"
    )
    agent.chmod(0o755)
    store = tmp_path / "known_hosts"
    store.write_text(f"[127.0.0.1]:{sshd.port} {sshd.host_pub}\n")
    driver = _driver(sshd, store, agent=str(agent))
    candidate = "!== frr\nhostname intended\n!== nftables\n!== ovs\n!== dhcrelay\n"
    driver.open()
    try:
        driver.load_replace_candidate(config=candidate)
        assert "hostname canonical" in driver.get_config(retrieve="candidate")["candidate"]
        diff = driver.compare_config()
        assert "-hostname running" in diff and "+hostname canonical" in diff
        driver.discard_config()
        assert driver.get_config(retrieve="candidate")["candidate"] == ""
    finally:
        driver.close()
    assert calls.read_text().split() == ["canonical", "show"]


AUDIT_AGENT = """#!/bin/sh
echo "$1" >> {calls}
case "$1" in
  audit) cat >/dev/null; printf '%s' '{answer}' ;;
  show) printf '!== frr\\nhostname running\\n' ;;
  canonical) sed "s/^hostname .*/hostname canonical/" ;;
esac
"""
OLD_AGENT = """#!/bin/sh
echo "$1" >> {calls}
case "$1" in
  audit) echo "wardnet-node: error: argument command: invalid choice: 'audit'" >&2; exit 2 ;;
  show) printf '!== frr\\nhostname running\\n' ;;
  canonical) sed "s/^hostname .*/hostname canonical/" ;;
esac
"""


@pytest.mark.parametrize(
    ("script", "answer", "expected"),
    [
        (AUDIT_AGENT, {"running": "R", "canonical": "C", "refused": None}, (("R", "C"), ["audit"])),
        (AUDIT_AGENT, {"running": "R", "canonical": None, "refused": "FRR refused"}, (None, ["audit"])),
        (OLD_AGENT, {}, (("!== frr\nhostname running\n", "!== frr\nhostname canonical\n"), None)),
    ],
    ids=["one-call", "refused", "older-agent"],
)
def test_running_and_canonical_in_one_agent_call(
    sshd: Sshd, tmp_path: Path, script: str, answer: dict[str, object], expected: tuple[object, object]
) -> None:
    """The audit's first night: the running config and the candidate's canonical form from one `audit`
    call; a refused candidate raises ReplaceConfigException (as load_replace_candidate does); an agent
    without `audit` is asked `show` and `canonical` apart."""
    import json

    from napalm.base.exceptions import ReplaceConfigException

    calls = tmp_path / "agent.log"
    agent = tmp_path / "agent"
    agent.write_text(script.format(calls=calls, answer=json.dumps(answer)))
    agent.chmod(0o755)
    store = tmp_path / "known_hosts"
    store.write_text(f"[127.0.0.1]:{sshd.port} {sshd.host_pub}\n")
    driver = _driver(sshd, store, agent=str(agent))
    driver.open()
    try:
        if expected[0] is None:
            with pytest.raises(ReplaceConfigException, match="refused the candidate: FRR refused"):
                driver._running_and_canonical("!== frr\nhostname intended\n")
        else:
            assert driver._running_and_canonical("!== frr\nhostname intended\n") == expected[0]
    finally:
        driver.close()
    assert calls.read_text().split() == (expected[1] or ["audit", "show", "canonical"])
