"""A pytest plugin for `make mutation` (`-p tests.mutation_order`): a mutant's tests run fastest first.

mutmut hands each mutant the tests that reached the mutated function, in no particular order, and stops at the
first failure (-x); running them by the duration mutmut measured in its clean run lets most mutants die in the
cheapest test that catches them instead of after a slow one. Outside mutmut there are no durations: no change.
"""

from __future__ import annotations

import pytest


def _durations() -> dict[str, float]:
    try:
        from mutmut.state import state  # only present under `make mutation`
    except ImportError:
        return {}
    durations: dict[str, float] = state().duration_by_test
    return durations


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    durations = _durations()
    if durations:
        items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
