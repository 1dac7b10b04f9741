"""What a decommission run is made of: its options, its steps and its outcome."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from wardnet.systems import pg


class RefusedError(Exception):
    """The decommission cannot start; nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class StepError(Exception):
    """One step failed; the run stops there."""


@dataclass(frozen=True)
class Options:
    catalogue: Path
    system: str
    archive_store: Path
    work_dir: Path
    commit: bool = False
    today: date | None = None


@dataclass
class Step:
    name: str
    status: str  # would | done | failed
    detail: str = ""


@dataclass
class Outcome:
    system: str
    commit: bool
    ok: bool
    steps: list[Step] = field(default_factory=list)
    archive: str | None = None
    manifest_sha256: str | None = None
    deleted: bool = False  # whether anything was dropped or removed
    message: str = ""

    @property
    def changed(self) -> bool:
        return any(step.status == "done" for step in self.steps)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "changed": self.changed}

    def lines(self) -> list[str]:
        """One line per step for people: status, name, detail."""
        return [f"{s.status:6} {s.name}" + (f": {s.detail}" if s.detail else "") for s in self.steps]


class Run:
    """The steps taken so far and the databases frozen so far (to thaw them if the run fails)."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.frozen: list[pg.Frozen] = []

    @contextmanager
    def step(self, name: str) -> Iterator[Step]:
        record = Step(name, "running")
        self.steps.append(record)
        try:
            yield record
        except Exception as exc:  # any failure stops the run, named by its step
            record.status = "failed"
            record.detail = str(exc) or exc.__class__.__name__
            raise StepError(f"step '{name}' failed: {record.detail}") from exc
        record.status = "done"
