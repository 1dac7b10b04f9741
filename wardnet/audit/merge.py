"""`wardnet audit merge`: the shards' report.json files (one per runner of `--shard K/N`) into one run.

Every file is read within limits and checked against the shard schema, and the set against itself
(complete, one split, no device twice), before the merged run exists: nothing is recorded or written for a
set with a single problem, and every problem of every file is named in one go. Shards split whole sites,
so a device in two files means two runners audited the same sites (the same K twice, or shards of
different inventories): that is refused, never silently deduplicated.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wardnet.audit.merge_schema import ShardIn
from wardnet.audit.model import AuditRun, IgnoreRule
from wardnet.audit.shard import parse_shard
from wardnet.errors import SECRET_FIELD, InputError, InputProblem, display_path, shown_value
from wardnet.yamlsrc import read_bounded

MAX_SHARD_BYTES = 32 * 1024 * 1024  # a city shard is a few MB; json.loads needs ~10x the file in memory
MAX_DEPTH = 16  # the schema nests 5 levels (run → devices → device → findings → finding)
FIX_SHARD = "give the report.json (or --json file) written by `wardnet audit --shard K/N`, unedited"


class MergeError(InputError):
    """The shard files cannot be merged; each problem names the file, the field and the fix."""


class _RefusedError(ValueError):
    pass


def merge_files(paths: list[Path]) -> AuditRun:
    if not paths:
        raise MergeError(
            [InputProblem("audit merge", "", "no shard files given", "give the shards' report.json files")]
        )
    problems: list[InputProblem] = []
    shards: list[tuple[Path, AuditRun]] = []
    seen: dict[Path, Path] = {}
    for path in paths:
        try:
            run = _read_shard(path)
        except InputError as exc:
            problems += exc.problems
            continue
        real = path.resolve()
        if real in seen:
            problems.append(_problem(path, "", f"the same shard file as {seen[real]}", "give each file once"))
            continue
        seen[real] = path
        shards.append((path, run))
    if not problems:
        problems = _check_complete(shards) + _check_devices(shards)
    if problems:
        raise MergeError(problems)
    first = min(shards, key=lambda shard: _instant(shard[1].started))[1]
    run_ids = {run.run_id for _, run in shards}
    commits = list(dict.fromkeys(c for _, run in shards for c in run.backup_commit.split(",") if c))
    return AuditRun(
        run_id=run_ids.pop() if len(run_ids) == 1 else first.run_id,
        started=first.started,
        finished=max((run.finished for _, run in shards), key=_instant),
        devices=sorted((d for _, run in shards for d in run.devices), key=lambda d: d.site),
        expired_ignores=_expired(shards),
        shard="",
        backup_commit=",".join(commits),
        backup_error="; ".join(dict.fromkeys(run.backup_error for _, run in shards if run.backup_error)),
    )


def _read_shard(path: Path) -> AuditRun:
    """One shard file, within limits and checked against the schema; MergeError lists what is wrong."""
    raw = read_bounded(path, MAX_SHARD_BYTES, what="shard file (report.json)")
    try:
        data: Any = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constants
        )
    except UnicodeDecodeError:
        raise MergeError([_problem(path, "", "is not UTF-8 text", FIX_SHARD)]) from None
    except json.JSONDecodeError as exc:
        message = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise MergeError([_problem(path, "", message, FIX_SHARD)]) from None
    except RecursionError:
        raise MergeError(
            [_problem(path, "", f"nested more than {MAX_DEPTH} levels deep", FIX_SHARD)]
        ) from None
    except ValueError as exc:  # _RefusedError, or an integer of thousands of digits
        raise MergeError([_problem(path, "", f"not a shard file: {exc}", FIX_SHARD)]) from None
    if _depth(data) > MAX_DEPTH:
        raise MergeError([_problem(path, "", f"nested more than {MAX_DEPTH} levels deep", FIX_SHARD)])
    if not isinstance(data, dict):
        found = type(data).__name__
        raise MergeError(
            [_problem(path, "", f"expected a JSON object (an audit's report.json), found {found}", FIX_SHARD)]
        )
    try:
        shard = ShardIn.model_validate(data)
    except ValidationError as exc:
        raise MergeError(_schema_problems(path, exc)) from None
    run = AuditRun.from_dict(shard.run_dict())
    twice = _twice([d.name for d in run.devices])
    if twice:
        raise MergeError([_problem(path, "devices", f"device {twice} is listed twice", FIX_SHARD)])
    return run


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _RefusedError(f"key {shown_value(key)} given twice in one object")
        result[key] = value
    return result


def _no_constants(name: str) -> None:
    raise _RefusedError(f"{name} is not a JSON number")


def _depth(data: Any) -> int:
    """Nesting depth without recursion (json.loads allows up to the interpreter's recursion limit)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _schema_problems(path: Path, exc: ValidationError) -> list[InputProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=True)[:20]:
        field = ".".join(str(part) for part in error["loc"])
        kind = error["type"]
        if kind == "missing":
            message, fix = "required field is missing", FIX_SHARD
        elif kind == "extra_forbidden":
            message, fix = "unknown field", "remove it: " + FIX_SHARD
        elif kind == "value_error":
            message, fix = error["msg"].removeprefix("Value error, "), FIX_SHARD
        else:
            value = shown_value(error.get("input"), secret=bool(SECRET_FIELD.search(field)))
            message = f"{error['msg'][:1].lower()}{error['msg'][1:]}, got {value}"
            fix = FIX_SHARD
        problems.append(_problem(path, field, message, fix))
    if exc.error_count() > 20:
        problems.append(_problem(path, "", f"... and {exc.error_count() - 20} more problems", FIX_SHARD))
    return problems


def _problem(path: Path, field: str, message: str, fix: str) -> InputProblem:
    return InputProblem(display_path(path), field, message, fix)


def _twice(names: list[str]) -> str | None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def _check_complete(shards: list[tuple[Path, AuditRun]]) -> list[InputProblem]:
    """Shards of one run say K/N: all N must be here, or a partial city would enter the history as whole."""
    marked = [(path, *parse_shard(run.shard)) for path, run in shards if run.shard]
    if not marked:
        return []
    path = marked[0][0]
    if len(marked) != len(shards):
        whole = next(p for p, run in shards if not run.shard)
        return [_problem(whole, "shard", "a whole run mixed with shards", "merge the shards of one run only")]
    totals = sorted({n for _, _, n in marked})
    if len(totals) > 1:
        listed = ", ".join(f"/{n}" for n in totals)
        return [
            _problem(path, "shard", f"shards of different splits ({listed})", "merge the shards of one run")
        ]
    total = totals[0]
    given: dict[int, Path] = {}
    for shard_path, k, _ in marked:
        if k in given:
            return [
                _problem(
                    shard_path,
                    "shard",
                    f"shard {k}/{total} is also {display_path(given[k])}",
                    "give each shard once",
                )
            ]
        given[k] = shard_path
    missing = [k for k in range(1, total + 1) if k not in given]
    if missing:
        listed = ", ".join(f"{k}/{total}" for k in missing[:10]) + (" …" if len(missing) > 10 else "")
        return [
            _problem(
                path,
                "shard",
                f"shard {listed} missing: a partial city would enter the history as a whole run",
                "pass every shard's report.json",
            )
        ]
    return []


def _instant(stamp: str) -> datetime:
    """ISO 8601 to an aware datetime, so shards are ordered by time, not by how their stamps are written."""
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_devices(shards: list[tuple[Path, AuditRun]]) -> list[InputProblem]:
    seen: dict[str, Path] = {}
    for path, run in shards:
        for device in run.devices:
            if device.name in seen:
                return [
                    _problem(
                        path,
                        "devices",
                        f"device {device.name} is in both {display_path(seen[device.name])} and this file",
                        "each shard file must be given once, from runners with the same N",
                    )
                ]
            seen[device.name] = path
    return []


def _expired(shards: list[tuple[Path, AuditRun]]) -> list[IgnoreRule]:
    """Every shard reads the same inventory, so each expired rule comes once per shard: keep the first."""
    rules: dict[str, IgnoreRule] = {}
    for _, run in shards:
        for rule in run.expired_ignores:
            rules.setdefault(rule.id, rule)
    return list(rules.values())
