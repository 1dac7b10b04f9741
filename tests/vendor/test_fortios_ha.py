"""FortiOS deploy safety on an FGCP cluster (issue 17 item 2) and the replayed revert timer's truth.

Fortinet KB FD30912: with `cfg-save revert` the change reaches every member before it is saved, and when the
idle timeout fires unconfirmed ALL members reboot, none taking over. The cluster path therefore commits by
config diff and rolls back by config diff: a missed confirm must not reboot the pair.
"""

from __future__ import annotations

from typing import Any

from tests.vendor.conftest import COMMIT, Replay, resolved
from tests.vendor.fortigate_device import FortiGate
from wardnet.deploy.device import deploy_device


def _pair(replay: Replay) -> tuple[FortiGate, FortiGate]:
    assert isinstance(replay.device, FortiGate)
    return replay.device, replay.device.members[0]


def _policies(device: FortiGate) -> list[str]:
    node = device.tree.subs.get("firewall policy")
    return list(node.entries) if node else []


def test_replayed_revert_is_idle_based_counts_down_and_reboots_every_member() -> None:
    """The emulator's truth, typed by hand as an operator would (FD30912)."""
    primary = FortiGate(_day0_ha())
    secondary = FortiGate(_day0_ha().replace('"hcm-26743-fw"', '"hcm-26743-fw-2"'))
    primary.join(secondary)
    shell = primary.shell("admin")
    for line in ["config system global", "set cfg-save revert", "set cfg-revert-timeout 60", "end"]:
        assert shell.handle(line) == ""
    for line in ["config system global", "set admintimeout 7", "end"]:
        shell.handle(line)
    assert secondary.tree.subs["system global"].settings["admintimeout"] == "7"  # synchronised, unsaved
    primary.tick(45)
    shell.handle("get system status")  # any input restarts the idle count
    primary.tick(45)
    assert primary.reboots == 0 and primary.console == []
    primary.tick(10)
    assert primary.console == [
        "System will reboot if no input is received in the next 10 seconds...",
        "System will reboot if no input is received in the next 9 seconds...",
        "System will reboot if no input is received in the next 8 seconds...",
        "System will reboot if no input is received in the next 7 seconds...",
        "System will reboot if no input is received in the next 6 seconds...",
        "System will reboot if no input is received in the next 5 seconds...",
    ]
    assert primary.reboots == 0
    primary.tick(5)
    assert (primary.reboots, secondary.reboots) == (1, 1)  # the whole cluster goes down
    assert secondary.tree.subs["system global"].settings["admintimeout"] == "480"


def test_a_missed_confirm_on_the_ha_pair_does_not_reboot_it(ha_pair: Replay) -> None:
    primary, secondary = _pair(ha_pair)
    driver: Any = ha_pair.driver()
    try:
        driver.load_replace_candidate(config=resolved(ha_pair.target.intended))
        driver.commit_config(revert_in=60)
        assert driver.has_pending_commit()
    finally:
        driver.close()  # the deploy host dies here: nobody confirms, nobody rolls back
    assert "    set cfg-save revert" not in primary.commands
    assert primary.mode == "automatic" and not primary.dirty
    primary.tick(3600)
    assert (primary.reboots, secondary.reboots) == (0, 0) and primary.console == []
    assert _policies(primary)[-1] == "999" and _policies(secondary) == _policies(primary)  # synchronised


def test_cluster_commit_confirms_and_a_second_deploy_changes_nothing(ha_pair: Replay) -> None:
    primary, secondary = _pair(ha_pair)
    result = deploy_device(ha_pair.target, COMMIT, lambda *_: None)
    assert (result.status, result.error) == ("committed", "")
    assert not any("cfg-save revert" in line or "cfg reload" in line for line in primary.commands)
    again = deploy_device(ha_pair.target, COMMIT, lambda *_: None)
    assert (again.status, again.changed) == ("unchanged", False)
    assert (primary.reboots, secondary.reboots) == (0, 0)
    assert secondary.hostname == "hcm-26743-fw-2"  # FGCP does not synchronise the hostname


def test_failed_post_check_on_the_cluster_rolls_back_by_diff_without_reboot(ha_pair: Replay) -> None:
    primary, secondary = _pair(ha_pair)
    assert deploy_device(ha_pair.target, COMMIT, lambda *_: None).status == "committed"
    before = (_policies(primary), primary.show("system global", False, "x"))
    changed = ha_pair.target.intended.replace("set admintimeout 5", "set admintimeout 9").replace(
        "    edit 999\n",
        '    edit 21\n        set name "x"\n        set srcintf "wan1"\n'
        '        set dstintf "mgmt"\n        set srcaddr "noc"\n        set dstaddr "mgmt"\n'
        '        set action accept\n        set schedule "always"\n        set service "ALL_ICMP"\n'
        "    next\n    edit 999\n",
    )
    wrong = ha_pair.with_target(name="hcm-26743-fw-b", intended=changed)
    result = deploy_device(wrong.target, COMMIT, lambda *_: None)
    assert (result.status, result.error) == (
        "rolled-back",
        "management answers with another hostname; rolled back",
    )
    assert "+set admintimeout 9" in result.diff and '+edit "21"' in result.diff
    assert (primary.reboots, secondary.reboots) == (0, 0)
    assert (_policies(primary), primary.show("system global", False, "x")) == before
    assert _policies(secondary) == before[0]  # the rollback is synchronised like any change


def test_ha_bring_up_is_its_own_step_after_the_confirm(firewall: Replay) -> None:
    assert isinstance(firewall.device, FortiGate)
    device = firewall.device
    assert device.ha_mode == "standalone"
    result = deploy_device(firewall.target, COMMIT, lambda *_: None)
    assert result.status == "committed"
    typed = device.commands
    saved = typed.index("execute cfg save")
    assert typed.index("config system ha") > saved  # not inside the revert-protected commit
    assert device.ha_mode == "a-p" and device.reboots == 0


def _day0_ha() -> str:
    from tests.vendor.conftest import HA_BLOCK
    from tests.vendor.fortigate_device import FIXTURES

    return (FIXTURES / "hcm-26743-fw.day0.conf").read_text() + HA_BLOCK
