"""What a real Catalyst does that a config written from the documentation alone gets wrong (issue 17
review), reproduced by the replayed box, and the rendered config holding up against each: the banner
delimiter of a replace file, VTP server mode hiding VLANs, merged name servers, numbered and padded ACLs,
17.x defaults not printed, vty 16-31 on 17.9, `configure replace` asking first, a replace in two passes."""

from __future__ import annotations

import re

from tests.conftest import INVENTORY
from tests.vendor.conftest import COMMIT, DRY_RUN, GOLDEN, Replay, resolved
from tests.vendor.ios_device import FIXTURES, IosDevice
from wardnet import load_inventory
from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.deploy.device import deploy_device
from wardnet.platforms.cisco_iosxe_candidate import complete, for_replace

CORE = (GOLDEN / "hcm-26743-core.cfg").read_text()
BANNER_LINES = [
    line for line in CORE[CORE.index("banner login ^C\n") :].split("\n")[1:4]
]  # the three lines between the delimiters


def _day0() -> IosDevice:
    return IosDevice((FIXTURES / "hcm-26743-core.day0.txt").read_text())


def _replace(device: IosDevice, text: str) -> str:
    device.flash["flash:/given.txt"] = text.encode()
    return device.replace("flash:/given.txt", "admin", True, None)


def _candidate(device: IosDevice, intended: str = CORE) -> str:
    return complete(resolved(intended), device.running_text())


def _section(running: str, head: str) -> list[str]:
    match = re.search(rf"^{re.escape(head)}\n((?:[ ^A-Za-z].*\n)*?)(?=\S)", running, re.M)
    assert match, head
    return match.group(1).splitlines()


def test_a_replace_file_with_caret_c_gets_another_banner_and_one_with_etx_the_right_one() -> None:
    device = _day0()
    _replace(device, _candidate(device))  # `^C` as two characters: `^` is the delimiter, `C` is text
    running = device.running_text()
    assert "banner login ^CC\n" in running
    _replace(device, for_replace(_candidate(device)))
    running = device.running_text()
    assert "\nbanner login ^C\n" + "\n".join(BANNER_LINES) + "\n^C\n" in running


def test_the_driver_hands_the_box_an_etx_delimited_file(core: Replay) -> None:
    driver = core.driver()
    try:
        driver.load_replace_candidate(config=resolved(CORE))  # type: ignore[attr-defined]
    finally:
        driver.close()  # type: ignore[attr-defined]
    sent = core.device.flash["flash:/candidate_config.txt"]
    assert sent.count(b"\x03") == 2
    assert b"banner login \x03\n" in sent and b"^C" not in sent


def test_vtp_server_mode_hides_vlans_and_transparent_shows_them() -> None:
    device = _day0()
    without_vtp = for_replace(_candidate(device)).replace("vtp mode transparent\n", "")
    _replace(device, without_vtp)
    assert "\nvlan 10\n" not in device.running_text()  # in vlan.dat: every audit would say `+vlan 10`
    report = _replace(device, for_replace(_candidate(device)))
    assert "Total number of passes: 2" in report  # the VLANs land in the second pass
    assert "Setting device to VTP Transparent mode for VLANS." in report
    assert "\nvlan 10\n name MGMT\n" in device.running_text()


def test_the_box_prints_name_servers_acls_and_defaults_its_own_way() -> None:
    device = _day0()
    given = (
        "ip name-server 10.0.0.53\nip name-server 10.0.0.54\nno service pad\nno service config\n"
        "ip access-list standard X\n permit 10.0.1.0 0.0.0.255\n deny any log\n"
    )
    _replace(device, for_replace(_candidate(device)) + given)
    running = device.running_text()
    assert "\nip name-server 10.0.0.53 10.0.0.54\n" in running
    assert "service pad" not in running and "service config" not in running
    assert _section(running, "ip access-list standard X") == [
        " 10 permit 10.0.1.0 0.0.0.255",
        " 20 deny   any log",
    ]
    assert "\n !\n address-family ipv6\n exit-address-family\n" in running  # Mgmt-vrf keeps its IPv6 family


def test_vty_16_31_stays_without_access_class_unless_the_config_names_it() -> None:
    device = _day0()
    old_style = re.sub(
        r"line vty 0 4\n(?: .*\n)*line vty 5 15\n(?: .*\n)*line vty 16 31\n", "line vty 0 15\n", CORE
    )
    assert "line vty 0 15\n access-class" in old_style
    _replace(device, for_replace(_candidate(device, old_style)))
    running = device.running_text()
    assert _section(running, "line vty 16 31") == [" login", " transport input ssh"]
    expect = Expect.from_baseline(load_inventory(INVENTORY).baseline)
    found = rendered_findings(running, "cisco_iosxe", "core", site="26743", device="core", expect=expect)
    assert "L2-MGMT-02" in [f.rule for f in found if "vty 16 31" in f.message]  # no access-class there
    _replace(device, for_replace(_candidate(device)))
    assert " access-class WARDNET-MGMT in" in _section(device.running_text(), "line vty 16 31")


def test_configure_replace_without_force_asks_and_no_keeps_the_config() -> None:
    device = _day0()
    device.flash["flash:/given.txt"] = for_replace(_candidate(device)).encode()
    before = device.running_text()
    shell = device.shell("admin")
    question = shell.handle("configure replace flash:/given.txt")
    assert question is not None and question.endswith("Enter Y if you are sure you want to proceed. ? [no]: ")
    assert shell.handle("") == ""  # the default answer is no
    assert device.running_text() == before
    shell.handle("configure replace flash:/given.txt")
    assert "Rollback Done" in (shell.handle("y") or "")
    assert device.running_text() != before


def test_a_deploy_commits_then_the_second_reports_nothing(core: Replay) -> None:
    first = deploy_device(core.target, COMMIT, lambda *_: None)
    assert (first.status, first.error) == ("committed", "")
    running = core.device.running_text()  # type: ignore[union-attr]
    for line in ("vtp mode transparent", "ip name-server 10.0.0.53 10.0.0.54", "line vty 16 31"):
        assert f"\n{line}\n" in running
    second = deploy_device(core.target, DRY_RUN, lambda *_: None)
    assert (second.status, second.diff) == ("unchanged", "")
