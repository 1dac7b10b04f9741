"""A deploy run: check gate, site locks, canary then batches through Nornir's thread pool, failure budget."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nornir.core.inventory import Host
from nornir.core.task import AggregatedResult, MultiResult, Result, Task

from wardnet.deploy.backups import BackupStore
from wardnet.deploy.device import DeviceResult, Options, deploy_device
from wardnet.deploy.site import NocProbe, deploy_site
from wardnet.deploy.targets import Target
from wardnet.findings import ExitCode
from wardnet.nornir_inventory import nornir_for
from wardnet.progress import Tracker

OnDone = Callable[[DeviceResult], None]


@dataclass(frozen=True)
class Plan:
    canary: str | None = None
    batch: int = 1  # sites per batch after the canary
    max_failures: int = 0  # failed devices tolerated before the rollout stops
    workers: int = 8


def stages(codes: list[str], plan: Plan) -> list[list[str]]:
    rest = [c for c in codes if c != plan.canary]
    first = [[plan.canary]] if plan.canary in codes else []
    return first + [rest[i : i + plan.batch] for i in range(0, len(rest), max(plan.batch, 1))]


def _task(task: Task, options: Options, store: BackupStore) -> Result:
    target: Target = task.host.data["target"]
    result = deploy_device(target, options, lambda t, text: store.write(t.site, t.name, t.platform, text))
    return Result(host=task.host, result=result, changed=result.changed, failed=result.status == "failed")


class Watcher:
    """Nornir processor: each finished device advances the progress bar and reaches `on_done`."""

    def __init__(self, tracker: Tracker, on_done: OnDone | None) -> None:
        self.tracker, self.on_done = tracker, on_done

    def task_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        value = result[0].result
        if isinstance(value, DeviceResult):
            self.finished(value)

    def finished(self, value: DeviceResult) -> None:
        self.tracker.advance(f"{value.name} {value.status}")
        if self.on_done is not None:
            self.on_done(value)

    # The rest of Nornir's Processor protocol: nothing to do.
    def task_started(self, task: Task) -> None: ...
    def task_completed(self, task: Task, result: AggregatedResult) -> None: ...
    def task_instance_started(self, task: Task, host: Host) -> None: ...
    def subtask_instance_started(self, task: Task, host: Host) -> None: ...
    def subtask_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None: ...


def run_stage(
    targets: list[Target],
    options: Options,
    store: BackupStore,
    workers: int,
    watcher: Watcher | None = None,
    *,
    probe: NocProbe | None = None,
) -> list[DeviceResult]:
    if options.commit and not options.per_device:
        return _run_sites(targets, options, store, workers, watcher, probe=probe)
    nornir = nornir_for(targets, workers, [watcher] if watcher else [])
    results = nornir.run(task=_task, options=options, store=store, on_failed=True)
    out = []
    for target in targets:
        multi = results[target.name]
        value = multi[0].result
        if not isinstance(value, DeviceResult):  # an exception escaped the task (a bug): still report it
            value = DeviceResult(target.name, target.site, False, "failed", str(multi[0].exception or value))
        out.append(value)
    return out


def _run_sites(
    targets: list[Target],
    options: Options,
    store: BackupStore,
    workers: int,
    watcher: Watcher | None = None,
    *,
    probe: NocProbe | None = None,
) -> list[DeviceResult]:
    """Each site of the stage as one transaction (wardnet/deploy/site.py), sites side by side."""
    codes = list(dict.fromkeys(t.site for t in targets))

    def one(code: str) -> list[DeviceResult]:
        mine = [t for t in targets if t.site == code]
        backup = lambda t, text: store.write(t.site, t.name, t.platform, text)  # noqa: E731
        done = deploy_site(mine, options, backup, probe, workers=max(1, workers // max(1, len(codes))) or 1)
        if watcher is not None:
            for result in done:
                watcher.finished(result)
        return done

    with ThreadPoolExecutor(max(1, min(len(codes), workers))) as pool:
        by_site = dict(zip(codes, pool.map(one, codes), strict=True))
    order = {t.name: i for i, t in enumerate(targets)}
    return sorted((r for code in codes for r in by_site[code]), key=lambda r: order.get(r.name, 0))


def deploy(
    targets: list[Target],
    plan: Plan,
    options: Options,
    store: BackupStore,
    on_done: OnDone | None = None,
    *,
    probe: NocProbe | None = None,
) -> list[DeviceResult]:
    """Staged rollout; with --commit each site is one transaction unless options.per_device."""
    with Tracker(len(targets), "deploy" if options.commit else "dry-run") as tracker:
        return _staged(targets, plan, options, store, Watcher(tracker, on_done), probe=probe)


def _staged(
    targets: list[Target],
    plan: Plan,
    options: Options,
    store: BackupStore,
    watcher: Watcher,
    *,
    probe: NocProbe | None = None,
) -> list[DeviceResult]:
    codes = list(dict.fromkeys(t.site for t in targets))
    results: list[DeviceResult] = []
    failures = 0
    for number, stage in enumerate(stages(codes, plan)):
        if failures > plan.max_failures:
            results += [
                DeviceResult(t.name, t.site, False, "skipped", "rollout stopped: failure budget spent")
                for t in targets
                if t.site in stage
            ]
            continue
        label = "canary" if plan.canary and number == 0 else f"batch {number + (0 if plan.canary else 1)}"
        print(f"{label}: {', '.join(stage)}", file=sys.stderr)
        mine = [t for t in targets if t.site in stage]
        done = run_stage(mine, options, store, plan.workers, watcher, probe=probe)
        failures += sum(1 for r in done if r.status in ("failed", "rolled-back", "refused"))
        results += done
    if options.commit:
        store.commit(f"deploy backups: {', '.join(codes)} (running configs before the change)")
    return results


def report(results: list[DeviceResult], commit: bool, json_path: Path | None) -> int:
    for result in results:
        if result.diff:
            print(f"=== {result.name}")
            print(result.diff, end="" if result.diff.endswith("\n") else "\n")
    width = max([len(r.name) for r in results] + [6])
    print(f"\n{'DEVICE'.ljust(width)}  {'SITE':<6} {'STATUS':<13} ERROR")
    for r in results:
        print(f"{r.name.ljust(width)}  {r.site:<6} {r.status:<13} {r.error}".rstrip())
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    changed = sum(1 for r in results if r.changed)
    mode = "commit" if commit else "dry-run (nothing changed; add --commit to push)"
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"{mode}: {len(results)} devices, {changed} changed: {summary}")
    if results and all(r.status == "unchanged" for r in results):
        print("nothing to change: every device already runs its intended config")
    for r in results:
        if r.enrolled:
            print(f"enrolled on first contact (--accept-new): {r.name} {r.enrolled}")
    for r in results:
        if r.status == "refused" and r.error.startswith("SECURITY"):
            print(f"{r.name}: {r.error}")
    if json_path is not None:
        write_json(results, commit, json_path)
    return exit_code(results)


def write_json(results: list[DeviceResult], commit: bool, path: Path) -> None:
    """Per-device results for CI and AWX: name, site, changed, status, error, diff (secrets masked)."""
    payload: dict[str, Any] = {"commit": commit, "devices": [r.as_dict() for r in results]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")


def exit_code(results: list[DeviceResult]) -> int:
    """0 all good, 1 some devices failed, were refused, rolled back or skipped, 2 every device failed."""
    if results and all(r.status in ("failed", "refused") for r in results):
        return ExitCode.NOT_RUN
    bad = any(r.status in ("failed", "rolled-back", "refused", "skipped") for r in results)
    return ExitCode.FINDINGS if bad else ExitCode.OK
