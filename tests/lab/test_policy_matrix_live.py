"""The policy matrix by real packets (issue 18 item 2), live on Bến Thành's twin: clean after a deploy, a
rule opening guest → management is caught naming the cell, and a deploy carrying that rule is rolled back."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.canonical import split_sections
from wardnet.cli import main
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import Options
from wardnet.deploy.run import Plan, deploy
from wardnet.deploy.targets import lab_site_probe, lab_targets
from wardnet.lab.manager import Lab
from wardnet.lab.verify import verify_site

pytestmark = pytest.mark.lab

FW, ACC1 = f"hcm-{BEN_THANH}-fw", f"hcm-{BEN_THANH}-acc1"
GUEST_VLAN = "vlan50"  # GUEST-WIFI (inventories/group_vars/all/baseline.yml)
ANCHOR = '\t\tiif "lo" accept\n'  # the firewall's input chain, as nft lists it
OPEN_GUEST_SSH = f'\t\tiifname "{GUEST_VLAN}" tcp dport 22 accept\n'


def nft(lab: Lab, name: str) -> str:
    return split_sections(lab.run(name, ["wardnet-node", "show"], capture_output=True).stdout)["nftables"]


def cell(results: list[dict], src: str, dst: str, what: str, family: int) -> list[dict]:
    return [
        r
        for r in results
        if (r["source_zone"], r["destination"], r["what"], r["family"]) == (src, dst, what, family)
    ]


def test_a_deployed_site_passes_the_whole_matrix(intended: Lab, env: Path, capsys) -> None:
    code = main(["lab", "verify", "--site", BEN_THANH, "--report", str(env / "report")])
    text = capsys.readouterr().out
    assert code == 0, text
    data = json.loads((env / "report" / f"matrix-{BEN_THANH}.json").read_text())
    assert data["mismatches"] == 0 and data["probes"] > 1000
    results = data["results"]
    for family in (4, 6):  # the management plane, both families
        for device in (FW, ACC1):
            guest = cell(results, "guest", device, "tcp/22", family)
            assert [(r["expected"], r["seen"] != "open") for r in guest] == [("refused", True)], guest
            noc = cell(results, "noc", device, "tcp/22", family)
            assert [(r["expected"], r["seen"]) for r in noc] == [("cross", "open")], noc
        web = cell(results, "staff", f"hcm-{BEN_THANH}-ep-servers", "tcp/443", family)
        assert {(r["expected"], r["seen"]) for r in web} == {("cross", "open")}  # wired and Wi-Fi staff
        ping = cell(results, "staff", f"hcm-{BEN_THANH}-ep-servers", "icmp", family)
        assert {(r["expected"], r["seen"]) for r in ping} == {("refused", "timeout")}
    assert "MISMATCH" not in text and f"site {BEN_THANH}:" in text


def test_a_rule_opening_guest_to_management_fails_the_matrix_naming_the_cell(intended: Lab) -> None:
    add = f'insert rule inet wardnet input iifname "{GUEST_VLAN}" tcp dport 22 accept comment "injected"'
    intended.run(FW, ["nft", add], check=True)
    try:
        result = verify_site(intended, BEN_THANH)
    finally:
        handles = intended.run(
            FW, ["nft", "-a", "list", "chain", "inet", "wardnet", "input"], capture_output=True
        )
        handle = next(line for line in handles.stdout.splitlines() if '"injected"' in line).split()[-1]
        intended.run(FW, ["nft", "delete", "rule", "inet", "wardnet", "input", "handle", handle], check=True)
    bad = {(o.probe.src.zone, o.probe.dst.name, o.probe.what, o.probe.family) for o in result.mismatches}
    assert bad == {("guest", FW, "tcp/22", 4), ("guest", FW, "tcp/22", 6)}, result.as_text()
    assert f"MISMATCH guest -> mgmt tcp/22 (ssh) IPv4: hcm-{BEN_THANH}-ep-guest-wifi" in result.as_text()
    assert "must be refused (default deny), seen open" in result.as_text()


def test_a_deploy_that_opens_guest_to_management_is_rolled_back(intended: Lab, env: Path) -> None:
    before = nft(intended, FW)
    assert ANCHOR in before and OPEN_GUEST_SSH not in before
    targets = [
        replace(t, intended=t.intended.replace(ANCHOR, ANCHOR + OPEN_GUEST_SSH, 1)) if t.name == FW else t
        for t in lab_targets([intended.twin_design(BEN_THANH)], intended.ssh.config, intended.ssh.key)
    ]
    probe = lab_site_probe(INVENTORY, intended.inventory.baseline, wait=30)
    options = Options(commit=True, confirm_timeout=180, neighbor_wait=15)

    results = deploy(targets, Plan(workers=8), options, BackupStore(env / "backups"), probe=probe)

    by_name = {r.name: r for r in results}
    assert by_name[FW].status == "rolled-back", by_name[FW]
    assert f"{FW}: policy matrix: 2 probes differ from the design: guest -> mgmt tcp/22" in by_name[FW].error
    assert by_name[FW].error.endswith("rolled back; the site is back as it was"), by_name[FW].error
    assert {r.status for n, r in by_name.items() if n != FW} == {"unchanged"}
    assert nft(intended, FW) == before
    assert not verify_site(intended, BEN_THANH).mismatches
