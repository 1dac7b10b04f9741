"""`--remediate --commit`: drifted devices go through the deploy path (backup, replace with the intended
config under a revert timer, post-checks, confirm or roll back), so a fix is as safe as a deploy."""

from __future__ import annotations

from pathlib import Path

from wardnet.audit.model import AuditRun
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import DeviceResult, Options
from wardnet.deploy.lock import site_locks
from wardnet.deploy.run import Plan, deploy
from wardnet.deploy.targets import Target


def apply(
    run: AuditRun, targets: list[Target], state_dir: Path, confirm_timeout: int = 120, workers: int = 8
) -> list[DeviceResult]:
    """Replace drifted devices' configs. A device that also carries accepted (ignored) drift is skipped:
    a replace would revert what an ignore rule accepts; its remediation is shown for a manual change."""
    by_name = {t.name: t for t in targets}
    drifted = [d for d in run.devices if d.status == "drift" and d.name in by_name]  # servers: servers.py
    results: list[DeviceResult] = []
    fixable = []
    for device in drifted:
        accepted = sorted({f.ignored_by for f in device.findings if f.ignored_by})
        if accepted:
            why = f"carries accepted drift ({', '.join(accepted)}): apply its remediation by hand"
            results.append(DeviceResult(device.name, device.site, False, "skipped", why))
        else:
            fixable.append(by_name[device.name])
    if fixable:
        with site_locks(state_dir / "locks", [t.site for t in fixable]):
            results += deploy(
                fixable,
                Plan(workers=workers, batch=len(fixable), max_failures=len(fixable)),
                Options(commit=True, confirm_timeout=confirm_timeout, per_device=True),  # drifted ones only
                BackupStore(state_dir / "backups"),
            )
    return results
