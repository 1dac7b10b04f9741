"""Decommission one system of the catalogue: archive, verify, and only then reclaim. Dry-run by default.

With commit, in this order:
 1. freeze writes on every database (read-only by default, CONNECT revoked from PUBLIC, sessions ended);
 2. pg_dump -Fc every database, tar.gz every data folder, write manifest.json and SHA256SUMS;
 3. copy to the archive store as <store>/<id>/<stamp>.partial and verify that stored copy: the SHA-256
    sums, each dump restored into a scratch database with per-table rows and content checksums equal to
    the source's, each tar.gz read back to the same tree digest as its folder; then seal it (rename to
    <store>/<id>/<stamp>);
 4. reclaim: stop and disable the services, check that databases and folders still hold exactly what was
    archived, drop the databases, remove the folders;
 5. mark the system retired in the catalogue with the date and the archive reference.

A failure in steps 1-3, or in the checks of step 4, stops the run with nothing deleted: the databases are
thawed, the staging folder and the partial archive stay for inspection.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from wardnet.systems import archive, edit, pg, services
from wardnet.systems.catalogue import load_catalogue
from wardnet.systems.models import Retired, System
from wardnet.systems.preflight import dry_run, preflight, server_of
from wardnet.systems.run import Options, Outcome, RefusedError, Run, StepError

__all__ = ["Options", "Outcome", "RefusedError", "decommission"]

FORMAT = "wardnet-decommission/1"


def decommission(options: Options) -> Outcome:
    """Run (or with commit=False, describe) the decommission; RefusedError and InputError mean nothing ran."""
    today = options.today or date.today()
    loaded = load_catalogue(options.catalogue)
    system = preflight(loaded, options, today)
    if not options.commit:
        return dry_run(system, options)
    with _lock(options.work_dir, system.id):
        return _commit(system, options, today)


@contextmanager
def _lock(work_dir: Path, system_id: str) -> Iterator[None]:
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / f"{system_id}.lock"
    try:
        handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        raise RefusedError(
            [f"another decommission of {system_id} holds {path} (remove it if stale)"]
        ) from None
    with os.fdopen(handle, "w") as out:
        out.write(f"{os.getpid()}\n")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _commit(system: System, options: Options, today: date) -> Outcome:
    assert system.decommission is not None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    staging = options.work_dir / system.id / stamp
    final = options.archive_store / system.id / stamp
    partial = final.with_name(f"{stamp}.partial")
    if final.exists() or partial.exists() or staging.exists():
        raise RefusedError([f"{final} or its staging folder exists already; try again in a second"])
    run = Run()
    try:
        manifest, manifest_sha256 = _archive(system, options, staging, stamp, run)
        _verify(manifest, manifest_sha256, staging, partial, run)
        with run.step("seal archive") as step:
            partial.rename(final)
            step.detail = str(final)
    except StepError as failure:
        _thaw(run)
        return Outcome(system.id, True, False, run.steps, message=f"{failure}; nothing was deleted")
    outcome = Outcome(system.id, True, False, run.steps, str(final), manifest_sha256)
    try:
        _reclaim(system, manifest, run, outcome)
        record = Retired(date=today, archive=str(final), manifest_sha256=manifest_sha256)
        with run.step("mark retired") as step:
            edit.write_atomically(options.catalogue, edit.retired_text(options.catalogue, system.id, record))
            step.detail = f"{options.catalogue}: status retired, archive {final}"
    except StepError as failure:
        if not outcome.deleted:
            _thaw(run)
            outcome.message = f"{failure}; nothing was deleted; verified archive {final}"
        else:
            outcome.message = f"{failure}; reclaim incomplete; verified archive {final}"
        return outcome
    shutil.rmtree(staging)  # the sealed, verified copy in the store is the archive
    outcome.ok = True
    outcome.message = (
        f"{system.id} retired: archive {final} (manifest SHA-256 {manifest_sha256}); "
        f"{len(system.databases)} databases dropped, {len(system.decommission.data_dirs)} data folders "
        f"removed, {len(system.decommission.services)} services stopped"
    )
    return outcome


def _archive(
    system: System, options: Options, staging: Path, stamp: str, run: Run
) -> tuple[dict[str, Any], str]:
    """Steps 1-2: freeze, dump, tar, manifest in the staging folder."""
    assert system.decommission is not None
    plan = system.decommission
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created": stamp,
        "catalogue": str(options.catalogue),
        "system": {
            "id": system.id,
            "name": system.name,
            "owner": system.owner,
            "reason": system.reason,
            "legal_basis": system.legal_basis.model_dump(mode="json") if system.legal_basis else None,
            "approved_by": plan.approved_by,
            "replacement": plan.replacement,
            "retention_years": plan.retention_years,
        },
        "databases": [],
        "data_dirs": [],
        "services": [s.label for s in plan.services],
        "files": {},
    }
    with run.step("staging folder") as step:
        staging.mkdir(parents=True)
        step.detail = str(staging)
    for database in system.databases:
        with run.step(f"freeze {database.name}") as step:
            run.frozen.append(pg.freeze(server_of(database), database.name))
            step.detail = (
                f"{server_of(database)}: read-only, CONNECT revoked from PUBLIC, other sessions ended"
            )
    for number, database in enumerate(system.databases, 1):
        name = f"db-{number}-{database.name}.dump"
        with run.step(f"dump {database.name}") as step:
            info = pg.info(server_of(database), database.name)
            stats = pg.table_stats(server_of(database), database.name)
            pg.dump(server_of(database), database.name, staging / name)
            step.detail = f"{name}: {len(stats)} tables, {sum(s.rows for s in stats.values())} rows"
        manifest["databases"].append(
            {
                "engine": database.engine,
                "name": database.name,
                "host": database.host,
                "port": database.port,
                "file": name,
                "info": info,
                "tables": {table: asdict(stat) for table, stat in stats.items()},
            }
        )
    for number, text in enumerate(plan.data_dirs, 1):
        folder = Path(text)
        name = f"data-{number}-{folder.name}.tar.gz"
        with run.step(f"archive {folder}") as step:
            tree = archive.tree_of_folder(folder)
            archive.tar_folder(folder, staging / name)
            step.detail = f"{name}: {tree.files} files, {tree.bytes} bytes"
        manifest["data_dirs"].append(
            {"path": text, "file": name, "arc_root": archive.arc_root(folder), **asdict(tree)}
        )
    with run.step("manifest") as step:
        for path in sorted(staging.iterdir()):
            manifest["files"][path.name] = {"sha256": archive.sha256_file(path), "bytes": path.stat().st_size}
        manifest_sha256 = archive.write_manifest(staging, manifest)
        step.detail = f"{archive.MANIFEST} SHA-256 {manifest_sha256}, {len(manifest['files'])} files"
    return manifest, manifest_sha256


def _differences(expected: dict[str, Any], found: dict[str, pg.TableStat]) -> list[str]:
    problems = [f"table {t} missing" for t in sorted(set(expected) - set(found))]
    problems += [f"table {t} unexpected" for t in sorted(set(found) - set(expected))]
    for table in sorted(set(expected) & set(found)):
        if asdict(found[table]) != expected[table]:
            problems.append(
                f"table {table}: {found[table].rows} rows/{found[table].checksum}, "
                f"archived {expected[table]['rows']} rows/{expected[table]['checksum']}"
            )
    return problems


def _verify(manifest: dict[str, Any], manifest_sha256: str, staging: Path, partial: Path, run: Run) -> None:
    """Step 3: copy into the store and verify that copy, file by file, database by database."""
    with run.step("copy to archive store") as step:
        archive.copy_to_store(staging, partial)
        step.detail = str(partial)
    with run.step("verify SHA-256 sums") as step:
        archive.verify_sums(partial, manifest, manifest_sha256)
        step.detail = f"{len(manifest['files'])} files match the manifest"
    for entry in manifest["databases"]:
        server = pg.Server(entry["host"], entry["port"])
        with run.step(f"verify restore of {entry['name']}") as step:
            scratch = pg.restore_scratch(server, partial / entry["file"], entry["info"])
            try:
                restored = pg.table_stats(server, scratch)
            finally:
                pg.drop(server, scratch)
            problems = _differences(entry["tables"], restored)
            if problems:
                raise archive.ArchiveError("restored copy differs: " + "; ".join(problems[:5]))
            step.detail = (
                f"restored into a scratch database: {len(restored)} tables, rows and checksums equal"
            )
    for entry in manifest["data_dirs"]:
        with run.step(f"verify {entry['file']}") as step:
            tree = archive.tree_of_tar(partial / entry["file"], entry["arc_root"])
            if tree.digest != entry["digest"]:
                raise archive.ArchiveError(f"{entry['file']} does not hold what {entry['path']} held")
            step.detail = f"read back: {tree.files} files, tree digest equal"


def _reclaim(system: System, manifest: dict[str, Any], run: Run, outcome: Outcome) -> None:
    """Step 4: stop services; check nothing changed since the archive; only then drop and remove."""
    assert system.decommission is not None
    for service in system.decommission.services:
        with run.step(f"stop {service.label}") as step:
            step.detail = services.stop(service)
    for entry in manifest["databases"]:
        server = pg.Server(entry["host"], entry["port"])
        with run.step(f"unchanged since dump: {entry['name']}") as step:
            problems = _differences(entry["tables"], pg.table_stats(server, entry["name"]))
            if problems:
                raise archive.ArchiveError("written after the dump: " + "; ".join(problems[:5]))
            step.detail = "rows and checksums equal to the archive"
    for entry in manifest["data_dirs"]:
        with run.step(f"unchanged since archive: {entry['path']}") as step:
            if archive.tree_of_folder(Path(entry["path"])).digest != entry["digest"]:
                raise archive.ArchiveError(f"{entry['path']} changed after it was archived")
            step.detail = "tree digest equal to the archive"
    for entry in manifest["databases"]:
        server = pg.Server(entry["host"], entry["port"])
        with run.step(f"drop database {entry['name']}") as step:
            outcome.deleted = True
            pg.drop(server, entry["name"])
            run.frozen = [f for f in run.frozen if f.database != entry["name"] or f.server != server]
            step.detail = str(server)
    for entry in manifest["data_dirs"]:
        with run.step(f"remove {entry['path']}") as step:
            outcome.deleted = True
            shutil.rmtree(entry["path"])
            step.detail = f"{entry['files']} files, {entry['bytes']} bytes"


def _thaw(run: Run) -> None:
    """Give frozen databases back (writes and connections as before); a failure here is reported too."""
    for state in run.frozen:
        try:
            with run.step(f"thaw {state.database}") as step:
                pg.thaw(state)
                step.detail = f"{state.server}: writes and connections restored"
        except StepError:
            continue
