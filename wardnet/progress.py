"""Progress for long runs: a rich bar on an interactive terminal, nothing in CI or in a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

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
