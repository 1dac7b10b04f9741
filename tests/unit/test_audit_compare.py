"""The compare engine on rendered configs: what is drift, what is noise, which feature, what fixes it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, REPO
from wardnet.audit.compare import audit_device
from wardnet.audit.model import IgnoreRule
from wardnet.design import design_site
from wardnet.design.twin import whitebox_twin
from wardnet.inventory import Inventory
from wardnet.render import Renderer

GOLDEN = REPO / "tests" / "golden" / "26743-ben-thanh"
CORE = (GOLDEN / "hcm-26743-core.cfg").read_text()
FW = (GOLDEN / "hcm-26743-fw.conf").read_text()


@pytest.fixture(scope="module")
def twin(inventory: Inventory) -> dict[str, str]:
    """Ben Thanh's white-box twin (frr platform) as rendered: name → intended canonical text."""
    site = inventory.sites[BEN_THANH].site
    design = design_site(whitebox_twin(site, inventory.baseline), inventory.baseline)
    return {name: Renderer().device(config) for name, config in design.devices.items()}


def frr_running(intended: str) -> str:
    """What the lab agent returns for a device that runs exactly its intended config."""
    return "! running configuration: x (frr platform)\n" + intended.split("\n", 1)[1]


def test_a_device_running_its_intended_config_is_compliant(twin: dict[str, str]) -> None:
    for name, text in twin.items():
        device = audit_device(
            name, BEN_THANH, "frr", "access", intended=text, running=frr_running(text), rules=[]
        )
        assert device.status == "compliant", (name, device.findings)
        assert device.compliance() == 100.0 and not device.diff and not device.remediation


def test_frr_platform_drift_in_each_section(twin: dict[str, str]) -> None:
    intended = twin[f"hcm-{BEN_THANH}-fw"]
    running = frr_running(intended)
    running = running.replace(" description MGMT\n", " description HACKED\n", 1)
    drop = '\t\tlog prefix "wardnet-input-deny " counter drop\n'
    assert drop in running
    running = running.replace(drop, drop + "\t\ttcp dport 23 accept\n", 1)
    running = running.replace(" port vlan20 type=internal tag=20", " port vlan20 type=internal tag=50")

    device = audit_device(
        f"hcm-{BEN_THANH}-fw", BEN_THANH, "frr", "firewall", intended=intended, running=running, rules=[]
    )
    got = {(f.kind, f.feature, f.intended, f.running) for f in device.findings}
    assert got == {
        ("changed", "interfaces", "description MGMT", "description HACKED"),
        ("extra", "firewall", "", "tcp dport 23 accept"),
        ("changed", "vlans", "port vlan20 type=internal tag=20", "port vlan20 type=internal tag=50"),
    }
    assert device.status == "drift" and device.worst_severity() == "critical"
    assert {f.section for f in device.findings} >= {"nftables > table inet wardnet > chain input"}
    assert "+\t\ttcp dport 23 accept" in device.diff and "- description MGMT" in device.diff
    fix = device.remediation
    assert "interface vlan10\n  description MGMT" in fix  # FRR through hier_config
    assert "nft -f - <<'EOF'\nflush ruleset\ntable inet wardnet {" in fix  # whole-ruleset replace
    assert "tcp dport 23" not in fix
    assert "ovs-vsctl -- set Port vlan20 tag=20" in fix


def test_a_rule_moved_within_a_chain_is_drift_order_elsewhere_is_not(twin: dict[str, str]) -> None:
    intended = twin[f"hcm-{BEN_THANH}-fw"]
    lines = frr_running(intended).split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip() == "ct state established,related accept")
    lines[first], lines[first + 1] = lines[first + 1], lines[first]  # swap two rules of chain input
    device = audit_device(
        "fw", BEN_THANH, "frr", "firewall", intended=intended, running="\n".join(lines), rules=[]
    )
    assert device.status == "drift" and {f.feature for f in device.findings} == {"firewall"}

    hosts = "logging host 10.0.0.20\nlogging host 10.0.0.21"
    core = CORE.replace(hosts, "\n".join(reversed(hosts.split("\n"))))
    assert core != CORE
    assert (
        audit_device("core", BEN_THANH, "cisco_iosxe", "core", intended=CORE, running=core, rules=[]).status
        == "compliant"
    )


def test_ios_volatile_lines_and_secret_forms_are_not_drift() -> None:
    running = (
        "Building configuration...\n\nCurrent configuration : 23817 bytes\n"
        "! Last configuration change at 02:00:07 ICT Mon Nov 23 2026 by wardnet-deploy\n"
        "! NVRAM config last updated at 02:00:09 ICT Mon Nov 23 2026 by wardnet-deploy\n"
        + CORE.replace("secret 9 <<secret:breakglass_hash>>", "secret 9 $9$Zx1Q$abcdefghijklmnop")
        .replace("key 0 <<secret:tacacs_key>>", "key 7 0822455D0A16544541")
        .replace("hmac-sha2-256 <<secret:ntp_key>>", "hmac-sha2-256 1513090F557878 7")
        + "ntp clock-period 36028797018963968\n"
        "crypto pki trustpoint TP-self-signed-3951527512\n enrollment selfsigned\n revocation-check none\n"
        "crypto pki certificate chain TP-self-signed-3951527512\n certificate self-signed 01\n"
        "  30820330 30820218 A0030201 02020101\n  quit\n"
    )
    device = audit_device("core", BEN_THANH, "cisco_iosxe", "core", intended=CORE, running=running, rules=[])
    assert device.status == "compliant", device.findings


def test_ios_drift_by_feature_and_remediation() -> None:
    running = (
        CORE.replace("logging host 10.0.0.20", "logging host 10.9.9.9")
        + "ntp server 203.0.113.5\nusername tech privilege 15 secret 9 $9$QQQQ$secretsecret\n"
        + "snmp-server community public RO\n"
    )
    device = audit_device("core", BEN_THANH, "cisco_iosxe", "core", intended=CORE, running=running, rules=[])
    got = {(f.kind, f.feature, f.severity, f.line) for f in device.findings}
    assert got == {
        ("changed", "logging", "high", "logging host 10.0.0.20"),
        ("extra", "ntp", "high", "ntp server 203.0.113.5"),
        ("extra", "aaa", "critical", "username tech privilege 15 secret <secret>"),
        ("extra", "snmp", "high", "snmp-server community <secret> RO"),
    }
    fix = device.remediation.splitlines()
    assert {
        "no ntp server 203.0.113.5",
        "no snmp-server community <secret> RO",
        "logging host 10.0.0.20",
    } <= set(fix)
    shown = device.remediation + device.diff + repr(device.findings)
    assert "$9$" not in shown and "public" not in shown


def test_fortios_headers_uuids_and_enc_values_are_not_drift_a_setting_is() -> None:
    running = (
        "#config-version=FG201F-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=wardnet-deploy\n"
        "#conf_file_ver=84773120934\n#buildno=1639\n#global_vdom=1\n"
        + FW.replace('set key "<<secret:ntp_key>>"', "set key ENC SH2nU1n+0bkzKMQ3PM0=")
        .replace("set admintimeout 5", "set admintimeout 480")
        .replace("    edit 1\n", "    edit 1\n        set uuid 5f1c2a3e-9b1d-51ee-8f3a-0d2c1b7e4a10\n", 1)
    )
    device = audit_device("fw", BEN_THANH, "fortios", "firewall", intended=FW, running=running, rules=[])
    assert [(f.kind, f.feature, f.section, f.intended, f.running) for f in device.findings] == [
        ("changed", "management", "config system global", "set admintimeout 5", "set admintimeout 480")
    ]
    assert device.remediation.splitlines() == ["config system global", "    set admintimeout 5", "end"]


def test_ignore_rules_accept_drift_by_feature_or_pattern_per_device() -> None:
    running = CORE + "ntp server 203.0.113.5\nsnmp-server community VENDOR-RO RO\n"
    rules = [
        IgnoreRule(
            "vendor-snmp", "vendor contract", "2099-01-01", feature="snmp", pattern=r"^snmp-server community"
        ),
        IgnoreRule("other-box", "not this one", "2099-01-01", feature="ntp", devices=("hcm-00000-core",)),
    ]
    device = audit_device(
        "hcm-26743-core", BEN_THANH, "cisco_iosxe", "core", intended=CORE, running=running, rules=rules
    )
    by_line = {f.line: f.ignored_by for f in device.findings}
    assert by_line == {"snmp-server community <secret> RO": "vendor-snmp", "ntp server 203.0.113.5": ""}
    assert device.status == "drift" and device.drifted_features() == ["ntp"]

    only_snmp = CORE + "snmp-server community VENDOR-RO RO\n"
    device = audit_device(
        "hcm-26743-core", BEN_THANH, "cisco_iosxe", "core", intended=CORE, running=only_snmp, rules=rules
    )
    assert device.status == "compliant" and len(device.findings) == 1 and not device.remediation


def test_ignore_file_errors_name_file_field_and_fix(inventory_copy, tmp_path: Path) -> None:
    from wardnet.audit.ignores import load_ignores
    from wardnet.errors import InputError
    from wardnet.inventory import load_inventory

    root = inventory_copy(BEN_THANH)
    (root / "audit").mkdir()
    ignore = root / "audit" / "ignore.yml"
    ignore.write_text(
        "rules:\n"
        "  - {id: ok-rule, reason: contract, expires: 2026-12-31, feature: snmp}\n"
        "  - {id: old-rule, reason: gone, expires: 2026-01-31, pattern: '^ntp server'}\n"
    )
    inventory = load_inventory(root)
    active, expired = load_ignores(inventory, date(2026, 11, 23))
    assert [r.id for r in active] == ["ok-rule"] and [r.id for r in expired] == ["old-rule"]
    assert expired[0].source.endswith("ignore.yml:3")

    bad = "{id: bad, reason: x, expires: 2026-12-31, feature: snmpp, pattern: '(['}"
    ignore.write_text(f"rules:\n  - {bad}\n")
    with pytest.raises(InputError) as caught:
        load_ignores(inventory, date(2026, 11, 23))
    text = str(caught.value)
    assert "ignore.yml" in text and "rules.0.feature" in text and "unknown feature 'snmpp'" in text
    assert "rules.0.pattern" in text and "regular expression" in text

    ignore.write_text("rules:\n  - {id: vague, reason: x, expires: 2026-12-31}\n")
    with pytest.raises(InputError, match="needs a feature, a pattern or both"):
        load_ignores(inventory, date(2026, 11, 23))
