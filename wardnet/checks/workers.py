"""Indices shared among forked worker processes, results handed back in index order (the check's sites).

Why not multiprocessing.Pool: its worker-handler thread waits on the result pipe too, so it wakes whenever a
result waits there and polls until the result thread has read it. For a city's 85 results that was about
3,400 wake-ups and, with the result thread, 0.15-0.3 s of the parent's CPU (CPython 3.11), taken from the
two cores the workers need. Here the parent's one thread waits on the workers' pipes, gives a worker its
next chunk of indices when it sends one back (a worker slowed by other load simply takes fewer), and keeps
results until their turn. Workers are forked: they inherit what the task reads, prepared beforehand.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


class WorkerError(Exception):
    """The traceback of an exception raised in a worker, as its text (the cause of the re-raised one)."""


class Forked(Generic[T]):
    """`workers` processes forked on entry, each computing task(i) for the indices it is sent; ended on exit.
    Forked before the caller starts any thread (a progress bar's), as forking a threaded process is not
    safe."""

    def __init__(self, task: Callable[[int], T], workers: int) -> None:
        self.task, self.workers = task, workers
        self._pipes: list[Connection] = []
        self._processes: list[BaseProcess] = []
        self._finished = False

    def __enter__(self) -> Forked[T]:
        context = multiprocessing.get_context("fork")
        try:
            for _ in range(self.workers):
                ours, theirs = context.Pipe()
                # The child closes its copies of the parent's ends (its own and the earlier workers'): an
                # end left open in any process would keep that worker from ever reading the parent's close.
                others = [*self._pipes, ours]
                process = context.Process(target=_serve, args=(theirs, others, self.task), daemon=True)
                process.start()
                theirs.close()
                self._pipes.append(ours)
                self._processes.append(process)
        except BaseException:
            self.__exit__(None, None, None)  # the workers already forked are ended
            raise
        return self

    def in_order(self, count: int, chunk: int) -> Iterator[T]:
        """task(0), ..., task(count - 1), `chunk` indices per message. A task's exception is raised here
        (its traceback in the worker as the cause)."""
        given = iter(range(0, count, chunk))
        busy: list[Connection] = []
        for pipe in self._pipes:
            start = next(given, None)
            if start is None:
                break
            pipe.send(range(start, min(start + chunk, count)))
            busy.append(pipe)
        kept: dict[int, list[T]] = {}
        turn = 0  # the first index not yet handed back
        while busy:
            for pipe in cast(list[Connection], wait(busy)):  # the ready ones of what it was given
                start, results = _received(pipe)
                kept[start] = results
                following = next(given, None)
                if following is None:
                    busy.remove(pipe)
                else:
                    pipe.send(range(following, min(following + chunk, count)))
            while turn in kept:
                results = kept.pop(turn)
                yield from results
                turn += len(results)
        self._finished = True

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for pipe in self._pipes:
            pipe.close()  # a worker waiting for its next chunk reads the end and returns
        for process in self._processes:
            if not self._finished:
                process.terminate()  # stopped early (an error, an interrupt): no chunk is worth finishing
            process.join()


def _received(pipe: Connection) -> tuple[int, list[Any]]:
    try:
        start, outcome, trace = pipe.recv()
    except EOFError:
        raise RuntimeError("a check worker ended without sending its results (killed?)") from None
    if isinstance(outcome, BaseException):
        raise outcome from WorkerError(trace)
    return start, outcome


def _serve(pipe: Connection, parents: list[Connection], task: Callable[[int], T]) -> None:
    """A worker: each chunk of indices received → (its first index, [task(i)...]) sent back; ends when
    the parent closes its end."""
    for end in parents:
        end.close()
    while True:
        try:
            indices: range = pipe.recv()
        except EOFError:
            return
        try:
            pipe.send((indices.start, [task(i) for i in indices], ""))
        except Exception as exc:  # the parent raises it (an exception that cannot be sent: its text)
            trace = traceback.format_exc()
            try:
                pipe.send((indices.start, exc, trace))
            except Exception:
                pipe.send((indices.start, RuntimeError(f"{type(exc).__name__}: {exc}"), trace))
