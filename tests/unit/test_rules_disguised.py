"""Issue 16: every rule of the pack fires on violations written to fool it (tests/fixtures/disguises.yml: a
rendered config of the city with one hand-written edit each), and the rendered configs themselves are clean.
A disguise counts as caught only by a finding of its rule that the unedited config does not have.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.conftest import BEN_THANH, INVENTORY
from tests.unit.golden_edits import city_expect
from wardnet.checks import level2_rules
from wardnet.checks.run import rendered_findings
from wardnet.cli import main
from wardnet.pipeline import build, designs
from wardnet.render import Renderer

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests/golden/26743-ben-thanh"
DISGUISES = yaml.safe_load((ROOT / "tests/fixtures/disguises.yml").read_text(encoding="utf-8"))
BASES = {  # base → (platform, role)
    "core": ("cisco_iosxe", "core"),
    "acc1": ("cisco_iosxe", "access"),
    "fw": ("fortios", "firewall"),
    "frr-fw": ("frr", "firewall"),
}


@cache
def _base_text(base: str) -> str:
    if base == "frr-fw":
        inventory, _ = build(INVENTORY)
        config = designs(inventory, [BEN_THANH])[0].devices[f"hcm-{BEN_THANH}-fw"]
        return Renderer().device(replace(config, platform="frr"))
    suffix = "conf" if base == "fw" else "cfg"
    return (GOLDEN / f"hcm-{BEN_THANH}-{base}.{suffix}").read_text(encoding="utf-8")


def _found(text: str, base: str) -> set[tuple[str, str]]:
    platform, role = BASES[base]
    findings = rendered_findings(text, platform, role, site=BEN_THANH, device="x", expect=city_expect())
    return {(f.rule, f.message) for f in findings}


def test_every_rule_has_two_disguises() -> None:
    counts = Counter(d["rule"] for d in DISGUISES)
    # L2-SRV-*: server-only rules judge a collected server state, never a rendered config; their weakened
    # states (each a different way to fail) are in tests/unit/test_audit_servers.py.
    vendor_rules = {
        r for r in level2_rules() if r.startswith(("CIS-", "L2-")) and not r.startswith("L2-SRV-")
    }
    assert {r: n for r, n in counts.items() if n < 2} == {}
    assert vendor_rules - set(counts) == set()  # every rule in the data has its disguises
    assert set(counts) <= set(level2_rules())


@pytest.mark.parametrize("base", sorted(BASES))
def test_the_bases_are_clean_but_for_the_whitebox_gaps(base: str) -> None:
    found = {rule for rule, _ in _found(_base_text(base), base)}
    gaps = {"L2-FLOW-02", "L2-MGMT-03", "L2-AAA-01", "L2-AAA-05", "L2-AAA-06", "L2-SNMP-01", "L2-NTP-01",
            "L2-BANNER-01", "L2-LOG-01"}  # fmt: skip
    assert found == (gaps if base == "frr-fw" else set())


@pytest.mark.parametrize("disguise", DISGUISES, ids=[f"{d['rule']}:{d['name']}" for d in DISGUISES])
def test_a_disguised_violation_is_caught(disguise: dict[str, str]) -> None:
    base = _base_text(disguise["base"])
    assert base.count(disguise["old"]) == 1, "the edit must touch exactly one place of the rendered config"
    edited = base.replace(disguise["old"], disguise["new"])
    new = _found(edited, disguise["base"]) - _found(base, disguise["base"])
    assert disguise["rule"] in {rule for rule, _ in new}, sorted(new)


@pytest.mark.parametrize(
    "disguise",
    [d for d in DISGUISES if d["name"] in ("access-class outbound only", "groups padded with all")],
    ids=lambda d: d["name"],
)
def test_check_config_fires_on_a_disguised_file(tmp_path: Path, capsys, disguise: dict[str, str]) -> None:
    platform, role = BASES[disguise["base"]]
    path = tmp_path / "running.txt"
    path.write_text(_base_text(disguise["base"]).replace(disguise["old"], disguise["new"]), encoding="utf-8")
    args = ["check", "--inventory", str(INVENTORY), "--config", str(path), "--platform", platform]
    assert main([*args, "--role", role, "--site", BEN_THANH]) == 1
    out = capsys.readouterr().out
    assert f"{disguise['rule']} " in out and f"{BEN_THANH} running.txt" in out


def test_check_config_on_a_clean_file(capsys) -> None:
    fw = GOLDEN / f"hcm-{BEN_THANH}-fw.conf"
    assert main(["check", "--inventory", str(INVENTORY), "--config", str(fw), "--platform", "fortios"]) == 0
    assert capsys.readouterr().out.strip() == "checked 0 sites, 1 devices: no findings"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--platform", "junos"], "--platform junos: give one of"),
        (["--platform", "cisco_iosxe"], "--role: a cisco_iosxe config may be any of core, access"),
        (["--platform", "fortios", "--role", "core"], "--role core: a fortios device is one of firewall"),
        (["--platform", "cisco_iosxe", "--role", "core"], "does not look like a cisco_iosxe config"),
    ],
)
def test_check_config_refuses_bad_input(capsys, args: list[str], says: str) -> None:
    fw = GOLDEN / f"hcm-{BEN_THANH}-fw.conf"
    assert main(["check", "--inventory", str(INVENTORY), "--config", str(fw), *args]) == 2
    assert says in capsys.readouterr().err


def test_check_config_names_a_missing_file(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nope.cfg"
    args = ["check", "--config", str(missing), "--platform", "fortios", "--inventory", str(INVENTORY)]
    assert main(args) == 2
    assert f"{missing}: no such file" in capsys.readouterr().err
