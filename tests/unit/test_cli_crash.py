"""A bug in any command exits 3 with one line on stderr; the traceback goes to STATE/logs/, secrets masked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import INVENTORY, REPO
from wardnet import cli

LINE = re.compile(r"^internal error: (\w+): (.*) — details in (\S+)$")


def crash(*_: object) -> None:
    def innermost_frame() -> None:
        raise KeyError("ward 26743 lost its core")

    innermost_frame()


@pytest.mark.parametrize(
    ("target", "argv"),
    [
        ("wardnet.pipeline.build", ["render", "--inventory", str(INVENTORY), "--out", "x"]),
        ("wardnet.checks.run.run_checks", ["check"]),
        ("wardnet.systems.cli.load_catalogue", ["systems", "check"]),
        ("wardnet.audit.merge.merge_files", ["audit", "merge", "a.json"]),
    ],
)
def test_an_unexpected_exception_exits_3_with_one_line_and_a_log(
    target: str, argv: list[str], tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("WARDNET_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(target, crash)
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 3
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    match = LINE.match(lines[0])
    assert match, lines[0]
    assert match[1] == "KeyError" and "lost its core" in match[2]
    log = Path(match[3])
    assert log.parent == tmp_path / "state" / "logs"
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "innermost_frame" in text
    assert "Traceback" not in captured.out + captured.err


def test_a_known_secret_in_the_message_is_masked_in_the_line_and_the_log(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    secret = "Tac-Key-9f3b!"
    monkeypatch.setenv("WARDNET_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WARDNET_SECRET_TACACS_KEY", secret)

    def leak(*_: object) -> None:
        raise ValueError(f"device refused key {secret}")

    monkeypatch.setattr("wardnet.checks.run.run_checks", leak)
    assert cli.main(["check"]) == 3
    err = capsys.readouterr().err
    assert secret not in err and "<<secret:tacacs_key>>" in err
    (log,) = (tmp_path / "state" / "logs").iterdir()
    assert secret not in log.read_text() and "<<secret:tacacs_key>>" in log.read_text()


def test_the_installed_command_exits_3_when_the_state_folder_is_unwritable(tmp_path: Path) -> None:
    # A real process: the exit status the shell and CI see, and a log even when STATE cannot hold one.
    state = tmp_path / "state"
    state.write_text("a file where the state folder should be")
    code = (
        "import sys, wardnet.checks.run as r\n"
        "r.run_checks = lambda *a: [][1]\n"
        "from wardnet.cli import main\n"
        "sys.exit(main(['check']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"WARDNET_STATE_DIR": str(state), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    match = LINE.match(done.stderr.strip())
    assert match and match[1] == "IndexError", done.stderr
    assert "Traceback" in Path(match[3]).read_text()
    assert Path(match[3]).parent == tmp_path / "wardnet-logs"


def _command(body: str) -> subprocess.Popen[str]:
    """`wardnet` as a command (cli.main() without argv), with `_run` replaced by `body`."""
    script = (
        "import os, sys\nfrom wardnet import cli\n"
        f"def run(argv):\n{body}\ncli._run = run\nsys.argv = ['wardnet', 'check']\nsys.exit(cli.main())\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
    )


def test_a_pipe_that_breaks_inside_a_command_does_not_end_the_process() -> None:
    """As paramiko writing to a ProxyCommand whose `nc` died with its device: that device's error, caught
    where it happens, never the death of the whole audit by SIGPIPE."""
    body = (
        "    read, write = os.pipe()\n    os.close(read)\n"
        "    try:\n        os.write(write, b'to a proxy that is gone')\n"
        "    except BrokenPipeError:\n        print('that device: not audited')\n    return 0\n"
    )
    process = _command(body)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out == "that device: not audited\n"


def test_a_reader_that_goes_away_ends_the_command_quietly() -> None:
    """`wardnet ... | head`: the status of a process SIGPIPE ended (141), no crash report, no traceback."""
    process = _command("    for n in range(200000):\n        print(f'line {n}')\n    return 0\n")
    assert process.stdout is not None and process.stdout.readline() == "line 0\n"
    process.stdout.close()
    err = process.stderr.read() if process.stderr is not None else ""
    assert process.wait(timeout=60) == 141
    assert err == ""
