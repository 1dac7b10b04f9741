"""Decommission against a real PostgreSQL server: archive, verify, reclaim, and nothing lost on failure."""

from __future__ import annotations

import json
import subprocess
import tarfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.systems.conftest import Cluster, Retiring
from wardnet.systems import archive, pg
from wardnet.systems.archive import sha256_file
from wardnet.systems.decommission import Options, Outcome, RefusedError, decommission

pytestmark = pytest.mark.lab

RETIRED_ON = date(2026, 11, 23)


def options(system: Retiring, commit: bool, system_id: str | None = None) -> Options:
    return Options(
        catalogue=system.catalogue,
        system=system_id or system.id,
        archive_store=system.archive_store,
        work_dir=system.work_dir,
        commit=commit,
        today=RETIRED_ON,
    )


def flip_bytes(path: Path) -> None:
    """Corrupt a file in place: invert 64 bytes in its middle."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


def read_only(cluster: Cluster, database: str) -> str:
    return cluster.sql(database, "SHOW default_transaction_read_only")


def test_dry_run_reports_every_step_and_changes_nothing(cluster: Cluster, retiring: Retiring) -> None:
    before_stats = cluster.stats(retiring.database)
    before_catalogue = retiring.catalogue.read_bytes()

    outcome = decommission(options(retiring, commit=False))

    assert outcome.ok and not outcome.changed and not outcome.deleted
    assert {step.status for step in outcome.steps} == {"would"}
    names = [step.name for step in outcome.steps]
    assert f"drop database {retiring.database}" in names and f"remove {retiring.data_dir}" in names
    assert "4 tables, 3700 rows" in outcome.steps[0].detail  # 3000 + 200 + 500 + 0
    assert cluster.stats(retiring.database) == before_stats
    assert read_only(cluster, retiring.database) == "off"
    assert retiring.catalogue.read_bytes() == before_catalogue
    assert retiring.data_dir.is_dir() and retiring.service.poll() is None
    assert not retiring.archive_store.exists()


def assert_archive_complete(
    cluster: Cluster, retiring: Retiring, outcome: Outcome, source_stats: dict[str, pg.TableStat], pdf: bytes
) -> None:
    """Sealed, complete, and its manifest matches what was there; the dump restores independently."""
    final = Path(outcome.archive or "")
    assert final.parent == retiring.archive_store / retiring.id and final.is_dir()
    assert not list(final.parent.glob("*.partial"))
    manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    assert sha256_file(final / "manifest.json") == outcome.manifest_sha256
    sums = dict(reversed(line.split("  ")) for line in (final / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {*manifest["files"], "manifest.json"}
    for name, digest in sums.items():
        assert sha256_file(final / name) == digest
    (database,) = manifest["databases"]
    assert database["tables"] == {
        name: {"rows": s.rows, "checksum": s.checksum} for name, s in source_stats.items()
    }
    assert database["tables"]["public.van_ban"]["rows"] == 3000
    # the dump really restores, independently of wardnet's own verification
    scratch = pg.restore_scratch(cluster.server, final / database["file"], database["info"])
    try:
        assert cluster.stats(scratch) == source_stats
    finally:
        pg.drop(cluster.server, scratch)
    (folder,) = manifest["data_dirs"]
    with tarfile.open(final / folder["file"]) as tar:
        stored = tar.extractfile(f"{folder['arc_root']}/2019/01/quyet-dinh-1.pdf")
        assert stored is not None and stored.read() == pdf
        assert tar.getmember(f"{folder['arc_root']}/moi-nhat.pdf").issym()


def test_full_decommission_archives_verifies_then_reclaims(
    cluster: Cluster, retiring: Retiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_stats = cluster.stats(retiring.database)
    pdf = (retiring.data_dir / "2019" / "01" / "quyet-dinh-1.pdf").read_bytes()
    during_dump: list[str] = []
    real_dump = pg.dump

    def dump_and_try_to_write(server: pg.Server, database: str, out: Path) -> None:
        """While the dump runs, a new session may not write and PUBLIC may not connect."""
        attempt = cluster.try_sql(database, "INSERT INTO rong VALUES (1)")
        during_dump.append(attempt.stderr)
        during_dump.append(
            cluster.sql("postgres", f"SELECT has_database_privilege('public', '{database}', 'CONNECT')")
        )
        real_dump(server, database, out)

    monkeypatch.setattr(pg, "dump", dump_and_try_to_write)

    outcome = decommission(options(retiring, commit=True))

    assert outcome.ok, outcome.message
    assert "cannot execute INSERT in a read-only transaction" in during_dump[0]
    assert during_dump[1] == "f"
    assert outcome.deleted and outcome.changed
    assert [s.status for s in outcome.steps] == ["done"] * len(outcome.steps)
    final = Path(outcome.archive or "")
    assert_archive_complete(cluster, retiring, outcome, source_stats, pdf)
    # reclaimed: service stopped, database dropped, folder removed, no scratch database left behind
    assert retiring.service.wait(timeout=5) is not None
    assert retiring.database not in cluster.databases()
    assert not any(name.startswith("wardnet_verify_") for name in cluster.databases())
    assert not retiring.data_dir.exists()
    assert not (retiring.work_dir / retiring.id).exists() or not any(
        (retiring.work_dir / retiring.id).iterdir()
    )
    # recorded in the catalogue; the rest of the file unchanged
    text = retiring.catalogue.read_text(encoding="utf-8")
    assert (
        "This comment must survive the decommission." in text
        and "status: retired   # decided in review" in text
    )
    system = yaml.safe_load(text)["systems"][1]
    assert system["status"] == "retired"
    assert system["retired"] == {
        "date": RETIRED_ON,
        "archive": str(final),
        "manifest_sha256": outcome.manifest_sha256,
    }
    # a second run is refused: the system is retired now
    with pytest.raises(RefusedError, match="was retired on 2026-11-23"):
        decommission(options(retiring, commit=True))


def _corrupt_dump_after_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    real_dump = pg.dump

    def dump_then_corrupt(server: pg.Server, database: str, out: Path) -> None:
        real_dump(server, database, out)
        flip_bytes(out)

    monkeypatch.setattr(pg, "dump", dump_then_corrupt)


def _corrupt_stored_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    real_copy = archive.copy_to_store

    def copy_then_corrupt(staging: Path, target: Path) -> None:
        real_copy(staging, target)
        flip_bytes(next(target.glob("*.dump")))

    monkeypatch.setattr(archive, "copy_to_store", copy_then_corrupt)


def _corrupt_tar_after_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    real_tar = archive.tar_folder

    def tar_then_corrupt(folder: Path, out: Path) -> None:
        real_tar(folder, out)
        flip_bytes(out)

    monkeypatch.setattr(archive, "tar_folder", tar_then_corrupt)


@pytest.mark.parametrize(
    ("corrupt", "failed_step"),
    [
        (_corrupt_dump_after_writing, "verify restore of"),
        (_corrupt_stored_copy, "verify SHA-256 sums"),
        (_corrupt_tar_after_writing, "verify data-1-files.tar.gz"),
    ],
    ids=["dump-after-pg_dump", "dump-in-archive-store", "tar-after-writing"],
)
def test_corrupted_archive_blocks_the_reclaim_and_loses_nothing(
    cluster: Cluster,
    retiring: Retiring,
    monkeypatch: pytest.MonkeyPatch,
    corrupt: Callable[[pytest.MonkeyPatch], None],
    failed_step: str,
) -> None:
    before_stats = cluster.stats(retiring.database)
    before_catalogue = retiring.catalogue.read_bytes()
    corrupt(monkeypatch)

    outcome = decommission(options(retiring, commit=True))

    assert not outcome.ok and not outcome.deleted
    failed = [step for step in outcome.steps if step.status == "failed"]
    assert len(failed) == 1 and failed[0].name.startswith(failed_step), outcome.steps
    assert "nothing was deleted" in outcome.message
    names = [step.name for step in outcome.steps]
    assert not any(name.startswith(("stop ", "drop ", "remove ", "seal ", "mark ")) for name in names)
    # nothing lost: same rows and contents, writable again, folder, service and catalogue as before
    assert cluster.stats(retiring.database) == before_stats
    assert read_only(cluster, retiring.database) == "off"
    cluster.sql(retiring.database, "INSERT INTO rong VALUES (1); DELETE FROM rong")
    assert (retiring.data_dir / "2019" / "01" / "quyet-dinh-1.pdf").is_file()
    assert retiring.service.poll() is None
    assert retiring.catalogue.read_bytes() == before_catalogue
    assert not any(name.startswith("wardnet_verify_") for name in cluster.databases())
    # no sealed archive: only the partial copy, kept for inspection
    stored = list((retiring.archive_store / retiring.id).iterdir())
    assert all(path.name.endswith(".partial") for path in stored)


def test_a_write_after_the_archive_blocks_the_reclaim(
    cluster: Cluster, retiring: Retiring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data that changes after it was archived is never deleted: the reclaim checks again first."""
    from wardnet.systems import services

    real_stop = services.stop

    def stop_while_a_file_arrives(service: object) -> str:
        (retiring.data_dir / "den-muon.pdf").write_bytes(b"late arrival")
        return real_stop(service)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "stop", stop_while_a_file_arrives)
    before_stats = cluster.stats(retiring.database)

    outcome: Outcome = decommission(options(retiring, commit=True))

    assert not outcome.ok and not outcome.deleted, outcome.message
    assert outcome.archive and Path(outcome.archive).is_dir()  # the verified archive is kept
    assert "changed after it was archived" in outcome.message
    assert retiring.database in cluster.databases() and cluster.stats(retiring.database) == before_stats
    assert (retiring.data_dir / "den-muon.pdf").is_file()
    assert b"status: retire " in retiring.catalogue.read_bytes()


def test_only_a_system_to_retire_is_decommissioned(cluster: Cluster, retiring: Retiring) -> None:
    with pytest.raises(RefusedError, match="cong-dvc has status keep"):
        decommission(options(retiring, commit=True, system_id="cong-dvc"))
    with pytest.raises(RefusedError, match="no system 'khong-co'"):
        decommission(options(retiring, commit=True, system_id="khong-co"))
    assert retiring.database in cluster.databases()


def test_preflight_refuses_a_missing_database_before_touching_anything(
    cluster: Cluster, retiring: Retiring
) -> None:
    cluster.sql("postgres", f'ALTER DATABASE "{retiring.database}" RENAME TO "{retiring.database}_moved"')
    with pytest.raises(RefusedError, match=f"database {retiring.database} does not exist"):
        decommission(options(retiring, commit=True))
    assert read_only(cluster, f"{retiring.database}_moved") == "off"
    assert not retiring.work_dir.exists() or not any(retiring.work_dir.iterdir())
    assert retiring.service.poll() is None


def test_the_pidfile_must_name_the_service_process(cluster: Cluster, retiring: Retiring) -> None:
    """A PID reused by another program is never signalled."""
    other = subprocess.Popen(["cat"], stdin=subprocess.PIPE)
    try:
        retiring.pidfile.write_text(f"{other.pid}\n")
        with pytest.raises(RefusedError, match="which is not 'sleep'"):
            decommission(options(retiring, commit=True))
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()
