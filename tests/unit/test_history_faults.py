"""The audit history under a second writer and a damaged file: the run is kept, the report still goes out."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_audit_report import city_run
from wardnet.audit.history import History
from wardnet.audit.job import Outputs, publish

# Another process holds the write lock (BEGIN EXCLUSIVE) until its stdin closes: a real second writer.
WRITER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("CREATE TABLE IF NOT EXISTS other (x)")
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


@pytest.fixture
def writer(tmp_path: Path):
    path = tmp_path / "history.sqlite"
    History(path).trend()  # the schema exists, as after a first nightly run
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "locked"
    yield path, process
    if process.poll() is None:
        process.communicate("")


def runs_in(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT run_id FROM runs ORDER BY run_id")]


def test_a_locked_history_keeps_the_run_aside_and_the_next_run_records_both(writer, monkeypatch) -> None:
    path, process = writer
    monkeypatch.setattr(History, "timeout_s", 0.2)
    history = History(path)
    warning = history.record(city_run("20261201T020000Z"))
    assert warning is not None and "database is locked" in warning
    kept = path.with_name("history.sqlite.pending") / "20261201T020000Z.json"
    assert kept.is_file()

    process.communicate("")  # the other writer ends
    assert history.record(city_run("20261202T020000Z", "2026-12-02T02:00:00+00:00")) is None
    assert runs_in(path) == ["20261201T020000Z", "20261202T020000Z"]
    assert not kept.exists()
    trend = history.trend()
    assert [t["run_id"] for t in trend] == ["20261201T020000Z", "20261202T020000Z"]


def test_a_damaged_history_is_left_as_it_is_and_the_run_kept(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    damaged = b"SQLite format 3\x00" + b"\xde\xad" * 2048
    path.write_bytes(damaged)
    warning = History(path).record(city_run())
    assert warning is not None and "not a database" in warning
    assert path.read_bytes() == damaged  # evidence for a restore, never replaced here
    assert (tmp_path / "history.sqlite.pending" / f"{city_run().run_id}.json").is_file()


def test_the_report_goes_out_when_the_history_is_locked(writer, tmp_path, monkeypatch, capsys) -> None:
    path, _ = writer
    monkeypatch.setattr(History, "timeout_s", 0.2)
    publish(city_run(), Outputs(history=path, report=tmp_path / "report", json=tmp_path / "run.json"))
    assert (tmp_path / "report" / "index.html").is_file() and (tmp_path / "run.json").is_file()
    assert "did not take this run" in capsys.readouterr().err
