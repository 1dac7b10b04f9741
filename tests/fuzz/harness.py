"""Run a fuzz corpus of wardnet commands: one process imports wardnet once, then forks a child per case.

Each child runs `wardnet.cli.main(argv)` in the case's folder with its own WARDNET_STATE_DIR, stdout and
stderr to files, a CPU limit and an alarm (a hang fails the case) and an address-space cap (a runaway case
fails alone instead of taking the machine). The parent reads each child's peak RSS from wait4. An exception
that escapes main is a bug by definition: the child prints its traceback and exits 99.

    python -m tests.fuzz.harness CASES.json RESULTS.json
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ESCAPED = 99  # an exception got past main's guard
ADDRESS_SPACE = 3 * 1024**3


def _child(case: dict[str, Any]) -> None:
    from wardnet.cli import main

    folder = Path(case["cwd"])
    out = os.open(folder / ".stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(folder / ".stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdout = os.fdopen(1, "w", closefd=False)
    sys.stderr = os.fdopen(2, "w", closefd=False)
    os.chdir(folder)
    os.environ.update(case.get("env", {}))
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    # A hang fails the case: a busy loop by its CPU time (SIGXCPU), which a loaded runner cannot inflate,
    # anything stuck waiting by a far wider wall-clock alarm. (A 20 s alarm alone killed a valid 200,000-
    # device merge on a runner at load 17.)
    seconds = int(case.get("timeout", 20))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    signal.alarm(seconds * 6)
    code = ESCAPED
    try:
        code = main(case["argv"])
    except BaseException:  # the point: anything that gets past main is a finding of the fuzzer
        traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# Imported once here and shared by every forked child: a child then costs the command, not the imports.
PRELOAD = (
    "wardnet.audit.history",
    "wardnet.audit.job",
    "wardnet.audit.merge",
    "wardnet.audit.report",
    "wardnet.pipeline",
    "wardnet.render",
    "wardnet.checks.run",
    "wardnet.systems.report",
)


def run(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import importlib

    from wardnet.cli import parser

    parser()  # imports every command's module
    for name in PRELOAD:
        importlib.import_module(name)

    results = []
    for case in cases:
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                _child(case)
            finally:
                os._exit(ESCAPED)
        _, status, usage = os.wait4(pid, 0)
        folder = Path(case["cwd"])
        results.append(
            {
                "name": case["name"],
                "code": os.waitstatus_to_exitcode(status),
                "rss_mb": usage.ru_maxrss / 1024,
                "seconds": time.monotonic() - start,
                "out": (folder / ".stdout").read_text(errors="replace"),
                "err": (folder / ".stderr").read_text(errors="replace"),
            }
        )
    return results


if __name__ == "__main__":
    corpus = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(run(corpus)))
