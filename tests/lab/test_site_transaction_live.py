"""A site as one transaction, live: a core change that cuts the access switches off from the NOC is rolled
back on the whole site, while the same change deployed device by device is confirmed (the core's own
management still answers)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.canonical import split_sections
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import Options
from wardnet.deploy.run import Plan, deploy
from wardnet.deploy.site import NocProbe
from wardnet.deploy.targets import Target, lab_noc_probe, lab_targets
from wardnet.lab.manager import Lab

pytestmark = pytest.mark.lab

CORE, ACC1 = f"hcm-{BEN_THANH}-core", f"hcm-{BEN_THANH}-acc1"
MGMT_TRUNK = "trunks=10,15,20,21,30,40,50,70"  # the core's downlinks to the access switches
CUT_TRUNK = "trunks=15,20,21,30,40,50,70"  # the same without the management VLAN


@pytest.fixture
def probe(intended: Lab, env: Path) -> NocProbe:
    return lab_noc_probe(INVENTORY, intended.inventory.baseline, wait=30)


def ovs(lab: Lab, name: str) -> str:
    return split_sections(lab.run(name, ["wardnet-node", "show"], capture_output=True).stdout)["ovs"]


def targets(lab: Lab) -> list[Target]:
    return lab_targets([lab.twin_design(BEN_THANH)], lab.ssh.config, lab.ssh.key)


def test_a_core_change_that_cuts_the_access_switches_is_rolled_back_on_the_whole_site(
    intended: Lab, probe: NocProbe, tmp_path: Path
) -> None:
    assert probe(next(t for t in targets(intended) if t.name == ACC1)) is None  # the NOC reaches acc1 now
    before = ovs(intended, CORE)
    assert before.count(MGMT_TRUNK) >= 4
    cut = [
        replace(t, intended=t.intended.replace(MGMT_TRUNK, CUT_TRUNK)) if t.name == CORE else t
        for t in targets(intended)
    ]
    options = Options(commit=True, confirm_timeout=90, neighbor_wait=15)

    results = deploy(cut, Plan(workers=8), options, BackupStore(tmp_path / "site"), probe=probe)
    by_name = {r.name: r for r in results}
    assert by_name[CORE].status == "rolled-back", by_name[CORE]
    assert f"{ACC1}: management" in by_name[CORE].error and "unreachable from the NOC" in by_name[CORE].error
    assert by_name[CORE].error.endswith("rolled back; the site is back as it was")
    assert {r.status for n, r in by_name.items() if n != CORE} == {"unchanged"}
    assert ovs(intended, CORE) == before
    assert probe(next(t for t in cut if t.name == ACC1)) is None

    # The same change device by device: the core's own checks pass, so it is confirmed and acc1 is cut off.
    alone = deploy(cut, Plan(workers=8), replace(options, per_device=True), BackupStore(tmp_path / "alone"))
    try:
        assert {r.name: r.status for r in alone}[CORE] == "committed"
        assert CUT_TRUNK in ovs(intended, CORE)
        assert probe(next(t for t in cut if t.name == ACC1)) is not None
    finally:  # put the designed core back (its own management still answers)
        restore = [t for t in targets(intended) if t.name == CORE]
        back = deploy(restore, Plan(), replace(options, per_device=True), BackupStore(tmp_path / "alone"))
        assert [r.status for r in back] == ["committed"]
    assert ovs(intended, CORE) == before
