"""The replayed devices refuse what the real CLIs refuse, so a template typo fails here and not on a box.

Each planted fault is one line of a rendered config changed the way a template edit could change it: a
misspelt keyword, a command outside its mode, a value the device does not take. The expected errors are
the devices' own words, written out here, not read from the emulators.
"""

from __future__ import annotations

from typing import Any

import pytest
from napalm.base.exceptions import CommitError

from tests.vendor.cli_grammar import ios_grammar, ios_refusals
from tests.vendor.conftest import COMMIT, Replay, resolved
from tests.vendor.fortigate_device import FIXTURES as FORTIOS_FIXTURES
from tests.vendor.fortigate_device import FortiGate, FortiShell, _logical
from tests.vendor.ios_config import parse, render
from tests.vendor.ios_device import IosDevice, IosShell
from wardnet.deploy.device import deploy_device
from wardnet.inventory import Inventory
from wardnet.pipeline import designs, render_all

IOS_INVALID = "% Invalid input detected at '^' marker."


@pytest.fixture(scope="module")
def city(inventory: Inventory) -> list[tuple[str, str, str]]:
    """Every rendered device of the city: (host, platform, text)."""
    return [
        (item.hostname or "", item.platform or "", item.text)
        for item in render_all(designs(inventory))
        if item.platform in ("cisco_iosxe", "fortios")
    ]


def _planted(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, f"the rendered config no longer has {old!r}: pick another line"
    return text.replace(old, new, 1)


# --- the grammar keeps every rendered site deployable --------------------------------------------------


def test_every_rendered_ios_config_is_accepted(city: list[tuple[str, str, str]]) -> None:
    ios = [(host, text) for host, platform, text in city if platform == "cisco_iosxe"]
    assert len(ios) > 900  # 169 sites: a core and its access switches each
    refused = {host: ios_refusals(ios_grammar(), parse(text)) for host, text in ios}
    assert {host: r for host, r in refused.items() if r} == {}


def test_every_rendered_fortios_config_is_accepted(city: list[tuple[str, str, str]]) -> None:
    device = FortiGate((FORTIOS_FIXTURES / "hcm-26743-fw.day0.conf").read_text())
    shell = FortiShell(device, "admin")
    for line in ("config system global", "set cfg-save revert", "end"):  # no save after every block
        assert shell.handle(line) == ""
    firewalls = [(host, text) for host, platform, text in city if platform == "fortios"]
    assert len(firewalls) == 169
    refused = [
        (host, line, answer)
        for host, text in firewalls
        for line in _logical(text)
        if not line.startswith("#") and (answer := shell.handle(line))
    ]
    assert refused == []


# --- IOS-XE ----------------------------------------------------------------------------------------------

IOS_FAULTS = {
    # misspelt keyword: the ^ goes under the word the parser stops at
    "keyword": ("spanning-tree mode rapid-pvst\n", "spaning-tree mode rapid-pvst\n", "spaning-tree"),
    # a port's sub-command at the top level, where no such command exists
    "context": (" switchport nonegotiate\n", "switchport nonegotiate\n", "switchport nonegotiate"),
    # VLAN 4095 is reserved: IOS takes 1-4094 only
    "value": ("switchport trunk native vlan 999\n", "switchport trunk native vlan 4095\n", "vlan 4095"),
}


@pytest.mark.parametrize("fault", sorted(IOS_FAULTS))
def test_ios_replay_refuses_a_planted_fault_and_keeps_its_config(core: Replay, fault: str) -> None:
    old, new, shown = IOS_FAULTS[fault]
    before = render(core.device.running)
    broken = core.with_target(intended=_planted(core.target.intended, old, new))
    result = deploy_device(broken.target, COMMIT, lambda *_: None)
    assert result.status == "failed"
    assert "The following commands are failed to apply to the IOS image." in result.error
    assert shown in result.error
    assert render(core.device.running) == before  # `revert trigger error` put everything back
    assert isinstance(core.device, IosDevice) and core.device.pending is None


def test_ios_config_mode_prints_the_caret_under_the_bad_word() -> None:
    device = IosDevice("hostname sw1\ninterface Vlan10\n description management\n")
    shell = IosShell(device, "admin")
    shell.handle("configure terminal")
    shell.handle("interface Vlan10")
    assert shell.prompt() == "sw1(config-if)#"
    answer = shell.handle("switchport mode trnuk")
    caret, message = answer.rstrip("\n").split("\n")
    assert message == IOS_INVALID
    assert caret == " " * len("sw1(config-if)#switchport mode ") + "^"
    assert shell.handle("switchport mode") == "% Incomplete command.\n"
    assert shell.handle("no ip proxy-arp") == ""  # `no` takes the leading part of a command
    assert shell.handle("ip domain name hcm.gov.vn") == ""  # a global command leaves the sub-mode
    assert shell.prompt() == "sw1(config)#"
    assert shell.handle("exec-timeout 5 0").endswith(IOS_INVALID + "\n")  # a line command, outside line
    vlan10 = device.has("interface Vlan10")
    assert vlan10 is not None and vlan10.body == [" description management"]  # nothing refused was kept
    assert device.has("ip domain name hcm.gov.vn") is not None


# --- FortiOS ----------------------------------------------------------------------------------------------

FORTIOS_FAULTS = {
    # unknown field: -61, named at the field
    "keyword": ("    set admintimeout 5\n", "    set admintimout 5\n", "'admintimout'", "-61"),
    # a block FortiOS does not have
    "block": ("config system ha\n", "config system hha\n", "'hha'", "-61"),
    # a table nested where it does not belong: NTP servers under the DNS settings (not under `system ha`:
    # HA bring-up is its own step after the confirm, outside the revert-protected commit)
    "context": (
        "config system dns\n",
        'config system dns\n    config ntpserver\n        edit 1\n            set server "10.0.0.10"\n'
        "        next\n    end\n",
        "'ntpserver'",
        "-61",
    ),
    # a value of the wrong kind: -651, named at the value
    "value": ("        set vlanid 20\n", "        set vlanid 4095x\n", "'4095x'", "-651"),
    # IPv6 (issue 23): a misspelt RA field, a /129, an IPv4 resolver in RDNSS, a BGP neighbour field in a
    # prefix-list6 rule
    "ipv6-keyword": (
        "            set ip6-send-adv enable\n",
        "            set ip6-send-advert enable\n",
        "'ip6-send-advert'",
        "-61",
    ),
    "ipv6-value": (
        "            set ip6-address 2001:db8:413:20::1/64\n",
        "            set ip6-address 2001:db8:413:20::1/129\n",
        "'2001:db8:413:20::1/129'",
        "-651",
    ),
    "ipv6-rdnss": (
        "                    set rdnss 2001:db8::53 2001:db8::54\n",
        "                    set rdnss 2001:db8::53 10.0.0.54\n",
        "'10.0.0.54'",
        "-651",
    ),
    "ipv6-context": (
        "                set prefix6 ::/0\n",
        "                set activate6 disable\n",
        "'activate6'",
        "-61",
    ),
}


@pytest.mark.parametrize("fault", sorted(FORTIOS_FAULTS))
def test_fortios_replay_refuses_a_planted_fault_and_reverts(firewall: Replay, fault: str) -> None:
    old, new, shown, code = FORTIOS_FAULTS[fault]
    device = firewall.device
    assert isinstance(device, FortiGate)
    driver: Any = firewall.driver()
    try:
        driver.load_replace_candidate(config=resolved(_planted(firewall.target.intended, old, new)))
        with pytest.raises(CommitError) as refused:
            driver.commit_config(revert_in=60)
    finally:
        driver.close()
    assert shown in str(refused.value) and f"Command fail. Return code {code}" in str(refused.value)
    assert device.reboots == 1  # the refused commit was reloaded away: none of the intended config stays
    assert not device.tree.subs["firewall policy"].entries
    assert "vlan10" not in device.tree.subs["system interface"].entries


def test_fortios_refuses_fields_and_entries_out_of_place() -> None:
    device = FortiGate((FORTIOS_FIXTURES / "hcm-26743-fw.day0.conf").read_text())
    shell = FortiShell(device, "admin")
    assert shell.handle("config system interface") == ""
    # a table takes entries, not fields; a block takes fields, not entries
    refused = "command parse error before '{}'\nCommand fail. Return code -61\n"
    assert shell.handle("set vdom root") == refused.format("set")
    assert shell.handle("end") == ""
    assert shell.handle("config system global") == ""
    assert shell.handle("edit 1") == refused.format("edit")
    assert shell.handle("set admintimeout 481") == (
        "value parse error before '481'\nCommand fail. Return code -651\n"
    )
    assert shell.handle("set admin-telnet disable") == ""
