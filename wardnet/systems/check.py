"""Review rules of the catalogue: what the city's order requires of every system's record.

Errors: a kept system without a written reason or its legal basis, a system to retire without a
decommission plan (or with a database the decommission cannot archive), a record that contradicts its
status. Warnings: an overdue review. Duplicates and review dates in the future are refused earlier, as
bad input (exit 2), by load_catalogue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from wardnet.systems.catalogue import LoadedCatalogue
from wardnet.systems.models import System

ARCHIVABLE_ENGINES = {"postgresql"}


@dataclass(frozen=True)
class CatalogueProblem:
    severity: str  # error | warning
    system: str  # system id
    field: str
    message: str
    fix: str
    file: str
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        head = f"{self.severity.upper():8} {self.system}: {where}: {self.field}"
        return f"{head}: {self.message} (fix: {self.fix})"


def check_catalogue(loaded: LoadedCatalogue, today: date) -> list[CatalogueProblem]:
    findings: list[CatalogueProblem] = []
    interval = timedelta(days=loaded.catalogue.review_interval_days)
    for index, system in enumerate(loaded.catalogue.systems):
        found: list[tuple[str, str, str, str]] = []
        found += _status_rules(system)
        if system.status != "retired" and system.last_review + interval < today:
            found.append(
                (
                    "warning",
                    "last_review",
                    f"review overdue since {system.last_review + interval} (last {system.last_review}, every "
                    f"{loaded.catalogue.review_interval_days} days)",
                    "review the system and update last_review",
                )
            )
        findings += [_finding(loaded, index, system.id, item) for item in found]
    return findings


def _finding(
    loaded: LoadedCatalogue, index: int, system_id: str, rule: tuple[str, str, str, str]
) -> CatalogueProblem:
    severity, field, message, fix = rule
    parts = tuple(int(p) if p.isdigit() else p for p in field.split("."))
    return CatalogueProblem(
        severity, system_id, field, message, fix, loaded.shown, loaded.line_of_system(index, *parts)
    )


def _status_rules(system: System) -> list[tuple[str, str, str, str]]:
    """(severity, field, message, fix) for the rules that depend on the status."""
    rules: list[tuple[str, str, str, str]] = []
    if system.status == "keep":
        if system.reason is None:
            rules.append(("error", "reason", "kept without a written reason", "add reason: why it stays"))
        if system.legal_basis is None:
            rules.append(
                (
                    "error",
                    "legal_basis",
                    "kept without a legal basis",
                    "add legal_basis: {document: Quyết định …/QĐ-UBND, date: YYYY-MM-DD}",
                )
            )
    if system.status == "retire":
        if system.decommission is None:
            rules.append(
                (
                    "error",
                    "decommission",
                    "to retire without a decommission plan",
                    "add decommission: {planned, approved_by, services, data_dirs}",
                )
            )
        for db_index, database in enumerate(system.databases):
            if database.engine not in ARCHIVABLE_ENGINES:
                rules.append(
                    (
                        "error",
                        f"databases.{db_index}.engine",
                        f"the decommission archives postgresql only, not {database.engine}",
                        "archive this database by hand first, then remove it from the list",
                    )
                )
    if system.status == "retired" and system.retired is None:
        rules.append(
            (
                "error",
                "retired",
                "retired without the archive record",
                "add retired: {date, archive, manifest_sha256}",
            )
        )
    if system.status != "retired" and system.retired is not None:
        rules.append(
            (
                "error",
                "retired",
                f"has an archive record but its status is {system.status}",
                "set status: retired",
            )
        )
    return rules
