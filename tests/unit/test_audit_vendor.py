"""The audit on recorded vendor running configs (IOS-XE `show running-config`, FortiOS `show`) that carry
injected drift: exactly the injected lines are found, with their feature, and nothing the device adds on
its own (headers, clock-period, certificate blobs, type 7 and ENC forms, uuids) is reported."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import BEN_THANH, REPO
from wardnet.audit.compare import audit_device
from wardnet.audit.model import DeviceAudit
from wardnet.secrets import redact_line

FIXTURES = REPO / "tests" / "fixtures" / "vendor" / "audit"
DRIFT = json.loads((FIXTURES / "drift.json").read_text())
FILES = [name for name in DRIFT if not name.startswith("_")]


def plain(line: str) -> str:
    """FortiOS lines are compared in the driver's canonical form (values unquoted): compare words."""
    return " ".join(line.replace('"', "").split())


def expected(entry: dict) -> tuple[str, str, str, str]:
    shown = plain(entry.get("shown_as", redact_line("x", entry["text"])))
    return entry["kind"], entry["feature"], plain(entry.get("intended", "")), shown


@pytest.mark.parametrize("name", FILES)
def test_recorded_running_config_drift_is_found_line_by_line(name: str) -> None:
    spec = DRIFT[name]
    intended = (REPO / spec["intended"]).read_text()
    running = (FIXTURES / name).read_text()
    device = audit_device(
        "hcm-26743-x", BEN_THANH, spec["platform"], "core", intended=intended, running=running, rules=[]
    )
    got = sorted((f.kind, f.feature, plain(f.intended), plain(f.running)) for f in device.findings)
    assert got == sorted(expected(e) for e in spec["drift"])
    assert device.status == "drift" and device.worst_severity() == "critical"


# Every form a device shows a secret in: type 9 and FortiOS SH2 hashes, type 7, ENC blobs.
SECRET_FORMS = re.compile(r"(\$9\$\S+|ENC \S+|\bkey 7 (\S+)|hmac-sha1 (\S+) 7)")


@pytest.mark.parametrize("name", FILES)
def test_no_device_secret_form_reaches_the_findings_diff_or_remediation(name: str) -> None:
    running = (FIXTURES / name).read_text()
    values = {v for m in SECRET_FORMS.finditer(running) for v in m.groups() if v}
    assert len(values) >= 3  # the recording does carry secrets
    device = audited(name)
    shown = device.diff + device.remediation + repr(device.findings)
    assert not [v for v in values if v.removeprefix("ENC ") in shown]


def audited(name: str) -> DeviceAudit:
    spec = DRIFT[name]
    intended = (REPO / spec["intended"]).read_text()
    running = (FIXTURES / name).read_text()
    return audit_device(
        "x", BEN_THANH, spec["platform"], "core", intended=intended, running=running, rules=[]
    )


def test_remediation_undoes_each_drifted_line() -> None:
    ios = [line.strip() for line in audited("hcm-26743-core.running.txt").remediation.splitlines()]
    assert {
        "no ntp server 203.0.113.5",
        "no snmp-server community <secret> RO",
        "logging host 10.0.0.21",
    } <= set(ios)
    assert "no username tech privilege 15 secret <secret>" in ios
    assert ios[ios.index("interface TwentyFiveGigE1/0/24") + 1] == "description hcm-26743-fw unit 1"
    fortios = [line.strip() for line in audited("hcm-26743-fw.running.txt").remediation.splitlines()]
    assert fortios[fortios.index("config system global") + 1] == "set admintimeout 5"
    assert fortios[fortios.index("config system admin") + 1] == 'delete "tech"'
    assert fortios[fortios.index("config firewall policy") + 1] == "delete 1000"
