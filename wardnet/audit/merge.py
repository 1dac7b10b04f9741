"""`wardnet audit merge`: the shards' report.json files (one per runner of `--shard K/N`) into one run.

Shards split whole sites, so a device in two files means two runners audited the same sites (the same
K twice, or shards of different inventories): that is refused, never silently deduplicated.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

from wardnet.audit.model import AuditRun, DeviceAudit, IgnoreRule, Status

STATUSES = get_args(Status)


class MergeError(ValueError):
    pass


def merge_files(paths: list[Path]) -> AuditRun:
    if not paths:
        raise MergeError("no shard files given: pass each shard's report.json")
    twice = [p for i, p in enumerate(paths) if p.resolve() in {q.resolve() for q in paths[:i]}]
    if twice:
        raise MergeError(f"{twice[0]}: the same shard file is given twice")
    shards = [(path, read_shard(path)) for path in paths]
    _check_complete(shards)
    first = min(shards, key=lambda shard: _instant(shard[1].started))[1]
    run_ids = {run.run_id for _, run in shards}
    commits = list(dict.fromkeys(run.backup_commit for _, run in shards if run.backup_commit))
    return AuditRun(
        run_id=run_ids.pop() if len(run_ids) == 1 else first.run_id,
        started=first.started,
        finished=max((run.finished for _, run in shards), key=_instant),
        devices=sorted(_devices(shards), key=lambda d: d.site),  # stable: shard order within a site
        expired_ignores=_expired(shards),
        shard="",
        backup_commit=",".join(commits),
    )


def read_shard(path: Path) -> AuditRun:
    """One shard's report.json (or `--json` output), with every problem named against the file."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MergeError(f"{path}: cannot read the shard file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise MergeError(f"{path}: not UTF-8 text, not a report.json") from exc
    except json.JSONDecodeError as exc:
        raise MergeError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise MergeError(
            f"{path}: expected a JSON object (an audit's report.json), found {type(data).__name__}"
        )
    try:
        run = AuditRun.from_dict(data)
        for stamp in (run.started, run.finished):
            _instant(stamp)
    except KeyError as exc:
        raise MergeError(f"{path}: not an audit report: the field {exc} is missing") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise MergeError(f"{path}: not an audit report: {exc}") from exc
    for device in run.devices:
        if device.status not in STATUSES:
            raise MergeError(f"{path}: device {device.name}: unknown status {device.status!r}")
    return run


def _check_complete(shards: list[tuple[Path, AuditRun]]) -> None:
    """Shards of one run say K/N: all N must be here, or a partial city would enter the history as whole."""
    marked = [(path, run.shard.split("/")) for path, run in shards if run.shard]
    totals = {int(n) for _, (_, n) in marked}
    if len(totals) > 1:
        raise MergeError(
            f"shards of different splits ({', '.join(f'/{n}' for n in sorted(totals))}): "
            "merge the shards of one run"
        )
    if totals:
        total = totals.pop()
        missing = sorted(set(range(1, total + 1)) - {int(k) for _, (k, _) in marked})
        if missing:
            listed = ", ".join(f"{k}/{total}" for k in missing)
            raise MergeError(
                f"shard {listed} missing: pass every shard's report.json (a partial city would "
                "enter the history as a whole run)"
            )


def _instant(stamp: str) -> datetime:
    """ISO 8601 to an aware datetime, so shards are ordered by time, not by how their stamps are written."""
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _devices(shards: list[tuple[Path, AuditRun]]) -> list[DeviceAudit]:
    seen: dict[str, Path] = {}
    devices: list[DeviceAudit] = []
    for path, run in shards:
        for device in run.devices:
            if device.name in seen:
                raise MergeError(
                    f"device {device.name} is in both {seen[device.name]} and {path}: "
                    "each shard file must be given once, from runners with the same N"
                )
            seen[device.name] = path
            devices.append(device)
    return devices


def _expired(shards: list[tuple[Path, AuditRun]]) -> list[IgnoreRule]:
    """Every shard reads the same inventory, so each expired rule comes once per shard: keep the first."""
    rules: dict[str, IgnoreRule] = {}
    for _, run in shards:
        for rule in run.expired_ignores:
            rules.setdefault(rule.id, rule)
    return list(rules.values())
