"""One deploy per site at a time: a non-blocking lock per site; a second deploy is refused, not queued."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO


class SiteLockedError(Exception):
    pass


@contextmanager
def site_locks(root: Path, codes: list[str]) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for code in sorted(set(codes)):
            handle: IO[str] = stack.enter_context((root / f"{code}.lock").open("a+"))
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise SiteLockedError(
                    f"site {code} is being deployed by {holder}; try again when it ends"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}\n")
            handle.flush()
        yield
