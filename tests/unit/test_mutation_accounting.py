"""How `make mutation` counts a mutant (scripts/mutation.py): killed only by a test seen failing on it or by a
timeout. mutmut's own exit code 1 also comes from a forked child that raised before any test ran (pytest's
"not found" for a test id), and such a mutant once counted as killed made a 80 % module look 99.6 %."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutation.py"


def _mutation() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wardnet_mutation_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_exit_1_is_a_kill_only_with_a_failed_test_seen() -> None:
    mutation = _mutation()
    codes = {"m.x_a__mutmut_1": 1, "m.x_a__mutmut_2": 1, "m.x_a__mutmut_3": 0, "m.x_a__mutmut_4": None}
    result = mutation.score(codes, {"m.x_a__mutmut_1": "tests/unit/test_a.py::test_one"})
    assert (result.killed, result.survivors, result.errors) == (1, ["m.x_a__mutmut_3"], ["m.x_a__mutmut_2"])
    assert result.counted == 3  # the error counts against the score; the mutant never run does not


def test_a_timeout_is_a_kill_and_an_equivalent_mutant_is_left_out() -> None:
    mutation = _mutation()
    equivalent = next(iter(mutation.EQUIVALENT))
    codes = {"m.x_b__mutmut_1": -24, "m.x_b__mutmut_2": 152, equivalent: 0, "m.x_b__mutmut_3": 5}
    result = mutation.score(codes, {})
    assert (result.killed, result.survivors, result.errors) == (2, ["m.x_b__mutmut_3"], [])


def test_the_failed_tests_and_session_notes_are_read_from_mutmuts_folder(tmp_path: Path) -> None:
    mutation = _mutation()
    (tmp_path / "mutants").mkdir()
    (tmp_path / "mutants" / "killed_by.txt").write_text(
        "m.x_a__mutmut_1 tests/unit/test_a.py::test_one[a b]\n"
    )
    (tmp_path / "mutants" / "sessions.txt").write_text("m.x_a__mutmut_2 pytest exit 4, no test failed\n")
    assert mutation.failed_tests(tmp_path) == {"m.x_a__mutmut_1": "tests/unit/test_a.py::test_one[a b]"}
    assert mutation._session_notes(tmp_path) == {"m.x_a__mutmut_2": "pytest exit 4, no test failed"}
    assert mutation.failed_tests(tmp_path / "elsewhere") == {}
