"""Known devices only, on the recorded devices: a host key that is not the enrolled one refuses the device
before any credential is sent (the replay server records every authentication request it receives)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import paramiko
import pytest

from tests.vendor.conftest import DRY_RUN, PASSWORD, Replay
from wardnet.audit.collect import collect_device
from wardnet.deploy import hostkeys
from wardnet.deploy.device import deploy_device


def _other_key_store(tmp_path: Path, port: int) -> Path:
    """A store that enrolled another device at this address (what a spoofed device looks like)."""
    other = paramiko.ECDSAKey.generate()
    path = tmp_path / "spoofed_known_hosts"
    path.write_text(f"[127.0.0.1]:{port} {other.get_name()} {other.get_base64()}\n")
    return path


def _no_backup(*_: object) -> None:
    raise AssertionError("a refused device must not reach the backup")


@pytest.mark.parametrize("fixture", ["core", "firewall"])
def test_mismatched_key_refuses_the_device_before_any_credential(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    replay: Replay = request.getfixturevalue(fixture)
    store = _other_key_store(tmp_path, replay.server.port)
    target = replace(replay.target, optional_args={**replay.target.optional_args, "known_hosts": str(store)})
    result = deploy_device(target, DRY_RUN, _no_backup)
    assert result.status == "refused"
    assert result.error.startswith("SECURITY: host key mismatch")
    assert hostkeys.fingerprint(replay.server.host_key) in result.error  # what the device offered
    assert replay.server.auth_attempts == []  # not even the username reached it, let alone the password


@pytest.mark.parametrize("fixture", ["core", "firewall"])
def test_unknown_key_is_refused_not_added(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    replay: Replay = request.getfixturevalue(fixture)
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    target = replace(replay.target, optional_args={**replay.target.optional_args, "known_hosts": str(empty)})
    result = deploy_device(target, DRY_RUN, _no_backup)
    assert result.status == "refused"
    assert "not enrolled" in result.error
    assert replay.server.auth_attempts == []
    assert empty.read_text() == ""  # never auto-added


def test_enrolled_key_connects_and_the_recorder_sees_the_login(firewall: Replay) -> None:
    """The control for the tests above: with the enrolled key the same server does receive the password."""
    result = deploy_device(firewall.target, DRY_RUN, _no_backup)
    assert result.status == "would-change"
    assert ("wardnet-deploy", "password", PASSWORD) in firewall.server.auth_attempts


def test_enrol_on_first_contact_then_known_then_mismatch(core: Replay, tmp_path: Path) -> None:
    store = tmp_path / "backups" / "known_hosts"
    port = core.server.port
    first = hostkeys.enroll(store, [("hcm-26743-core", "127.0.0.1", port)], "test")
    assert [e.status for e in first] == ["added"]
    assert core.server.auth_attempts == []  # enrolment is key exchange only
    line = store.read_text()
    assert line == f"[127.0.0.1]:{port} ecdsa-sha2-nistp256 {core.server.host_key.get_base64()}\n"
    again = hostkeys.enroll(store, [("hcm-26743-core", "127.0.0.1", port)], "test")
    assert [e.status for e in again] == ["known"]
    # the enrolled store is what the driver trusts: it now logs in
    target = replace(core.target, optional_args={"port": port, "known_hosts": str(store)})
    assert deploy_device(target, DRY_RUN, _no_backup).status == "would-change"
    # a different device behind the same address: reported, and the store keeps the enrolled key
    spoofed = _other_key_store(tmp_path, port)
    before = spoofed.read_text()
    changed = hostkeys.enroll(spoofed, [("hcm-26743-core", "127.0.0.1", port)], "test")
    assert changed[0].status == "mismatch" and changed[0].detail.startswith("SECURITY")
    assert spoofed.read_text() == before


def test_enrolment_is_committed_in_the_backups_git(core: Replay, tmp_path: Path) -> None:
    import subprocess

    store = tmp_path / "backups" / "known_hosts"
    hostkeys.enroll(store, [("hcm-26743-core", "127.0.0.1", core.server.port)], "wardnet devices enroll")
    log = subprocess.run(
        ["git", "-C", str(store.parent), "log", "--format=%s", "--", "known_hosts"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    expected = "host keys enrolled (wardnet devices enroll): hcm-26743-core ecdsa-sha2-nistp256 SHA256:"
    assert log.startswith(expected)


def test_audit_reports_a_mismatch_as_a_security_finding(firewall: Replay, tmp_path: Path) -> None:
    store = _other_key_store(tmp_path, firewall.server.port)
    target = replace(firewall.target, optional_args={"port": firewall.server.port, "known_hosts": str(store)})
    item = collect_device(target)
    assert item.error.startswith("SECURITY: host key mismatch")
    assert item.running == ""
    assert firewall.server.auth_attempts == []
