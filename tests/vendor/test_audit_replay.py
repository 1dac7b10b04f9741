"""The audit's whole path on replayed vendor devices: NAPALM get_config over SSH, normalise, compare.
Right after a deploy a device is compliant (FortiOS defaults that `show` leaves out are read from
`show full-configuration`); drift made on the device is found with its feature and line, and the
remediation names the commands that remove it."""

from __future__ import annotations

from tests.vendor.conftest import COMMIT, SECRETS, Replay
from tests.vendor.fortigate_device import FortiGate
from tests.vendor.ios_config import Block
from tests.vendor.ios_device import IosDevice
from wardnet.audit.collect import collect_device
from wardnet.audit.compare import audit_device
from wardnet.audit.model import DeviceAudit
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
