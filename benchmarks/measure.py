"""One way to time anything a benchmark compares: a whole process, from exec to exit, with its own peak RSS.

Both sides of every ratio go through `timed` (start-up, imports and inventory loading included on each
side), and `repeat` runs a command several times so a cold (first) and a warm (median of the rest) figure
are printed side by side and ratios are taken cold-vs-cold and warm-vs-warm, never crossed.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_kb: int  # of this process tree's largest member (wait4 rusage), not of the benchmark itself
    returncode: int
    output: str
    cpu_seconds: float = 0.0  # user + system of the command and its children (a shared machine's fair unit)


@dataclass(frozen=True)
class Series:
    label: str
    runs: list[Run]

    @property
    def cold(self) -> float:
        return self.runs[0].seconds

    @property
    def warm(self) -> float:
        later = self.runs[1:] or self.runs
        return statistics.median(r.seconds for r in later)

    @property
    def warm_cpu(self) -> float:
        later = self.runs[1:] or self.runs
        return statistics.median(r.cpu_seconds for r in later)

    @property
    def peak_rss_kb(self) -> int:
        return max(r.peak_rss_kb for r in self.runs)


# A fresh small interpreter forks the measured command and reports its wall time and peak RSS: a child
# forked straight from this (large) process would count our memory as its own peak (Linux keeps the
# pre-exec high-water mark in the child's rusage).
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    cpu = usage.ru_utime + usage.ru_stime  # the command's own and its reaped children's (workers)
    out.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {cpu}")
"""


def timed(
    argv: list[str], *, env: dict[str, str] | None = None, cwd: Path = REPO, timeout: float = 3600
) -> Run:
    """Run argv to completion; wall seconds from fork to reaped exit and the command's own peak RSS."""
    with tempfile.TemporaryDirectory(prefix="wardnet-timed-") as scratch:
        report = Path(scratch) / "run"
        with (Path(scratch) / "output").open("w+b") as sink:
            launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(report), *argv]
            # Its own session, so a timeout ends the command's whole tree (ansible-playbook's forks too),
            # not only the launcher: an orphan would go on loading the machine the next run is timed on.
            with subprocess.Popen(
                launcher, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            ) as process:
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    return Run(timeout, 0, -9, f"timed out after {timeout:.0f} s")
            sink.seek(0)
            output = sink.read().decode(errors="replace")
        seconds, peak, code, cpu = report.read_text().split()
    return Run(float(seconds), int(peak), int(code), output, float(cpu))


def repeat(
    label: str, argv: list[str], times: int, *, accept: tuple[int, ...] = (0,), **kwargs: object
) -> Series:
    """`times` runs of the same command; the first is the cold one. An exit outside `accept` stops all."""
    runs = []
    for _ in range(times):
        run = timed(argv, **kwargs)  # type: ignore[arg-type]
        if run.returncode not in accept:
            tail = "\n".join(run.output.splitlines()[-15:])
            raise RuntimeError(f"{label}: {' '.join(argv[:3])} ... exited {run.returncode}:\n{tail}")
        runs.append(run)
    return Series(label, runs)


def mb(kilobytes: int) -> str:
    return f"{kilobytes / 1024:.0f} MB"


def row(series: Series, peer: Series | None = None) -> str:
    """`label  cold  warm  warm-CPU  peak` and, given a peer, the peer/this ratios cold-vs-cold and
    warm-vs-warm (wall). On a shared machine compare the CPU column: wall time includes waiting for a core."""
    text = (
        f"  {series.label:<58} {series.cold:8.2f} s {series.warm:8.2f} s {series.warm_cpu:8.2f} s"
        f" {mb(series.peak_rss_kb):>8}"
    )
    if peer is not None:
        text += f"   {peer.cold / series.cold:6.1f}x {peer.warm / series.warm:6.1f}x"
    return text


def header(ratio_of: str | None = None) -> str:
    text = f"  {'':<58} {'cold':>10} {'warm':>10} {'warm CPU':>10} {'peak RSS':>8}"
    if ratio_of:
        text += f"   {ratio_of}"
    return text
