"""One deploy job, the same for the CLI and the Ansible module: select sites, check gate, targets,
site locks, staged run. Returns the results and an exit code; printing is the caller's business."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wardnet.deploy import hostkeys
from wardnet.deploy.device import DeviceResult, Options
from wardnet.deploy.run import Plan, exit_code
from wardnet.deploy.targets import Credentials, Target, lab_site_probe, site_targets
from wardnet.findings import ExitCode


@dataclass(frozen=True)
class DeployRequest:
    inventory: Path
    sites: tuple[str, ...] = ()
    all: bool = False
    lab: bool = False
    plan: Plan = field(default_factory=Plan)
    options: Options = field(default_factory=Options)
    state_dir: Path = Path("build")
    accept_new: bool = False  # enrol the host key of a device not yet in the store (recorded in results)
    credentials: Credentials = field(default_factory=Credentials.from_environment)
    break_lock: bool = False  # take over a stale lock another host left (see wardnet.deploy.lock)


@dataclass
class DeployOutcome:
    code: int
    results: list[DeviceResult] = field(default_factory=list)
    message: str = ""  # why nothing ran (check gate, lock, bad request)
    findings_text: str = ""  # the check gate's findings, when it failed


def execute(request: DeployRequest, on_done: Callable[[DeviceResult], None] | None = None) -> DeployOutcome:
    from wardnet.checks.run import as_text, check_designs
    from wardnet.deploy.backups import BackupError, BackupStore
    from wardnet.deploy.lock import SiteLockedError, site_locks
    from wardnet.deploy.run import deploy
    from wardnet.pipeline import build, designs

    if not request.all and not request.sites:
        return DeployOutcome(ExitCode.NOT_RUN, message="give --site CODE (repeatable) or --all")
    inventory, everything = build(request.inventory)
    selected = everything if request.all else designs(inventory, list(request.sites))
    codes = [d.plan.site.code for d in selected]
    if request.plan.canary and request.plan.canary not in codes:
        message = f"canary {request.plan.canary} is not among the targeted sites"
        return DeployOutcome(ExitCode.NOT_RUN, message=message)
    findings = check_designs(selected, everything, inventory.baseline)
    if findings:  # the gate: nothing unchecked reaches a device
        text = as_text(findings, len(selected), sum(len(d.devices) for d in selected))
        message = "the check gate failed; nothing was pushed"
        return DeployOutcome(ExitCode.NOT_RUN, message=message, findings_text=text)
    lab_inventory = request.inventory if request.lab else None
    known_hosts = hostkeys.store_path(request.state_dir)
    targets = site_targets(selected, inventory.baseline, request.credentials, lab_inventory, known_hosts)
    store = BackupStore(request.state_dir / "backups")
    if request.options.commit:
        try:
            store.preflight()
        except BackupError as exc:
            return DeployOutcome(ExitCode.NOT_RUN, message=f"{exc.strerror}; nothing was pushed")
    try:
        with site_locks(request.state_dir / "locks", codes, break_lock=request.break_lock):
            enrolled = _accept_new(targets, known_hosts) if request.accept_new and not request.lab else {}
            probe = None
            if request.lab and request.options.commit and not request.options.per_device:
                probe = lab_site_probe(request.inventory, inventory.baseline, request.options.neighbor_wait)
            results = deploy(targets, request.plan, request.options, store, on_done, probe=probe)
    except SiteLockedError as exc:
        return DeployOutcome(ExitCode.NOT_RUN, message=str(exc))
    for result in results:
        result.enrolled = enrolled.get(result.name, "")
    return DeployOutcome(exit_code(results), results)


def _accept_new(targets: list[Target], known_hosts: Path) -> dict[str, str]:
    """--accept-new: the key of each device the store does not know yet, enrolled before any login.
    A device whose key differs from the enrolled one is left alone: its connection will refuse it."""
    devices = [(t.name, t.host, int(t.optional_args.get("port", 22))) for t in targets]
    done = hostkeys.enroll(known_hosts, devices, "deploy --accept-new")
    return {e.name: e.detail for e in done if e.status == "added"}
