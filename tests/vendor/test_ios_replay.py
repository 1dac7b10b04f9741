"""IOS-XE through NAPALM: deploy_device and the wardnet_ios driver against a replayed Catalyst 9300X stack."""

from __future__ import annotations

from typing import Any

import napalm
import pytest
from napalm.base.exceptions import CommitConfirmException, ReplaceConfigException
from napalm_wardnet_ios import WardnetIOSDriver

from tests.vendor.conftest import (
    COMMIT,
    DRY_RUN,
    GOLDEN,
    SECRETS,
    Replay,
    resolved,
    without_deploy_prerequisites,
)
from tests.vendor.ios_config import Block, render, type7
from tests.vendor.ios_device import IosDevice
from wardnet.deploy.device import deploy_device
from wardnet.deploy.targets import Target
from wardnet.platforms.cisco_iosxe_candidate import complete, decode7, for_replace, quiet_diff


def _backups() -> tuple[list[str], Any]:
    saved: list[str] = []
    return saved, lambda target, text: saved.append(text)


def _assert_no_secret(text: str) -> None:
    for value in SECRETS.values():
        assert value not in text
        assert type7(value) not in text


def test_registered_under_its_napalm_name() -> None:
    assert napalm.get_network_driver("wardnet_ios") is WardnetIOSDriver


def test_dry_run_shows_the_diff_and_changes_nothing(core: Replay) -> None:
    before = render(core.device.running)
    result = deploy_device(core.target, DRY_RUN, lambda *_: pytest.fail("a dry run backs nothing up"))
    assert (result.status, result.changed, result.error) == ("would-change", True, "")
    assert "+aaa new-model" in result.diff
    assert "-no aaa new-model" in result.diff
    assert "interface Vlan10\n +description management" in result.diff
    assert "-enable secret <secret>" in result.diff
    _assert_no_secret(result.diff)
    assert render(core.device.running) == before
    assert not any(c.startswith("configure replace") for c in core.device.commands)


def test_commit_confirms_then_a_second_deploy_changes_nothing(core: Replay) -> None:
    saved, backup = _backups()
    result = deploy_device(core.target, COMMIT, backup)
    assert (result.status, result.error) == ("committed", "")
    assert core.device.pending is None
    assert "configure replace flash:/candidate_config.txt force revert trigger error timer 2" in (
        core.device.commands
    )
    assert "configure confirm" in core.device.commands
    assert core.device.startup == render(core.device.running)  # saved after the confirm
    assert core.device.has("aaa new-model") and core.device.has("tacacs server HCM-TAC-1")
    assert core.device.has("switch 2 provision c9300x-24y")  # the device's own stanzas survived
    assert core.device.has("interface TwentyFiveGigE1/0/7")
    assert core.device.snmp_users == {"wardnet-nms": "WARDNET-RO"}
    assert len(saved) == 1 and "hostname hcm-26743-core" in saved[0]
    _assert_no_secret(saved[0])

    again = deploy_device(core.target, COMMIT, lambda *_: pytest.fail("nothing to back up"))
    assert (again.status, again.changed, again.diff) == ("unchanged", False, "")


def test_drift_on_the_device_shows_up_and_is_replaced(core: Replay) -> None:
    device = core.device
    assert isinstance(device, IosDevice)
    device.flash["flash:/deployed.txt"] = for_replace(
        complete(resolved(core.target.intended), device.running_text())
    ).encode()
    device.replace("flash:/deployed.txt", "wardnet-deploy", True, None)  # as a confirmed deploy left it
    vlan10 = device.has("interface Vlan10")
    assert vlan10 is not None
    vlan10.body[0] = " description hacked"
    device.running.append(Block("ntp server 203.0.113.5"))
    result = deploy_device(core.target, DRY_RUN, lambda *_: None)
    assert result.diff.split("\n") == [
        "interface Vlan10",
        " +description management",
        " -description hacked",
        "-ntp server 203.0.113.5",
    ]
    assert deploy_device(core.target, COMMIT, lambda *_: None).status == "committed"
    assert [b.body[0] for b in device.running if b.head == "interface Vlan10"] == [" description management"]
    assert not device.has("ntp server 203.0.113.5")


def test_unconfirmed_commit_is_reverted_by_the_device(core: Replay) -> None:
    before = render(core.device.running)
    driver: Any = core.driver()
    try:
        driver.load_replace_candidate(config=resolved(core.target.intended))
        driver.commit_config(revert_in=90)  # whole minutes on IOS: 2, never less than asked
        assert "configure replace flash:/candidate_config.txt force revert trigger error timer 2" in (
            core.device.commands
        )
        assert driver.has_pending_commit()
        assert core.device.has("aaa new-model")
        core.device.expire_revert_timer()
        assert not driver.has_pending_commit()
        with pytest.raises(CommitConfirmException):
            driver.confirm_commit()
    finally:
        driver.close()
    assert render(core.device.running) == before


def test_failed_post_check_rolls_back_at_once(core: Replay) -> None:
    before = render(core.device.running)
    wrong = core.with_target(name="hcm-26743-core-b")  # the device answers with another hostname
    result = deploy_device(wrong.target, COMMIT, lambda *_: None)
    assert result.status == "rolled-back"
    assert result.error == "management answers with another hostname; rolled back"
    assert "configure revert now" in core.device.commands
    assert core.device.pending is None
    assert render(core.device.running) == before


def test_plain_napalm_ios_cannot_replace_a_rendered_config(core: Replay) -> None:
    """Why the subclass exists: the rendered file lacks the ports and stack members the device cannot
    negate, and `revert trigger error` undoes the whole replace."""
    before = render(core.device.running)
    driver: Any = core.driver("ios")
    try:
        driver.load_replace_candidate(config=resolved(core.target.intended))
        with pytest.raises(ReplaceConfigException, match="no interface TwentyFiveGigE1/0/7"):
            driver.commit_config(revert_in=120)
    finally:
        driver.close()
    assert render(core.device.running) == before


def test_refuses_a_candidate_that_would_lock_out_the_next_deploy(core: Replay) -> None:
    lacking = without_deploy_prerequisites((GOLDEN / "hcm-26743-core.cfg").read_text())
    assert "\narchive\n" not in lacking and "ip scp" not in lacking
    golden = core.with_target(intended=lacking)
    result = deploy_device(golden.target, DRY_RUN, lambda *_: None)  # refused at load: no file copied
    assert result.status == "failed"
    assert "archive / path flash:archive" in result.error
    assert "ip scp server enable" in result.error
    assert core.device.flash == {} and core.device.has("no aaa new-model")


def test_access_switch_dry_run_through_the_same_driver(core: Replay) -> None:
    """The access template on the same replayed box: the driver is not tied to one file."""
    access: Target = core.with_target(
        name="hcm-26743-acc1",
        intended=(GOLDEN / "hcm-26743-acc1.cfg").read_text(),
    ).target
    result = deploy_device(access, DRY_RUN, lambda *_: None)
    assert result.status == "would-change"
    assert "+hostname hcm-26743-acc1" in result.diff and "+ip dhcp snooping" in result.diff


# --- the pure parts ----------------------------------------------------------------------------------


def test_type7_round_trip() -> None:
    assert decode7(type7("Tacacs-K3y-For-Replay")) == "Tacacs-K3y-For-Replay"
    assert decode7("0822455D0A16") == "cisco"  # the textbook example


def test_quiet_diff_drops_form_only_changes_and_keeps_real_ones() -> None:
    diff = "\n".join(
        [
            "tacacs server HCM-TAC-1",
            " +key 0 Tacacs-K3y-For-Replay",
            f" -key 7 {type7('Tacacs-K3y-For-Replay')}",
            "tacacs server HCM-TAC-2",
            " +key 0 New-Key",
            f" -key 7 {type7('Tacacs-K3y-For-Replay')}",
            "+ntp authentication-key 1 hmac-sha2-256 Ntp-K3y-For-Replay",
            f"-ntp authentication-key 1 hmac-sha2-256 {type7('Ntp-K3y-For-Replay')} 7",
            "+snmp-server user wardnet-nms WARDNET-RO v3 auth sha a priv aes 256 b",
            "+snmp-server user other WARDNET-RO v3 auth sha a priv aes 256 b",
        ]
    )
    assert quiet_diff(diff, {"wardnet-nms": "WARDNET-RO"}).split("\n") == [
        "tacacs server HCM-TAC-2",
        " +key 0 New-Key",
        f" -key 7 {type7('Tacacs-K3y-For-Replay')}",
        "+snmp-server user other WARDNET-RO v3 auth sha a priv aes 256 b",
    ]


def test_complete_writes_the_candidate_as_the_device_prints_it() -> None:
    running = "\n".join(
        [
            "switch 1 provision c9300x-24y",
            "line vty 0 4",
            " login local",
            "line vty 5 15",
            " login local",
            "line con 0",
            " stopbits 1",
            "interface TwentyFiveGigE1/0/9",
            " description left alone",
            "interface Port-channel9",
            " description removed",
        ]
    )
    candidate = "line con 0\n exec-timeout 5 0\nline vty 0 15\n transport input ssh\n"
    candidate += "ip access-list standard M\n permit 10.0.1.0 0.0.0.255\n deny any log\n"
    assert complete(candidate, running).split("\n!\n") == [
        "line con 0\n stopbits 1\n exec-timeout 5 0",
        "line vty 0 4\n transport input ssh",
        "line vty 5 15\n transport input ssh",
        "ip access-list standard M\n 10 permit 10.0.1.0 0.0.0.255\n 20 deny any log",
        "switch 1 provision c9300x-24y",
        "interface TwentyFiveGigE1/0/9\n description left alone",
        "end\n",
    ]
