"""Load and validate the systems catalogue; every problem names the file, the line, the field and the fix."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from wardnet.errors import InputError, InputProblem, display_path
from wardnet.inventory import validate
from wardnet.systems.models import Catalogue
from wardnet.yamlsrc import YamlSource, read_yaml

# Beside inventories/, not in it: every file under inventories/ is offered to the Ansible inventory
# plugins, and a file none of them parses is an inventory warning.
DEFAULT_CATALOGUE = Path("inventories/datacenter/systems.yml")
_GENERIC_FIX = "see the schema in README.md (Inventory)"
_DATE_FIELDS = ("date", "last_review", "restore_tested", "planned")


@dataclass(frozen=True)
class LoadedCatalogue:
    catalogue: Catalogue
    source: YamlSource

    @property
    def shown(self) -> str:
        return display_path(self.source.path)

    def line_of_system(self, index: int, *field: str | int) -> int | None:
        return self.source.line_of(("systems", index, *field))


def load_catalogue(path: Path) -> LoadedCatalogue:
    """Read and validate the catalogue file; raise InputError listing every schema problem, every
    duplicate (an id or a server given twice) and every review date in the future."""
    if not os.path.lexists(path):  # anything else that exists (a FIFO, a link loop) is named by read_yaml
        raise InputError(
            [
                InputProblem(
                    display_path(path),
                    "",
                    "catalogue file not found",
                    f"point --catalogue at the catalogue (default {DEFAULT_CATALOGUE})",
                )
            ]
        )
    source = read_yaml(path)  # limits, syntax, impossible dates (2025-13-01) and duplicate keys
    catalogue, problems = validate(source, Catalogue)
    if problems:
        raise InputError([_refine(problem) for problem in problems])
    loaded = LoadedCatalogue(catalogue, source)
    problems = _duplicates(loaded) + _future_reviews(loaded)
    if problems:
        raise InputError(problems)
    return loaded


def _duplicates(loaded: LoadedCatalogue) -> list[InputProblem]:
    """An id or a server twice makes every count and every decommission ambiguous: the input is wrong."""
    problems = []
    first_id: dict[str, int] = {}
    server_owner: dict[str, str] = {}
    for index, system in enumerate(loaded.catalogue.systems):
        if system.id in first_id:
            first = loaded.line_of_system(first_id[system.id])
            problems.append(
                InputProblem(
                    loaded.shown,
                    f"systems.{index}.id",
                    f"id {system.id} given twice (first on line {first})",
                    "give each system its own id",
                    loaded.line_of_system(index, "id"),
                )
            )
        first_id.setdefault(system.id, index)
        for server_index, server in enumerate(system.servers):
            owner = server_owner.setdefault(server.name, system.id)
            if owner != system.id:
                problems.append(
                    InputProblem(
                        loaded.shown,
                        f"systems.{index}.servers.{server_index}.name",
                        f"server {server.name} is also listed by {owner}; its resources would count twice",
                        "list a virtual machine under one system only (shared hosts go under databases)",
                        loaded.line_of_system(index, "servers", server_index),
                    )
                )
    return problems


def _future_reviews(loaded: LoadedCatalogue) -> list[InputProblem]:
    """A review, a restore test or a retirement that has not happened yet is a typo. Judged by the clock,
    not --today (which asks "as of that day"), with a day's grace: Ho Chi Minh City is UTC+7."""
    latest = date.today() + timedelta(days=1)
    problems = []
    for index, system in enumerate(loaded.catalogue.systems):
        done = [("last_review", system.last_review), ("restore_tested", system.restore_tested)]
        if system.retired is not None:
            done.append(("retired.date", system.retired.date))
        for field, day in done:
            if day is not None and day > latest:
                parts = tuple(field.split("."))
                problems.append(
                    InputProblem(
                        loaded.shown,
                        f"systems.{index}.{field}",
                        f"{day} is in the future: this has not happened yet",
                        "write the day it was done, YYYY-MM-DD",
                        loaded.line_of_system(index, *parts),
                    )
                )
    return problems


def _refine(problem: InputProblem) -> InputProblem:
    """The inventory's generic hint points at the network schema; point at the catalogue's instead."""
    if problem.fix != _GENERIC_FIX:
        return problem
    last = problem.field.rsplit(".", 1)[-1]
    fix = (
        "write the date as YYYY-MM-DD, e.g. 2025-07-15"
        if last in _DATE_FIELDS
        else "see the catalogue schema in wardnet/systems/models.py"
    )
    return InputProblem(problem.file, problem.field, problem.message, fix, problem.line)
