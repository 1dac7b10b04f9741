"""The frr driver's session trusts what the store says for the host it connects to, parsed once per content:
the same key, mismatch or absence as loading the whole store, and a store changed on disk (an enrolment,
a re-enrolled device with a key of the same length) is read afresh, never answered from the parsed copy."""

from __future__ import annotations

import subprocess
from pathlib import Path

import paramiko
import pytest

from wardnet.deploy import hostkeys


def _key(tmp_path: Path, name: str) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / name)], check=True)
    kind, body = (tmp_path / f"{name}.pub").read_text().split()[:2]
    return f"{kind} {body}"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, str]:
    return {name: _key(tmp_path, name) for name in ("a", "b", "a2")}


def _held(client: paramiko.SSHClient) -> dict[str, str]:
    held = client.get_host_keys()
    return {name: f"{k.get_name()} {k.get_base64()}" for name in held for k in held[name].values()}


def test_a_client_holds_only_its_hosts_keys_as_the_whole_store_says(
    tmp_path: Path, keys: dict[str, str]
) -> None:
    store = tmp_path / "known_hosts"
    store.write_text(
        f"# enrolled\ndev-a,10.0.0.1 {keys['a']}\n[10.0.0.2]:2222 {keys['b']}\n10.0.0.1 {keys['a2']}\n"
    )
    whole = hostkeys.ssh_client(str(store))  # paramiko's own load of every line
    for host, port in (("10.0.0.1", 22), ("10.0.0.2", 2222), ("10.0.0.3", 22), ("10.0.0.2", 22)):
        name = host if port == 22 else f"[{host}]:{port}"
        one = hostkeys.ssh_client(str(store), host, port)
        expected = whole.get_host_keys().lookup(name)
        got = one.get_host_keys().lookup(name)
        assert (dict(got) if got else None) == (dict(expected) if expected else None), name
        assert set(one.get_host_keys().keys()) <= {name}
    assert _held(hostkeys.ssh_client(str(store), "10.0.0.1")) == {"10.0.0.1": keys["a"]}  # first line wins


def test_a_changed_store_is_read_again(tmp_path: Path, keys: dict[str, str]) -> None:
    store = tmp_path / "known_hosts"
    store.write_text(f"10.0.0.1 {keys['a']}\n")
    assert _held(hostkeys.ssh_client(str(store), "10.0.0.1")) == {"10.0.0.1": keys["a"]}
    store.write_text(f"10.0.0.1 {keys['a2']}\n")  # re-enrolled: the same length, maybe the same mtime
    assert _held(hostkeys.ssh_client(str(store), "10.0.0.1")) == {"10.0.0.1": keys["a2"]}
    store.write_text(f"10.0.0.1 {keys['a2']}\n10.0.0.9 {keys['b']}\n")  # an enrolment appended
    assert _held(hostkeys.ssh_client(str(store), "10.0.0.9")) == {"10.0.0.9": keys["b"]}
    store.unlink()  # no store: nothing trusted
    assert _held(hostkeys.ssh_client(str(store), "10.0.0.1")) == {}


def test_the_frr_drivers_ssh_config_is_read_again_when_it_changes(tmp_path: Path) -> None:
    from napalm_frr.driver import _ssh_config

    config = tmp_path / "ssh_config"
    config.write_text("Host dev\n  HostName 10.0.0.1\n")
    assert _ssh_config(str(config)).lookup("dev")["hostname"] == "10.0.0.1"
    assert _ssh_config(str(config)) is _ssh_config(str(config))  # parsed once
    config.write_text("Host dev\n  HostName 10.0.0.2\n")
    assert _ssh_config(str(config)).lookup("dev")["hostname"] == "10.0.0.2"
