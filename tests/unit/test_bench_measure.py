"""benchmarks/measure.py reports each measured process's own peak RSS, never a running maximum over
every child the benchmark started nor the benchmark's own memory (a compare run printed one figure for
all sides: each side holds the same input, which is why; the compare now prints a floor for it)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from benchmarks.measure import timed

MB = 1024  # ru_maxrss is in kilobytes on Linux


def _holding(megabytes: int) -> list[str]:
    """A child that touches `megabytes` MB (every page written, so it is resident), then exits."""
    code = f"b = bytearray({megabytes} << 20)\nfor i in range(0, len(b), 4096): b[i] = 1"
    return [sys.executable, "-c", code]


def test_each_child_reports_its_own_peak_not_the_largest_so_far() -> None:
    big = timed(_holding(160))
    small = timed(_holding(8))  # measured after the big one: a running maximum would repeat 160+
    assert big.returncode == small.returncode == 0
    assert big.peak_rss_kb >= 160 * MB
    assert small.peak_rss_kb < 80 * MB
    assert big.peak_rss_kb - small.peak_rss_kb >= 120 * MB


def test_the_benchmarks_own_memory_is_not_the_childs() -> None:
    ballast = bytearray(200 << 20)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1  # the measuring process now holds 200 MB resident
    small = timed(_holding(8))
    assert small.peak_rss_kb < 80 * MB
    del ballast


def test_a_workers_peak_counts_for_the_command_that_started_it() -> None:
    """A command's forked workers are its own (wardnet check's pool): their peak is the command's."""
    code = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {_holding(120)[2]!r}], check=True)"
    run = timed([sys.executable, "-c", code])
    assert run.returncode == 0
    assert run.peak_rss_kb >= 120 * MB
    assert run.cpu_seconds > 0  # the worker's CPU is reaped into the command's


def test_a_timeout_ends_the_commands_whole_tree(tmp_path: Path) -> None:
    """ansible-playbook timed out once and its forks went on: the launcher alone had been killed."""
    pid_file = tmp_path / "grandchild"
    run = timed(["sh", "-c", f"sleep 60 & echo $! > {pid_file}; wait"], timeout=2)
    assert run.returncode == -9 and "timed out" in run.output
    grandchild = int(pid_file.read_text())
    for _ in range(50):  # killed at once; give the kernel a moment to reap it (init adopts it)
        if not _alive(grandchild):
            break
        time.sleep(0.1)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"
