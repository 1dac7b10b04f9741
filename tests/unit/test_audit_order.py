"""Order is behaviour in an ACL and a firewall policy table: the audit must see a reordering as drift,
and must not see the device's own sequence numbers as one. Configs are the golden files, changed by hand."""

from __future__ import annotations

from tests.conftest import BEN_THANH, REPO
from wardnet.audit.compare import audit_device

GOLDEN = REPO / "tests" / "golden" / "26743-ben-thanh"
CORE = (GOLDEN / "hcm-26743-core.cfg").read_text()
FW = (GOLDEN / "hcm-26743-fw.conf").read_text()
ACL = "ip access-list standard WARDNET-MGMT\n 10 permit 10.0.1.0 0.0.0.255\n 20 deny   any log\n"
PLAIN = "ip access-list standard WARDNET-MGMT\n permit 10.0.1.0 0.0.0.255\n deny any log\n"


def _core(running: str) -> tuple[str, list[tuple[str, str, str]]]:
    device = audit_device("core", BEN_THANH, "cisco_iosxe", "core", intended=CORE, running=running, rules=[])
    return device.status, [(f.kind, f.intended, f.running) for f in device.findings]


def test_the_acl_as_the_device_numbers_it_is_compliant() -> None:
    assert ACL in CORE  # rendered as IOS-XE prints it: numbered, `deny` padded
    renumbered = CORE.replace(ACL, ACL.replace(" 10 permit", " 5 permit").replace(" 20 deny", " 7 deny"))
    assert _core(renumbered) == ("compliant", [])
    assert _core(CORE.replace(ACL, PLAIN)) == ("compliant", [])  # as a box that neither numbers nor pads


def test_acl_entries_swapped_is_drift() -> None:
    # permit-then-deny becomes deny-then-permit: the NOC is locked out of every vty
    swapped = PLAIN.replace(
        " permit 10.0.1.0 0.0.0.255\n deny any log\n", " deny any log\n permit 10.0.1.0 0.0.0.255\n"
    )
    status, findings = _core(CORE.replace(ACL, swapped))
    assert status == "drift"
    assert findings, "a reordered ACL must produce a finding"
    lines = {text for _, intended, running in findings for text in (intended, running)}
    assert lines & {"permit 10.0.1.0 0.0.0.255", "deny any log"}


def test_acl_entries_swapped_with_sequence_numbers_is_drift() -> None:
    swapped = PLAIN.replace(
        " permit 10.0.1.0 0.0.0.255\n deny any log\n", " 10 deny   any log\n 20 permit 10.0.1.0 0.0.0.255\n"
    )
    status, _ = _core(CORE.replace(ACL, swapped))
    assert status == "drift"


def test_two_firewall_policies_swapped_is_drift() -> None:
    table = FW.index("config firewall policy\n")
    start, middle, end = (FW.index(f"\n    edit {n}\n", table) + 1 for n in (1, 2, 3))
    running = FW[:start] + FW[middle:end] + FW[start:middle] + FW[end:]
    assert sorted(running.split("\n")) == sorted(FW.split("\n"))  # same lines, other order
    device = audit_device("fw", BEN_THANH, "fortios", "firewall", intended=FW, running=running, rules=[])
    assert device.status == "drift"
