"""Load and validate the systems catalogue; every problem names the file, the line, the field and the fix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from wardnet.errors import InputError, InputProblem, display_path
from wardnet.inventory import validate
from wardnet.systems.models import Catalogue
from wardnet.yamlsrc import YamlSource, read_yaml

# Beside inventories/, not in it: every file under inventories/ is offered to the Ansible inventory
# plugins, and a file none of them parses is an inventory warning.
DEFAULT_CATALOGUE = Path("inventories/datacenter/systems.yml")
_GENERIC_FIX = "see the schema in README.md (Inventory)"
TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
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
    """Read and validate the catalogue file; raise InputError listing every schema problem."""
    if not path.is_file():
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
    try:
        source = read_yaml(path)
    except ValueError as exc:  # e.g. 2025-13-01: PyYAML raises ValueError, not YAMLError, for such dates
        raise InputError([_bad_date(path, exc)]) from None
    catalogue, problems = validate(source, Catalogue)
    if problems:
        raise InputError([_refine(problem) for problem in problems])
    return LoadedCatalogue(catalogue, source)


def _bad_date(path: Path, exc: ValueError) -> InputProblem:
    """Name the line of the first timestamp-looking value PyYAML cannot turn into a date."""
    text = path.read_text(encoding="utf-8")
    line = None
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.ScalarEvent) and event.implicit[0] and TIMESTAMP.match(event.value):
            try:
                yaml.safe_load(event.value)
            except ValueError:
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                break
    return InputProblem(display_path(path), "", f"invalid date ({exc})", "write the date as YYYY-MM-DD", line)


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
