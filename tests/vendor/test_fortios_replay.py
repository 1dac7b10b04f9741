"""FortiOS through Netmiko: deploy_device and the fortinet driver against a replayed FortiGate-201F."""

from __future__ import annotations

import threading
from typing import Any

import napalm
import pytest
from napalm.base.exceptions import CommitError
from napalm_fortinet import FortinetDriver

from tests.vendor.conftest import COMMIT, DRY_RUN, SECRETS, Replay, resolved
from tests.vendor.fortigate_device import FortiGate
from wardnet.deploy.device import deploy_device
from wardnet.platforms.fortios_config import canonical, diff, parse, script, with_defaults

MANAGED = ("system global", "system admin", "firewall policy", "system ntp", "system interface")


def _state(device: FortiGate) -> dict[str, str]:
    return {path: device.show(path, False, "x") for path in MANAGED if path in device.tree.subs}


def _device(replay: Replay) -> FortiGate:
    assert isinstance(replay.device, FortiGate)
    return replay.device


def _without_revert_mode(text: str) -> str:
    """The reload lands on the config saved when revert mode was switched on: it is still in it."""
    return "".join(
        line for line in text.splitlines(keepends=True) if "cfg-save" not in line and "cfg-revert" not in line
    )


def _wait_until_dropped(driver: Any) -> bool:
    for _ in range(100):  # the reboot drops the session a moment after it starts
        if not driver.is_alive()["is_alive"]:
            return True
        threading.Event().wait(0.02)
    return False


def test_registered_under_its_napalm_name() -> None:
    assert napalm.get_network_driver("fortinet") is FortinetDriver


def test_facts_from_get_system_status(firewall: Replay) -> None:
    driver: Any = firewall.driver()
    try:
        facts = driver.get_facts()
    finally:
        driver.close()
    assert facts["hostname"] == "hcm-26743-fw"
    assert (facts["model"], facts["os_version"]) == ("FortiGate-201F", "v7.2.6,build1575,231003 (GA.F)")
    assert facts["serial_number"] == "FG201FTK23900123"
    assert facts["uptime"] == 84 * 86400 + 22 * 60
    assert "wan1" in facts["interface_list"]


def test_dry_run_shows_a_unified_diff_and_changes_nothing(firewall: Replay) -> None:
    device = _device(firewall)
    before = _state(device)
    result = deploy_device(firewall.target, DRY_RUN, lambda *_: pytest.fail("a dry run backs nothing up"))
    assert (result.status, result.changed, result.error) == ("would-change", True, "")
    assert "--- running/system global\n+++ candidate/system global\n" in result.diff
    assert "-set admintimeout 480\n" in result.diff and "+set admintimeout 5\n" in result.diff
    assert "+    set subnet 10.65.56.0 255.255.252.0" in result.diff  # compared in the device's own form
    assert "-set alias FortiGate-201F" in result.diff  # a replace removes what the candidate lacks
    assert "+    set key <secret>" in result.diff
    assert "ENC " not in result.diff and not any(v in result.diff for v in SECRETS.values())
    assert 'edit "ha1"' not in result.diff  # the device's own ports are not ours
    assert _state(device) == before and not device.dirty


def test_commit_with_revert_mode_is_saved_on_confirm_and_a_second_deploy_changes_nothing(
    firewall: Replay,
) -> None:
    device = _device(firewall)
    saved: list[str] = []
    result = deploy_device(firewall.target, COMMIT, lambda target, text: saved.append(text))
    assert (result.status, result.error) == ("committed", "")
    typed = device.commands
    assert typed.index("    set cfg-save revert") < typed.index("config firewall policy")
    assert "    set cfg-revert-timeout 120" in typed
    assert typed.index("execute cfg save") < typed.index("    set cfg-save automatic")
    assert device.mode == "automatic" and not device.dirty and device.reboots == 0
    assert list(device.tree.subs["firewall policy"].entries)[-1] == "999"
    assert "admin" not in device.tree.subs["system admin"].entries  # the replace removed it
    assert (
        device.tree.subs["system admin"].entries["hcm-breakglass"].settings["password"].startswith("ENC SH2")
    )
    assert len(saved) == 1 and "#config-version=FG201F" in saved[0]
    assert "ENC " not in saved[0] and "<secret>" in saved[0]  # the backup never holds a secret form

    again = deploy_device(firewall.target, COMMIT, lambda *_: pytest.fail("nothing to back up"))
    assert (again.status, again.changed, again.diff) == ("unchanged", False, "")


def test_unconfirmed_commit_reverts_and_the_next_deploy_heals_the_save_mode(firewall: Replay) -> None:
    device = _device(firewall)
    before = _state(device)
    driver: Any = firewall.driver()
    try:
        driver.load_replace_candidate(config=resolved(firewall.target.intended))
        driver.commit_config(revert_in=60)
        assert driver.has_pending_commit() and device.dirty
        assert device.tree.subs["system global"].settings["admintimeout"] == "5"
        device.expire_revert_timer()  # nobody confirmed: the unit reloads its saved config
        assert device.reboots == 1
        assert _wait_until_dropped(driver)
    finally:
        driver.close()
    assert _state(device)["firewall policy"] == before["firewall policy"]
    assert device.mode == "revert"  # saved when revert mode was switched on: it survives the reload

    healed = deploy_device(firewall.target, COMMIT, lambda *_: None)
    assert "-set cfg-save revert" in healed.diff
    assert healed.status == "committed" and device.mode == "automatic"


def test_failed_post_check_reloads_the_saved_config(firewall: Replay) -> None:
    device = _device(firewall)
    before = _state(device)
    wrong = firewall.with_target(name="hcm-26743-fw-b")
    result = deploy_device(wrong.target, COMMIT, lambda *_: None)
    assert (result.status, result.error) == (
        "rolled-back",
        "management answers with another hostname; rolled back",
    )
    assert "execute cfg reload" in device.commands and device.reboots == 1
    assert _without_revert_mode(_state(device)["system global"]) == before["system global"]
    assert _state(device)["firewall policy"] == before["firewall policy"]


def test_a_refused_line_reverts_the_commit_and_says_why(firewall: Replay) -> None:
    device = _device(firewall)
    device.refuse[r"set ips-sensor"] = "entry not found in datasource\nvalue parse error before 'default'"
    driver: Any = firewall.driver()
    try:
        driver.load_replace_candidate(config=resolved(firewall.target.intended))
        with pytest.raises(
            CommitError, match=r"value parse error before 'default'.*reloads its saved config"
        ):
            driver.commit_config(revert_in=60)
    finally:
        driver.close()
    assert device.reboots == 1 and not device.tree.subs["firewall policy"].entries


def test_drift_is_removed_and_a_new_policy_lands_before_the_default_deny(firewall: Replay) -> None:
    device = _device(firewall)
    assert deploy_device(firewall.target, COMMIT, lambda *_: None).status == "committed"
    shell = device.shell("admin")
    for line in ["config firewall policy", "edit 1000", 'set name "any-any"', "set action accept", "end"]:
        shell.handle(line)
    intended = firewall.target.intended.replace(
        "    edit 999\n",
        '    edit 21\n        set name "noc-ping"\n        set srcintf "wan1"\n        set dstintf "mgmt"\n'
        '        set srcaddr "noc"\n        set dstaddr "mgmt"\n        set action accept\n'
        '        set schedule "always"\n        set service "ALL_ICMP"\n    next\n    edit 999\n',
    )
    changed = firewall.with_target(intended=intended)
    result = deploy_device(changed.target, COMMIT, lambda *_: None)
    assert result.status == "committed"
    assert '-edit "1000"' in result.diff and '+edit "21"' in result.diff
    typed = [c.strip() for c in device.commands]
    assert "delete 1000" in typed and "move 20 before 21" in typed
    assert list(device.tree.subs["firewall policy"].entries)[-3:] == ["20", "21", "999"]


def test_a_firewall_that_served_dhcp_hands_it_to_the_ward_server(firewall: Replay) -> None:
    """Ben Thanh relays DHCP to hcm-26743-srv1: the old DHCP servers go, relay comes on every client VLAN."""
    device = _device(firewall)
    served = firewall.target.intended.replace(
        "config system dhcp server\nend\n",
        'config system dhcp server\n    edit 1\n        set interface "vlan20"\n'
        "        set default-gateway 10.65.52.1\n        set netmask 255.255.255.0\n    next\nend\n",
    ).replace('        set dhcp-relay-service enable\n        set dhcp-relay-ip "10.65.55.74"\n', "")
    assert served != firewall.target.intended
    assert (
        deploy_device(firewall.with_target(intended=served).target, COMMIT, lambda *_: None).status
        == "committed"
    )
    assert list(device.tree.subs["system dhcp server"].entries) == ["1"]

    result = deploy_device(firewall.target, COMMIT, lambda *_: None)
    assert result.status == "committed"
    assert "delete 1" in [c.strip() for c in device.commands]
    assert not device.tree.subs["system dhcp server"].entries
    interfaces = device.tree.subs["system interface"].entries
    for name in ("vlan20", "vlan21", "vlan30", "vlan50", "vlan70"):
        assert interfaces[name].settings["dhcp-relay-ip"] == '"10.65.55.74"', name
    assert "dhcp-relay-ip" not in interfaces["vlan10"].settings  # management: static, not relayed


def test_backup_is_show_full_configuration(firewall: Replay) -> None:
    driver: Any = firewall.driver()
    try:
        full = driver.get_config(retrieve="running", full=True, sanitized=True)["running"]
        shown = driver.get_config(retrieve="running")["running"]
    finally:
        driver.close()
    assert full.startswith("#config-version=FG201F-7.02.06-FW-build1575-231003")
    assert "    set admin-sport 443\n" in full and "admin-sport" not in shown  # defaults spelt out
    assert "ENC " not in full and "ENC SH2" in shown


# --- the pure parts ----------------------------------------------------------------------------------


def test_parse_keeps_a_banner_whole_and_canonical_matches_the_device_form() -> None:
    tree = parse('config system replacemsg admin "x"\n    set buffer "line one\nline two"\nend\n')
    assert tree.subs["system replacemsg admin x"].settings["buffer"] == '"line one\nline two"'
    assert canonical("subnet", "10.65.48.0/22") == canonical("subnet", "10.65.48.0 255.255.252.0")
    assert canonical("key", '"clear"') == canonical("key", "ENC abc")


def test_script_sets_unsets_deletes_and_leaves_shared_tables_alone() -> None:
    running = parse(
        'config system global\n    set admintimeout 480\n    set alias "x"\n    set cfg-save revert\nend\n'
        'config system interface\n    edit "ha1"\n        set type physical\n    next\n'
        '    edit "wan1"\n        set type physical\n        set role wan\n    next\nend\n'
        "config firewall policy\n    edit 1000\n        set action accept\n    next\nend\n"
    )
    candidate = parse(
        "config system global\n    set admintimeout 5\nend\n"
        'config system interface\n    edit "wan1"\n        set ip 10.0.0.1/31\n    next\nend\n'
        "config firewall policy\n    edit 1\n        set action deny\n    next\nend\n"
    )
    assert script(running, candidate) == [
        ["config system global", "    set admintimeout 5", "    unset alias", "end"],
        [
            "config system interface",
            '    edit "wan1"',
            "        set ip 10.0.0.1/31",
            "        unset role",
            "    next",
            "end",
        ],
        ["config firewall policy", "    edit 1", "        set action deny", "    next", "end"],
        ["config firewall policy", "    delete 1000", "end"],  # deletes last: nothing still uses them
    ]
    assert "set cfg-save revert" in diff(running, candidate)  # shown, never unset mid-commit
    assert script(running, candidate, replace=False)[0] == [
        "config system global",
        "    set admintimeout 5",
        "end",
    ]


def test_defaults_come_from_full_configuration() -> None:
    shown = parse('config system global\n    set hostname "fw"\nend\n')
    full = parse('config system global\n    set hostname "fw"\n    set admintimeout 5\nend\n')
    candidate = parse('config system global\n    set hostname "fw"\n    set admintimeout 5\nend\n')
    assert script(shown, candidate) == [["config system global", "    set admintimeout 5", "end"]]
    assert script(with_defaults(shown, full, candidate), candidate) == []
