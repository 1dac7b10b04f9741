"""Progress for long runs: a rich bar on an interactive terminal, nothing in CI or in a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

Item = TypeVar("Item")


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def progress(items: Iterable[Item], total: int, description: str) -> Iterator[Item]:
    if not interactive():
        yield from items
        return
    from rich.console import Console
    from rich.progress import track

    # On stderr, so the report on stdout stays clean when piped.
    yield from track(
        items, total=total, description=description, console=Console(stderr=True), transient=True
    )


class Tracker:
    """A bar advanced from worker threads (Nornir's pool): `advance(label)` after each item."""

    def __init__(self, total: int, description: str) -> None:
        self.total, self.description, self.done = total, description, 0
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Tracker:
        if interactive():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[last]}"),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, last="")
        return self

    def advance(self, label: str = "") -> None:
        self.done += 1  # rich's Progress is thread-safe; the counter is only read for display
        if self._bar is not None:
            self._bar.update(self._task, advance=1, last=label)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
