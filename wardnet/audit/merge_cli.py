"""`wardnet audit merge SHARD... [--report DIR] [--json PATH] [--history DB]`, files and options in any
order. Every shard and every output path is checked first; then the run enters the history in one
transaction and the reports are written. A refusal (exit 2) leaves the history and the outputs untouched."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from wardnet.audit.history import SCHEMA
from wardnet.errors import InputError, InputProblem, display_path
from wardnet.findings import ExitCode
from wardnet.i18n import LANGUAGES

if TYPE_CHECKING:  # the job module pulls in Nornir; the parser is built on every wardnet command
    from wardnet.audit.job import Outputs


SQLITE_MAGIC = b"SQLite format 3\x00"


class _AnyOrder(argparse.ArgumentParser):
    """argparse takes a positional list only before or only after the options; this parser takes
    `merge a.json --report DIR b.json` as well (parse_known_intermixed_args calls back in once)."""

    _mixing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._mixing:
            return super().parse_known_args(args, namespace)
        self._mixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._mixing = False


def register(audit: argparse.ArgumentParser) -> None:
    sub = audit.add_subparsers(dest="audit_action", metavar="merge", parser_class=_AnyOrder)
    merge = sub.add_parser(
        "merge",
        help="merge the shards' report.json files into one run: history, reports",
        description="wardnet audit merge SHARD.json... [--report DIR] [--json PATH] [--history DB]: the "
        "files and the options in any order. Each shard is checked against the shard schema, the set must "
        "be complete (1/N ... N/N) with no device twice; only then is the run recorded and reported. "
        "Exit 0 compliant, 1 drift, 2 refused (nothing recorded or written), 3 internal error.",
    )
    merge.add_argument("inputs", nargs="*", metavar="SHARD.json", help="each shard's report.json")
    # SUPPRESS: `wardnet audit --report DIR merge ...` keeps the DIR given before `merge`
    merge.add_argument("--report", type=Path, metavar="DIR", default=argparse.SUPPRESS, help="report folder")
    merge.add_argument("--json", type=Path, metavar="PATH", default=argparse.SUPPRESS, help="the run as JSON")
    merge.add_argument("--history", type=Path, metavar="DB", default=argparse.SUPPRESS, help="SQLite history")
    merge.add_argument(
        "--metrics", type=Path, metavar="PATH", default=argparse.SUPPRESS, help="Prometheus textfile"
    )
    merge.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help="report language")
    merge.set_defaults(func=_cmd_merge)


def _cmd_merge(args: argparse.Namespace) -> int:
    from wardnet.audit.cli import outputs, print_table
    from wardnet.audit.job import publish
    from wardnet.audit.merge import merge_files

    targets = outputs(args)
    try:
        run = merge_files([Path(p) for p in args.inputs])
        _check_outputs(targets)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"wardnet audit merge: {len(exc.problems)} problem(s); nothing was recorded or written",
            file=sys.stderr,
        )
        return ExitCode.NOT_RUN
    publish(run, targets)
    print_table(run, False)
    return run.exit_code()


def _check_outputs(targets: Outputs) -> None:
    """Refuse outputs that cannot be written before the history is touched: a report folder that is a
    file, a JSON path that is a folder, a history that is not an SQLite file, a folder not writable."""
    problems = []
    if targets.report is not None:
        problems += _writable(targets.report, "--report", want_dir=True)
    if targets.json is not None:
        problems += _writable(targets.json, "--json", want_dir=False)
    if targets.metrics is not None:
        problems += _writable(targets.metrics, "--metrics", want_dir=False)
    problems += _writable(targets.history, "--history", want_dir=False)
    if not problems and targets.history.exists():
        wrong = _not_a_history(targets.history)
        if wrong:
            problems.append(
                InputProblem(
                    display_path(targets.history),
                    "--history",
                    wrong,
                    "point --history at the audit history (STATE/audit/history.sqlite) or a new file",
                )
            )
    if problems:
        raise InputError(problems)


def _not_a_history(path: Path) -> str | None:
    """Why an existing file cannot take the run, read-only and cheaply (header, schema, the tables'
    columns), so a wrong --history is refused before the transaction, not halfway through it."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if not head:
        return None  # an empty file is a new database
    if head != SQLITE_MAGIC:
        return "is not an SQLite database"
    try:
        with closing(sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)) as db:
            found = _columns(db)
    except sqlite3.DatabaseError as exc:
        return f"cannot be read as an SQLite database ({exc})"
    with closing(sqlite3.connect(":memory:")) as db:
        db.executescript(SCHEMA)
        expected = _columns(db)
    for table, columns in expected.items():
        if table in found and found[table] != columns:
            return f"has a table {table} that is not the audit history's"
    return None


def _columns(db: sqlite3.Connection) -> dict[str, list[str]]:
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name: [row[1] for row in db.execute(f"PRAGMA table_info({name!r})")] for name in names}


def _writable(path: Path, option: str, want_dir: bool) -> list[InputProblem]:
    shown = display_path(path)
    if path.exists() or path.is_symlink():
        if want_dir and not path.is_dir():
            return [InputProblem(shown, option, "exists and is not a folder", "give a folder for the report")]
        if not want_dir and not path.is_file():
            return [InputProblem(shown, option, "exists and is not a regular file", "give a file path")]
        folder = path if want_dir else path.parent
    else:
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            return [
                InputProblem(shown, option, f"{display_path(folder)} is not a folder", "give another path")
            ]
    if not os.access(folder, os.W_OK | os.X_OK):
        return [
            InputProblem(shown, option, f"{display_path(folder)} is not writable", "give a writable path")
        ]
    return []
