"""A pytest plugin for `make mutation` (`-p tests.mutation_order`): a mutant's tests run fastest first, each
mutant with its own empty state folder.

mutmut hands each mutant the tests that reached the mutated function, in no particular order, and stops at the
first failure (-x); running them by the duration mutmut measured in its clean run lets most mutants die in the
cheapest test that catches them instead of after a slow one. Outside mutmut there are no durations: no change.

Every mutant is the same source files (mutmut picks the mutant by an environment variable), so `wardnet
check`'s content-hash cache (STATE/cache/check, keyed by the code's files) would hand a mutant the findings
the clean run stored: each test session gets a fresh WARDNET_STATE_DIR instead. For the same reason each
session and each test start with the memos kept across configs emptied (the parsers' shared blocks, rule
answers per block body, rules' kept findings, each platform's cleaned lines): a mutant is forked from the
process that ran the tests clean, and a memo filled there would answer for the mutated function
(scripts/rule_corpus.py --fresh empties the same ones).

The test that killed each mutant is appended to killed_by.txt (mutant, test) in mutmut's folder:
scripts/mutation.py counts a mutant killed only with a test seen failing there (or a timeout), and counts
the kills per test, so a slow test that kills nothing shows. A mutant's session that ended badly with no
test failed goes to sessions.txt, with pytest's exit status.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import pytest

_STATE: list[tuple[str, str | None]] = []  # (the session's folder, WARDNET_STATE_DIR before it)
_MUTANT: list[tuple[str, str]] = []  # (the mutant under test, mutmut's folder), per session


def _durations() -> dict[str, float]:
    try:
        from mutmut.state import state  # only present under `make mutation`
    except ImportError:
        return {}
    durations: dict[str, float] = state().duration_by_test
    return durations


# Modules whose private module-level dicts are memos kept across configs.
MEMO_MODULES = (
    "wardnet.tree",
    "wardnet.checks.memo",
    "wardnet.checks.parse",
    "wardnet.checks.replay",
    "wardnet.checks.rules_ios",
    "wardnet.checks.rules_fortios",
)


def forget() -> None:
    """Empty the memos kept across configs, in the modules already imported."""
    for name in MEMO_MODULES:
        module = sys.modules.get(name)
        for key, value in vars(module).items() if module else ():
            if key.startswith("_") and not key.startswith("__") and isinstance(value, dict):
                value.clear()
    platforms = sys.modules.get("wardnet.platforms")
    for platform in platforms.PLATFORMS.values() if platforms else ():
        vars(platform).pop("_cleaned", None)  # a functools.cached_property: made again when read


def pytest_configure(config: pytest.Config) -> None:
    # The mutant and mutmut's folder, read once at the start: a test may empty os.environ (the secrets
    # module's take_from_environment pops variables; one mutant of it pops them all) or change directory.
    _MUTANT.append((os.environ.get("MUTANT_UNDER_TEST", ""), os.getcwd()))
    forget()
    _STATE.append((tempfile.mkdtemp(prefix="wardnet-mutant-"), os.environ.get("WARDNET_STATE_DIR")))
    os.environ["WARDNET_STATE_DIR"] = _STATE[-1][0]


def pytest_unconfigure(config: pytest.Config) -> None:
    _MUTANT.pop()
    folder, before = _STATE.pop()
    shutil.rmtree(folder, ignore_errors=True)
    if before is None:
        os.environ.pop("WARDNET_STATE_DIR", None)
    else:
        os.environ["WARDNET_STATE_DIR"] = before


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Each test starts with the memos empty, in the clean run too: mutmut maps a test to the functions it
    # reaches by tracing that run, and a test answered from an earlier test's memo (the same text, the same
    # Expect) reaches no rule, so it was never run on that rule's mutants (one rules-ios mutant survived
    # when two test files came to share one Expect).
    forget()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    durations = _durations()
    if durations:
        items.sort(key=lambda item: durations.get(item.nodeid, 0.0))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A mutant's session that ends badly with no test failed (a test id "not found", a usage or internal
    error) is written to sessions.txt: scripts/mutation.py reports such a mutant as an error, not a kill."""
    mutant, folder = _MUTANT[-1] if _MUTANT else ("", "")
    if "__mutmut_" in mutant and exitstatus != 0 and not session.testsfailed:
        with open(os.path.join(folder, "sessions.txt"), "a", encoding="utf-8") as out:
            out.write(f"{mutant} pytest exit {int(exitstatus)}, no test failed\n")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    mutant, folder = _MUTANT[-1] if _MUTANT else ("", "")
    if report.failed and "__mutmut_" in mutant:
        with open(os.path.join(folder, "killed_by.txt"), "a", encoding="utf-8") as out:
            out.write(f"{mutant} {report.nodeid}\n")
