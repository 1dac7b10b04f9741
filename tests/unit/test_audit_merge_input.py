"""`wardnet audit merge` trusts no shard file: each is read within limits and checked against the schema,
the set against itself, and the output paths, before the history is touched. A refusal is exit 2 with the
file, the field and the fix, and leaves the history byte for byte as it was."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.unit.test_audit_report import RUN_ID, city_run, shards
from wardnet.audit import merge
from wardnet.audit.merge_schema import DeviceIn, FindingIn, IgnoreRuleIn, ShardIn
from wardnet.audit.model import AuditRun, DeviceAudit, Drift, IgnoreRule
from wardnet.cli import main, parser


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """A FIFO opened the blocking way would hang the suite: fail after 120 s instead (a guard against a
    hang, not a timing: 20 s expired once on a loaded runner while the fixtures were still building)."""

    def expired(*_: object) -> None:
        raise TimeoutError("audit merge hung")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def merge_cli(tmp_path: Path, files: list[Path], capsys, *extra: str) -> tuple[int, str, str]:
    history = tmp_path / "state" / "history.sqlite"
    argv = ["audit", "merge", *map(str, files), "--history", str(history), *extra]
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(tmp_path: Path, files: list[Path], capsys, *fragments: str) -> str:
    history = tmp_path / "state" / "history.sqlite"
    before = digest(history)
    code, out, err = merge_cli(tmp_path, files, capsys, "--report", str(tmp_path / "report"))
    assert code == 2, out + err
    assert "Traceback" not in out + err
    assert "nothing was recorded or written" in err
    assert digest(history) == before, "a refused merge must leave the history as it was"
    assert not (tmp_path / "report").exists()
    for fragment in fragments:
        assert fragment in err, err
    return err


def edited(path: Path, change) -> Path:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["{1}", "{2}", "--report", "{r}"],
        ["--report", "{r}", "{1}", "{2}"],
        ["{1}", "--report", "{r}", "{2}"],
    ],
    ids=["files-first", "options-first (as --help shows)", "mixed"],
)
def test_files_and_options_in_any_order(tmp_path: Path, capsys, argv: list[str]) -> None:
    first, second = shards(tmp_path)
    history = tmp_path / "state" / "h.sqlite"
    names = {"{1}": str(first), "{2}": str(second), "{r}": str(tmp_path / "r")}
    words = [names.get(w, w) for w in argv]
    assert main(["audit", "merge", *words, "--history", str(history)]) == 1  # the city run has drift
    with sqlite3.connect(history) as db:
        assert db.execute("SELECT run_id, devices FROM runs").fetchall() == [(RUN_ID, 7)]
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert len(report["devices"]) == len(city_run().devices)


@pytest.mark.parametrize("value", ["a/b", "1", "1/2/3", "0/2", "3/2", "1/0", "1/99999", " ", "½/2"])
def test_bad_shard_values_are_named(tmp_path: Path, capsys, value: str) -> None:
    first, second = shards(tmp_path)
    edited(second, lambda d: d.update(shard=value))
    err = refused(tmp_path, [first, second], capsys, "shard:", "(fix: ")
    assert re.search(r"write K/N|K must be between 1 and N|at most", err), err


def test_every_bad_file_is_named_with_field_and_fix(tmp_path: Path, capsys) -> None:
    first, second = shards(tmp_path)
    edited(first, lambda d: d["devices"][0].update(status="quantum"))
    edited(second, lambda d: d["devices"][0]["findings"].append({"kind": "moved"}))
    index = len(json.loads(second.read_text())["devices"][0]["findings"]) - 1
    err = refused(tmp_path, [first, second], capsys)
    assert (
        f"{first}: devices.0.status: input should be 'compliant', 'drift' or 'not-audited', got 'quantum'"
        in err
    )
    assert f"{second}: devices.0.findings.{index}.kind:" in err and "'moved'" in err
    assert f"{second}: devices.0.findings.{index}.feature: required field is missing" in err


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"run_id": "a", "run_id": "b"}', "key 'run_id' given twice"),
        (b'{"run_id": NaN}', "NaN is not a JSON number"),
        (b'{"run_id": ' + b"9" * 5000 + b"}", "not a shard file"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
        (b'{"a":' * 17 + b"1" + b"}" * 17, "nested more than 16 levels"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"", "invalid JSON at line 1"),
        (b'"just a string"', "expected a JSON object"),
    ],
    ids=["duplicate-key", "nan", "huge-int", "deep-100k", "deep-17", "binary", "empty", "string"],
)
def test_corrupt_json_is_refused(tmp_path: Path, capsys, content: bytes, fragment: str) -> None:
    first, _ = shards(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    refused(tmp_path, [first, bad], capsys, str(bad), fragment)


def test_special_and_oversized_files_are_refused_without_reading(tmp_path: Path, capsys) -> None:
    first, _ = shards(tmp_path)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(merge.MAX_SHARD_BYTES + 1)  # sparse: no disk used
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    err = refused(tmp_path, [first, fifo, zero, big, tmp_path, loop], capsys)
    assert f"{fifo}: is not a regular file" in err
    assert f"{zero}: is not a regular file" in err
    assert f"{big}: is {merge.MAX_SHARD_BYTES + 1} bytes, more than the limit" in err
    assert f"{tmp_path}: is a directory" in err
    assert f"{loop}: cannot read" in err


def test_the_set_is_checked_before_anything_is_written(tmp_path: Path, capsys) -> None:
    first, second = shards(tmp_path)
    history = tmp_path / "state" / "history.sqlite"
    assert merge_cli(tmp_path, [first, second], capsys)[0] == 1  # a first run in the history
    recorded = digest(history)
    refused(tmp_path, [first], capsys, "shard 2/2 missing")
    refused(tmp_path, [first, first], capsys, "the same shard file")
    third = tmp_path / "third.json"
    third.write_text(second.read_text())
    refused(tmp_path, [first, second, third], capsys, "shard 2/2 is also")
    whole = tmp_path / "whole.json"
    whole.write_text(json.dumps({**json.loads(second.read_text()), "shard": ""}))
    refused(tmp_path, [first, whole], capsys, "a whole run mixed with shards")
    edited(third, lambda d: d.update(shard="2/3"))
    refused(tmp_path, [first, third], capsys, "shards of different splits (/2, /3)")
    edited(third, lambda d: d.update(shard="2/2", devices=d["devices"] + [d["devices"][0]]))
    refused(tmp_path, [first, third], capsys, "is listed twice")
    assert digest(history) == recorded


def test_unwritable_outputs_are_refused_before_the_history(tmp_path: Path, capsys) -> None:
    first, second = shards(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for extra, fragment in [
        (["--report", str(blocker)], "exists and is not a folder"),
        (["--json", str(tmp_path)], "exists and is not a regular file"),
        (["--report", str(blocker / "sub")], "is not a folder"),
    ]:
        code, _, err = merge_cli(tmp_path, [first, second], capsys, *extra)
        assert code == 2 and fragment in err, err
        assert not (tmp_path / "state").exists()
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("my notes")
    assert main(["audit", "merge", str(first), str(second), "--history", str(not_sqlite)]) == 2
    assert "is not an SQLite database" in capsys.readouterr().err
    assert not_sqlite.read_text() == "my notes"


def test_a_finished_time_before_started_is_refused(tmp_path: Path, capsys) -> None:
    first, second = shards(tmp_path)
    edited(second, lambda d: d.update(finished="2026-11-22T00:00:00+00:00"))
    refused(tmp_path, [first, second], capsys, "is before started")


def test_the_schema_mirrors_the_model() -> None:
    # Merge rebuilds the run with AuditRun.from_dict(schema fields): a field added to one must reach both.
    pairs = [(ShardIn, AuditRun), (DeviceIn, DeviceAudit), (FindingIn, Drift), (IgnoreRuleIn, IgnoreRule)]
    derived = {"sites", "compliance", "exit_code"}  # report.json's figures, recomputed
    for schema, model in pairs:
        fields = set(schema.model_fields) - (derived if schema is ShardIn else set())
        assert fields == {f.name for f in dataclasses.fields(model)}, model


def test_readme_and_help_agree_on_the_merge_command() -> None:
    readme = (REPO / "README.md").read_text()
    lines = re.findall(r"^wardnet (audit merge .+?)(?:\s+#.*)?$", readme, re.MULTILINE)
    assert len(lines) >= 2, "README shows merge with the files first and with the options first"
    for line in lines:
        words = line.replace("shard-*.json", "shard-1.json shard-2.json").split()
        args = parser().parse_args(words)
        assert args.inputs == ["shard-1.json", "shard-2.json"] and args.report == Path("DIR"), line
    helptext = " ".join(parser()._subparsers._group_actions[0].choices["audit"].format_help().split())
    assert "wardnet audit merge SHARD.json... [--report DIR] [--json PATH] [--history DB]" in helptext


def test_a_history_that_is_not_the_audit_history_is_refused_untouched(tmp_path: Path, capsys) -> None:
    first, second = shards(tmp_path)
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE runs (id INTEGER, note TEXT)")
    db.close()
    for history, fragment in [(corrupt, "cannot be read as an SQLite database"), (other, "table runs")]:
        before = digest(history)
        assert main(["audit", "merge", str(first), str(second), "--history", str(history)]) == 2
        assert fragment in capsys.readouterr().err
        assert digest(history) == before
    kept = tmp_path / "kept.sqlite"
    assert main(["audit", "merge", str(first), str(second), "--history", str(kept)]) == 1
    assert main(["audit", "merge", str(first), str(second), "--history", str(kept)]) == 1  # its own: fine
