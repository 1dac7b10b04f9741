"""Before a decommission: every reason to refuse, found without changing anything, and the dry-run plan."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from wardnet.systems import edit, pg, services
from wardnet.systems.catalogue import LoadedCatalogue
from wardnet.systems.check import check_catalogue
from wardnet.systems.models import Database, Retired, System
from wardnet.systems.run import Options, Outcome, RefusedError, Run, Step

PLACEHOLDER = Retired(date=date(2000, 1, 1), archive="/archive/preflight", manifest_sha256="0" * 64)


def server_of(database: Database) -> pg.Server:
    return pg.Server(database.host, database.port)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _writable(path: Path) -> bool:
    """Whether path can be created or written: the nearest existing folder must be writable."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)


def preflight(loaded: LoadedCatalogue, options: Options, today: date) -> System:
    system = loaded.catalogue.get(options.system)
    if system is None:
        known = ", ".join(s.id for s in loaded.catalogue.systems if s.status == "retire") or "none"
        raise RefusedError([f"no system {options.system!r} in {loaded.shown} (systems to retire: {known})"])
    if system.status == "retired" and system.retired is not None:
        raise RefusedError(
            [f"{system.id} was retired on {system.retired.date}; archive {system.retired.archive}"]
        )
    if system.status != "retire":
        raise RefusedError(
            [f"{system.id} has status {system.status}: only a system with status retire is decommissioned"]
        )
    problems = [
        str(f) for f in check_catalogue(loaded, today) if f.system == system.id and f.severity == "error"
    ]
    if problems:
        raise RefusedError(problems)
    assert system.decommission is not None
    if system.databases and pg.bin_dir() is None:
        problems.append("PostgreSQL client programs not found (apt-get install postgresql-client)")
    for database in [] if problems else system.databases:
        try:
            if not pg.exists(server_of(database), database.name):
                problems.append(f"database {database.name} does not exist on {server_of(database)}")
        except pg.PgError as exc:
            problems.append(f"database {database.name} on {server_of(database)}: {exc}")
    protected = {
        "archive store": options.archive_store,
        "work dir": options.work_dir,
        "catalogue": loaded.source.path,
    }
    for text in system.decommission.data_dirs:
        folder = Path(text)
        if folder.is_symlink() or not folder.is_dir():
            problems.append(f"data folder {folder} does not exist or is not a folder")
        for label, path in protected.items():
            if _inside(path, folder) or _inside(folder, path):
                problems.append(f"data folder {folder} overlaps the {label} {path}")
    for service in system.decommission.services:
        try:
            services.state(service)
        except services.ServiceError as exc:
            problems.append(str(exc))
    for label, path in (("archive store", options.archive_store), ("work dir", options.work_dir)):
        if not _writable(path):
            problems.append(f"the {label} {path} cannot be written")
    try:
        edit.retired_text(loaded.source.path, system.id, PLACEHOLDER)
        if not os.access(loaded.source.path, os.W_OK) or not os.access(loaded.source.path.parent, os.W_OK):
            problems.append(f"{loaded.shown} cannot be written")
    except edit.EditError as exc:
        problems.append(str(exc))
    if problems:
        raise RefusedError(problems)
    return system


def dry_run(system: System, options: Options) -> Outcome:
    assert system.decommission is not None
    run = Run()
    for database in system.databases:
        counts = pg.row_counts(server_of(database), database.name)
        size = pg.info(server_of(database), database.name)["bytes"]
        run.steps.append(
            Step(
                f"freeze and dump {database.name}",
                "would",
                f"{server_of(database)}: {len(counts)} tables, {sum(counts.values())} rows, {size} bytes",
            )
        )
    for text in system.decommission.data_dirs:
        files = sum(len(names) for _, _, names in os.walk(text))
        run.steps.append(Step(f"archive {text}", "would", f"{files} files as tar.gz"))
    store = options.archive_store / system.id
    run.steps += [
        Step("manifest", "would", "manifest.json and SHA256SUMS"),
        Step("copy and verify", "would", f"into {store}/<stamp>: sums, restore into a scratch database"),
        *(Step(f"stop {s.label}", "would", services.state(s)) for s in system.decommission.services),
        *(Step(f"drop database {d.name}", "would", str(server_of(d))) for d in system.databases),
        *(Step(f"remove {text}", "would") for text in system.decommission.data_dirs),
        Step("mark retired", "would", str(options.catalogue)),
    ]
    message = (
        f"dry-run: {system.id} would be archived to {store} and its resources reclaimed "
        f"({len(system.databases)} databases, {len(system.decommission.data_dirs)} data folders, "
        f"{len(system.decommission.services)} services); nothing was changed (commit to act)"
    )
    return Outcome(system.id, commit=False, ok=True, steps=run.steps, message=message)
