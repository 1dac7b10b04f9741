"""The check's forked workers (wardnet/checks/workers.py): every index once, results in index order, a
worker's exception raised in the parent, a dead worker reported, and no worker left behind."""

from __future__ import annotations

import os
import signal

import pytest

from wardnet.checks.workers import Forked, WorkerError

PARENT = os.getpid()


def _square_and_pid(index: int) -> tuple[int, int]:
    return index * index, os.getpid()


def _fails_at_seven(index: int) -> int:
    if index == 7:
        raise ValueError(f"site {index} cannot be designed")
    return index


def _dies_at_five(index: int) -> int:
    if index == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    return index


@pytest.mark.parametrize(("count", "workers", "chunk"), [(23, 2, 2), (5, 3, 4), (1, 2, 2), (0, 2, 2)])
def test_every_index_once_in_order_computed_in_the_workers(count: int, workers: int, chunk: int) -> None:
    with Forked(_square_and_pid, workers) as pool:
        results = list(pool.in_order(count, chunk))
        pids = {p.pid for p in pool._processes}
    assert [square for square, _ in results] == [i * i for i in range(count)]
    assert {pid for _, pid in results} <= pids
    assert PARENT not in pids


def test_the_work_is_shared_between_the_workers() -> None:
    with Forked(_square_and_pid, 2) as pool:
        results = list(pool.in_order(40, 2))
    assert len({pid for _, pid in results}) == 2


def test_a_task_error_is_raised_in_the_parent_with_the_workers_traceback() -> None:
    with (
        pytest.raises(ValueError, match="site 7 cannot be designed") as raised,
        Forked(_fails_at_seven, 2) as pool,
    ):
        list(pool.in_order(20, 2))
    assert isinstance(raised.value.__cause__, WorkerError)
    assert "_fails_at_seven" in str(raised.value.__cause__)
    assert all(not p.is_alive() for p in pool._processes)


def test_a_dead_worker_is_reported_not_waited_for() -> None:
    with (
        pytest.raises(RuntimeError, match="ended without sending its results"),
        Forked(_dies_at_five, 2) as pool,
    ):
        list(pool.in_order(12, 2))
    assert all(not p.is_alive() for p in pool._processes)


def test_no_worker_outlives_the_block() -> None:
    with Forked(_square_and_pid, 2) as pool:
        assert all(p.is_alive() for p in pool._processes)
        list(pool.in_order(6, 2))
    assert [p.exitcode for p in pool._processes] == [0, 0]  # ended by the parent's close, not killed


def test_a_caller_that_stops_early_ends_the_workers() -> None:
    with Forked(_square_and_pid, 2) as pool:
        first = next(iter(pool.in_order(30, 2)))
    assert first[0] == 0
    assert all(not p.is_alive() for p in pool._processes)
