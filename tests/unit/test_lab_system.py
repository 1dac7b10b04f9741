"""The lab's line protocol with its helper scripts (wardnet/lab/system.py), on plain local processes."""

from __future__ import annotations

import subprocess
import sys

from wardnet.lab import system


def _python(code: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", code]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_next_line_returns_the_line_a_script_writes() -> None:
    process = _python("print('ready busy=tcp/22', flush=True); import time; time.sleep(5)")
    try:
        assert system.next_line(process, 10) == "ready busy=tcp/22\n"
    finally:
        process.kill()
        process.wait()


def test_next_line_is_none_when_nothing_comes_in_time() -> None:
    process = _python("import time; time.sleep(5)")
    try:
        assert system.next_line(process, 0.2) is None
        assert system.stderr_tail(process) == ""  # still running: nothing to read yet
    finally:
        process.kill()
        process.wait()


def test_next_line_is_none_on_a_closed_stdout_and_the_error_is_kept() -> None:
    process = _python("import sys; sys.stderr.write('x' * 500 + 'bad port'); sys.exit(3)")
    assert system.next_line(process, 10) is None
    process.wait()
    tail = system.stderr_tail(process)
    assert tail.endswith("bad port") and len(tail) == 400
