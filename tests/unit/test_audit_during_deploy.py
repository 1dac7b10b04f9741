"""An audit that starts while a deploy holds the site: its devices are not read mid-change, and say why."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.audit.run import AuditRequest, run_audit
from wardnet.deploy.lock import site_locks


def test_devices_of_a_site_being_deployed_are_marked_not_audited(tmp_path: Path) -> None:
    request = AuditRequest(inventory=INVENTORY, sites=(BEN_THANH,), state_dir=tmp_path)
    with site_locks(tmp_path / "locks", [BEN_THANH]):  # a deploy of Ben Thanh is running
        run, targets = run_audit(request)
    assert len(run.devices) == len(targets) == 7
    assert {d.status for d in run.devices} == {"not-audited"}
    assert all(d.error.startswith("deploy in progress (pid ") for d in run.devices)
    assert run.backup_commit == ""  # nothing was read, nothing backed up
