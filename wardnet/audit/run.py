"""One audit run: select devices (sites, shard), collect, back up (one git commit per run), compare each
device with its intended config, apply the inventory's ignore rules, run the level-2 rule pack on what each
device runs. Returns an AuditRun; reports,
history and remediation are the caller's next steps."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from wardnet.audit.collect import Collected, collect
from wardnet.audit.model import AuditRun, DeviceAudit
from wardnet.audit.servers import ServerCollected, ServerTarget
from wardnet.deploy.backups import BackupStore
from wardnet.deploy.targets import Credentials, Target
from wardnet.design import SiteDesign
from wardnet.inventory import Inventory


@dataclass(frozen=True)
class AuditRequest:
    inventory: Path
    sites: tuple[str, ...] = ()
    all: bool = False
    lab: bool = False
    shard: str = ""  # "K/N"
    servers: bool = False  # also each site's servers, against their roles (wardnet/audit/servers.py)
    workers: int = 16
    state_dir: Path = Path("build")
    credentials: Credentials = field(default_factory=Credentials.from_environment)
    today: date | None = None


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def select(request: AuditRequest) -> tuple[Inventory, list[SiteDesign]]:
    from wardnet.audit.shard import parse_shard, pick
    from wardnet.inventory import load_inventory
    from wardnet.pipeline import designs

    inventory = load_inventory(request.inventory)
    chosen = designs(inventory, None if request.all else list(request.sites))
    if request.shard:
        k, n = parse_shard(request.shard)
        mine = pick({d.plan.site.code: len(d.devices) for d in chosen}, k, n)
        chosen = [d for d in chosen if d.plan.site.code in mine]
    return inventory, chosen


def targets_for(request: AuditRequest, inventory: Inventory, chosen: list[SiteDesign]) -> list[Target]:
    from wardnet.deploy.hostkeys import store_path
    from wardnet.deploy.targets import site_targets

    lab_inventory = request.inventory if request.lab else None
    known_hosts = store_path(request.state_dir)  # audit trusts the same enrolled keys as deploy
    return site_targets(chosen, inventory.baseline, request.credentials, lab_inventory, known_hosts)


def deploying(locks: Path, sites: set[str]) -> dict[str, str]:
    """Sites a deploy holds now → why their devices are not audited: a config mid-change is not drift."""
    from wardnet.deploy.lock import held_by

    busy = {code: held_by(locks, code) for code in sorted(sites)}
    return {
        code: f"deploy in progress ({holder.describe()}): audited by the next run"
        for code, holder in busy.items()
        if holder is not None
    }


def backup(
    store: BackupStore, collected: list[Collected], run_id: str, servers: list[ServerCollected] | None = None
) -> tuple[str, str]:
    """Oxidized-style: every running config that could be read, and each server's managed files, one
    commit per run; returns its id and, when the store could not keep them (a full disk, a broken
    repository), why: the audit still reports."""
    from wardnet.audit.servers import backup_servers

    read = [c for c in collected if not c.error]
    try:
        for item in read:
            store.write(item.target.site, item.target.name, item.target.platform, item.running)
        read_servers = backup_servers(store, servers or [])
        if read or read_servers:
            missing = len(collected) - len(read) + len(servers or []) - read_servers
            also = f", {read_servers} servers' managed files" if servers else ""
            store.commit(f"audit {run_id}: {len(read)} running configs{also} ({missing} not reachable)")
        return store.head(), ""
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr.strip()[-300:] if isinstance(exc, subprocess.CalledProcessError) else str(exc)
        return "", f"backup of the running configs failed: {detail or exc}"


def compare(collected: list[Collected], inventory: Inventory, today: date) -> tuple[list[DeviceAudit], list]:  # type: ignore[type-arg]
    from wardnet.audit.compare import audit_device
    from wardnet.audit.ignores import load_ignores
    from wardnet.checks.expect import Expect

    rules, expired = load_ignores(inventory, today)
    expect = Expect.from_baseline(inventory.baseline)
    devices = []
    for item in collected:
        t = item.target
        if item.error:
            devices.append(DeviceAudit(t.name, t.site, t.platform, t.role, "not-audited", error=item.error))
            continue
        devices.append(
            audit_device(
                t.name,
                t.site,
                t.platform,
                t.role,
                intended=item.intended,
                running=item.running,
                rules=rules,
                defaults=item.defaults,
                expect=expect,
                checked=item.checked,
            )
        )
    return devices, expired


def server_targets_for(request: AuditRequest, chosen: list[SiteDesign]) -> list[ServerTarget]:
    from wardnet.audit.servers import server_targets

    if not request.servers:
        return []
    lab_inventory = request.inventory if request.lab else None
    return server_targets(chosen, request.state_dir, request.credentials.username, lab_inventory)


def collect_all(
    request: AuditRequest, targets: list[Target], servers: list[ServerTarget], busy: dict[str, str]
) -> tuple[list[Collected], list[ServerCollected]]:
    """Devices (Nornir's pool) and servers (ansible-playbook per server) collected side by side."""
    from concurrent.futures import ThreadPoolExecutor

    from wardnet.audit.servers import ServerCollected, collect_servers

    idle = [s for s in servers if s.site not in busy]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(collect_servers, idle, request.inventory)
        collected = collect(
            [t for t in targets if t.site not in busy],
            request.workers,
            request.state_dir / "audit" / "canonical",
        )
        server_items = pending.result()
    collected += [Collected(t, error=busy[t.site]) for t in targets if t.site in busy]
    server_items += [ServerCollected(s, error=busy[s.site]) for s in servers if s.site in busy]
    return collected, server_items


def run_audit(request: AuditRequest) -> tuple[AuditRun, list[Target]]:
    run, targets, _ = run_audit_all(request)
    return run, targets


def run_audit_all(request: AuditRequest) -> tuple[AuditRun, list[Target], list[ServerTarget]]:
    """The audit of devices and (with request.servers) servers; the server targets are for remediation."""
    from wardnet.audit.ignores import load_ignores
    from wardnet.audit.servers import audit_server
    from wardnet.checks.expect import Expect

    inventory, chosen = select(request)
    targets = targets_for(request, inventory, chosen)
    servers = server_targets_for(request, chosen)
    started = now()
    run_id = started.strftime("%Y%m%dT%H%M%SZ")
    busy = deploying(request.state_dir / "locks", {t.site for t in targets} | {s.site for s in servers})
    collected, server_items = collect_all(request, targets, servers, busy)
    commit, backup_error = backup(BackupStore(request.state_dir / "backups"), collected, run_id, server_items)
    today = request.today or started.date()
    devices, expired = compare(collected, inventory, today)
    if server_items:
        rules, _ = load_ignores(inventory, today)
        expect = Expect.from_baseline(inventory.baseline)
        devices += [audit_server(item, rules, expect) for item in server_items]
    run = AuditRun(
        run_id=run_id,
        started=started.isoformat(),
        finished=now().isoformat(),
        devices=devices,
        expired_ignores=expired,
        shard=request.shard,
        backup_commit=commit,
        backup_error=backup_error,
    )
    return run, targets, servers
