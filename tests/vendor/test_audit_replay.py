"""The audit's whole path on replayed vendor devices: NAPALM get_config over SSH, normalise, compare.
Right after a deploy a device is compliant (FortiOS defaults that `show` leaves out are read from
`show full-configuration`); drift made on the device is found with its feature and line, and the
remediation names the commands that remove it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vendor.conftest import COMMIT, SECRETS, Replay
from tests.vendor.fortigate_device import FortiGate
from tests.vendor.ios_config import Block
from tests.vendor.ios_device import IosDevice
from wardnet.audit.collect import collect_device
from wardnet.audit.compare import audit_device
from wardnet.audit.fix import apply
from wardnet.audit.model import AuditRun, DeviceAudit
from wardnet.deploy.device import deploy_device


def audit(replay: Replay) -> DeviceAudit:
    item = collect_device(replay.target)
    assert not item.error, item.error
    t = replay.target
    return audit_device(
        t.name, t.site, t.platform, t.role,
        intended=item.intended, running=item.running, rules=[], defaults=item.defaults,
    )  # fmt: skip


def no_secret_in(device: DeviceAudit) -> bool:
    shown = device.diff + device.remediation + repr(device.findings)
    return not any(value in shown for value in SECRETS.values())


def test_ios_core_compliant_after_deploy_then_drift_found(core: Replay) -> None:
    assert deploy_device(core.target, COMMIT, lambda *_: None).status == "committed"
    clean = audit(core)
    assert clean.status == "compliant", clean.findings

    device = core.device
    assert isinstance(device, IosDevice)
    device.running.append(Block("ntp server 203.0.113.5"))
    device.running.append(Block("snmp-server community public RW"))
    drifted = audit(core)
    got = {(f.kind, f.feature, f.line) for f in drifted.findings}
    assert got == {
        ("extra", "ntp", "ntp server 203.0.113.5"),
        ("extra", "snmp", "snmp-server community <secret> RW"),
    }
    assert "no ntp server 203.0.113.5" in drifted.remediation.splitlines()
    assert no_secret_in(drifted) and "public" not in drifted.diff


def test_fortigate_compliant_after_deploy_then_drift_found(firewall: Replay) -> None:
    assert deploy_device(firewall.target, COMMIT, lambda *_: None).status == "committed"
    clean = audit(firewall)
    assert clean.status == "compliant", clean.findings  # `set admintimeout 5` is hidden by `show`

    device = firewall.device
    assert isinstance(device, FortiGate)
    shell = device.shell("admin")
    for line in ["config system global", "set admintimeout 480", "end"]:
        shell.handle(line)
    for line in ["config firewall policy", "edit 1000", 'set name "any-any"', "set action accept", "end"]:
        shell.handle(line)
    drifted = audit(firewall)
    got = {(f.kind, f.feature, f.section, f.intended, f.running) for f in drifted.findings}
    assert (
        "changed",
        "management",
        "config system global",
        "set admintimeout 5",
        "set admintimeout 480",
    ) in got
    assert ("extra", "firewall", "config firewall policy", "", 'edit "1000"') in got
    assert {f.feature for f in drifted.findings} == {"management", "firewall"}
    lines = [line.strip() for line in drifted.remediation.splitlines()]
    assert "delete 1000" in lines and "set admintimeout 5" in lines
    assert no_secret_in(drifted)


# --- full scope on FortiOS (issue 16, item 6) -----------------------------------------------------------

# What an operator (or an intruder) adds by hand, in blocks the intended config does not name (api-user,
# user local, snmp community) or does name (a new VLAN interface): each is drift with its feature and line.
ADDED = {
    "api-user": (
        [
            "config system api-user",
            'edit "backdoor"',
            "set accprofile super_admin",
            "set api-key Api-K3y-For-Replay-Only",
            "config trusthost",
            "edit 1",
            "set type ipv4-trusthost",
            "set ipv4-trusthost 0.0.0.0 0.0.0.0",
            "next",
            "end",
            "next",
            "end",
        ],
        ("aaa", "config system api-user", 'edit "backdoor"'),
        "config system api-user",
    ),
    "local user": (
        [
            "config user local",
            'edit "ops"',
            "set type password",
            "set passwd Ops-Passw0rd-Replay",
            "next",
            "end",
        ],
        ("aaa", "config user local", 'edit "ops"'),
        "config user local",
    ),
    "snmp community": (
        [
            "config system snmp community",
            "edit 1",
            'set name "public"',
            "config hosts",
            "edit 1",
            "set ip 0.0.0.0 0.0.0.0",
            "next",
            "end",
            "next",
            "end",
        ],
        ("snmp", "config system snmp community", 'edit "1"'),
        "config system snmp community",
    ),
    "vlan interface": (
        [
            "config system interface",
            'edit "vlan99"',
            'set vdom "root"',
            "set type vlan",
            'set interface "core-lag"',
            "set vlanid 99",
            "set ip 192.0.2.1 255.255.255.0",
            "set allowaccess ping http telnet",
            "next",
            "end",
        ],
        ("interfaces", "config system interface", 'edit "vlan99"'),
        "config system interface",
    ),
}


def _type(device: FortiGate, lines: list[str]) -> None:
    shell = device.shell("admin")
    for line in lines:
        assert not shell.handle(line), line


@pytest.mark.parametrize("what", list(ADDED))
def test_fortigate_full_scope_finds_what_was_added_and_remediation_removes_it(
    firewall: Replay, tmp_path: Path, what: str
) -> None:
    assert deploy_device(firewall.target, COMMIT, lambda *_: None).status == "committed"
    assert audit(firewall).status == "compliant"
    device = firewall.device
    assert isinstance(device, FortiGate)
    lines, (feature, section, line), top = ADDED[what]
    _type(device, lines)

    drifted = audit(firewall)
    got = {(f.kind, f.feature, f.section, f.running) for f in drifted.findings}
    assert ("extra", feature, section, line) in got, got
    removal = [x.strip() for x in drifted.remediation.splitlines()]
    deleted = [x.removeprefix("delete ").strip('"') for x in removal if x.startswith("delete ")]
    assert removal[0] == top and deleted == [_bare_name(line)], removal
    assert no_secret_in(drifted) and "Replay-Only" not in drifted.diff and "Passw0rd" not in drifted.diff

    run = AuditRun("r1", "2026-12-05T00:00:00+00:00", "2026-12-05T00:00:01+00:00", devices=[drifted])
    results = apply(run, [firewall.target], tmp_path / "state")
    assert [r.status for r in results] == ["committed"], results
    after = audit(firewall)
    assert after.status == "compliant", after.findings
    assert _bare_name(line) not in device.show(top.removeprefix("config "), False, "admin")


def _bare_name(edit_line: str) -> str:
    return edit_line.removeprefix("edit ").strip('"')


def test_fortigate_factory_entries_listed_as_device_owned_are_not_drift(firewall: Replay) -> None:
    """The day-0 box's factory objects (addresses, services, schedule, the default IPS sensor, physical
    ports) stay and are not reported; an object of the same table that is not listed is."""
    assert deploy_device(firewall.target, COMMIT, lambda *_: None).status == "committed"
    device = firewall.device
    assert isinstance(device, FortiGate)
    shown = device.show("", False, "admin")
    for factory in ('edit "FIREWALL_AUTH_PORTAL_ADDRESS"', 'edit "always"', 'edit "default"', 'edit "ha1"'):
        assert factory in shown  # still on the device after a full-scope replace
    assert 'edit "admin"' not in device.show("system admin", False, "admin")  # factory login: not owned
    _type(device, ["config firewall schedule recurring", 'edit "weekend"', "set day saturday sunday", "end"])
    drifted = audit(firewall)
    extra = {(f.section, f.running) for f in drifted.findings}
    assert extra == {
        ("", "config firewall schedule recurring"),
        ("config firewall schedule recurring", 'edit "weekend"'),
        ('config firewall schedule recurring > edit "weekend"', "set day saturday sunday"),
    }


# --- IOS-XE: what `show running-config` hides (issue 16, item 6) ----------------------------------------


def test_ios_snmpv3_users_are_read_with_show_snmp_user_and_compared(core: Replay) -> None:
    """SNMPv3 users never appear in the running config: the audit reads `show snmp user` and compares name,
    group and algorithms with the intended ones. An extra user, and a user whose privacy dropped to DES,
    are drift."""
    assert deploy_device(core.target, COMMIT, lambda *_: None).status == "committed"
    clean = audit(core)
    assert clean.status == "compliant", clean.findings
    device = core.device
    assert isinstance(device, IosDevice)
    device.snmp_users["rogue"] = "WARDNET-RO"
    device.snmp_protocols["rogue"] = ("MD5", "None")
    drifted = audit(core)
    got = {(f.kind, f.feature, f.line) for f in drifted.findings}
    assert got == {("extra", "snmp", "snmp-server user rogue WARDNET-RO v3 auth md5")}

    del device.snmp_users["rogue"]
    device.snmp_protocols["wardnet-nms"] = ("SHA", "DES")
    weakened = audit(core)
    got = {(f.kind, f.intended, f.running) for f in weakened.findings}
    assert got == {
        (
            "changed",
            "snmp-server user wardnet-nms WARDNET-RO v3 auth sha priv aes 256",
            "snmp-server user wardnet-nms WARDNET-RO v3 auth sha priv des",
        )
    }
    assert no_secret_in(weakened)
