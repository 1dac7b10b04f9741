"""Errors about input: each names the file, the field and the fix, so nobody needs a traceback."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input file."""

    file: str
    field: str
    message: str
    fix: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message} (fix: {self.fix})"


class InputError(Exception):
    """Raised when inputs cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def display_path(path: Path) -> str:
    """A path relative to the working directory when possible, as engineers type it."""
    try:
        return str(path.resolve().relative_to(_resolved(os.getcwd())))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return str(path)


@lru_cache(maxsize=8)
def _resolved(cwd: str) -> Path:
    """The working directory with its symlinks resolved, once per directory (the inventory names ~900
    files; resolving the same directory for each was a tenth of loading it)."""
    return Path(cwd).resolve()


# A field whose name says it holds a secret: its value is never shown, even when it is refused (a secret
# written in clear where `{secret: NAME}` belongs must not reach a CI log through the error about it).
SECRET_FIELD = re.compile(r"secret|passw|pwd|key|psk|community|token|credential|hash", re.IGNORECASE)
HIDDEN = "(value hidden: a secret goes here)"
SHOWN_CHARS = 60


def shown_value(value: Any, secret: bool = False) -> str:
    """A refused value as an error message may quote it: short, one line, never a secret."""
    if secret:
        return HIDDEN
    if value is None or isinstance(value, bool | int | float | str):
        text = repr(value)
    else:
        text = f"a {type(value).__name__}"
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
