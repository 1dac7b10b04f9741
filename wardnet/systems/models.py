"""Typed model of the City Data Center's systems catalogue (inventories/datacenter/systems.yml).

Every model forbids unknown keys, like the network inventory: a typo is an error, never a silently ignored
setting. Data classes follow Decree 47/2020/NĐ-CP (open, shared, private data); criticality and the four
review criteria (efficiency, centralisation, integrity, data-sharing readiness) follow the city's review
order. Credentials never sit in the catalogue: database access uses the libpq environment (PGUSER,
PGPASSWORD or PGPASSFILE) of whoever runs the decommission.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)
from pydantic_core import PydanticCustomError

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # no system, document or plan outside these


def _check_text(value: str) -> str:
    for char in value:
        if unicodedata.category(char).startswith("C"):
            raise ValueError(f"contains a control or invisible character (U+{ord(char):04X})")
    if "{{" in value or "{%" in value or "{#" in value:
        raise ValueError("contains template syntax ({{, {% or {#); catalogue data is data, never a template")
    return unicodedata.normalize("NFC", value)


def _check_absolute(value: str) -> str:
    path = PurePosixPath(value)
    if not path.is_absolute() or ".." in path.parts or str(path) == "/":
        raise ValueError("must be an absolute path below / without '..'")
    if len(path.parts) < 3:  # never /srv or /var itself: at least two levels deep
        raise ValueError("is too close to / to be a system's own folder (at least two levels, e.g. /srv/app)")
    return str(path)


def _calendar_date(value: Any) -> date:
    """A day written YYYY-MM-DD (YAML gives a date, a quoted one a string); never a number of seconds since
    1970 (`last_review: 0` is a typo, not 1 January 1970) and never a date with a time."""
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        with contextlib.suppress(ValueError):  # 2025-02-30 stays text and is refused below
            value = date.fromisoformat(value)
    if not isinstance(value, date) or isinstance(value, datetime):
        kinds = {bool: "true/false", int: "a number", float: "a number", str: "text in another form"}
        kind = (
            "a date with a time" if isinstance(value, datetime) else kinds.get(type(value), "a list or map")
        )
        raise PydanticCustomError("calendar_date", "must be a calendar date, not {kind}", {"kind": kind})
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError(
            "calendar_date", "{value} is not a plausible date (years 1990-2100)", {"value": str(value)}
        )
    return value


Day = Annotated[date, BeforeValidator(_calendar_date)]

Text = Annotated[StrictStr, Field(min_length=1, max_length=400), AfterValidator(_check_text)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=120), AfterValidator(_check_text)]
SystemId = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
HostName = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")]
DbName = Annotated[StrictStr, Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")]
UnitName = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9@_.:-]{1,100}\.service$")]
AbsolutePath = Annotated[StrictStr, Field(max_length=400), AfterValidator(_check_absolute)]
Sha256 = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]

Status = Literal["keep", "retire", "review", "retired"]
Criticality = Literal["low", "medium", "high", "critical"]
DataClass = Literal["open", "shared", "private"]  # dữ liệu mở / dùng chung / dùng riêng (Decree 47/2020)
DataSharing = Literal["none", "file", "api", "lgsp"]  # lgsp: on the city's integration platform
Backup = Literal["none", "weekly", "daily"]
Engine = Literal["postgresql", "mysql", "mssql", "oracle"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(Model):
    """The document that decides the system's fate, e.g. Quyết định 2448/QĐ-UBND of 2025-07-15."""

    document: Name
    date: Day


class Server(Model):
    """A virtual machine that belongs to this system alone (shared database hosts go under databases)."""

    name: HostName
    vcpu: StrictInt = Field(ge=1, le=512)
    ram_gb: StrictInt = Field(ge=1, le=8192)
    disk_gb: StrictInt = Field(ge=1, le=1_000_000)
    cpu_peak_percent: StrictInt | None = Field(default=None, ge=0, le=100)


class Database(Model):
    engine: Engine
    name: DbName
    host: HostName
    port: StrictInt = Field(default=5432, ge=1, le=65535)


class Service(Model):
    """A service stopped and disabled at reclaim: a systemd unit, or a process named by its pidfile."""

    unit: UnitName | None = None
    pidfile: AbsolutePath | None = None
    command: Name | None = None  # with pidfile: the process's command line must contain this

    @model_validator(mode="after")
    def _one_kind(self) -> Service:
        if (self.unit is None) == (self.pidfile is None):
            raise ValueError("give exactly one of unit (a systemd .service) or pidfile")
        if self.command is not None and self.pidfile is None:
            raise ValueError("command only goes with pidfile")
        return self

    @property
    def label(self) -> str:
        return self.unit or f"pidfile {self.pidfile}"


class DecommissionPlan(Model):
    planned: Day
    approved_by: Name
    replacement: Name | None = None  # the system that takes over its work, if any
    retention_years: StrictInt = Field(default=10, ge=1, le=100)
    services: list[Service] = []
    data_dirs: list[AbsolutePath] = []


class Retired(Model):
    """Written by the decommission: when, and where the verified archive lies."""

    date: Day
    archive: AbsolutePath
    manifest_sha256: Sha256


class System(Model):
    id: SystemId
    name: Name
    owner: Name
    purpose: Text
    criticality: Criticality
    data_classification: DataClass
    servers: list[Server] = []
    databases: list[Database] = []
    status: Status
    reason: Text | None = None
    legal_basis: LegalBasis | None = None
    last_review: Day
    data_sharing: DataSharing
    centralisation_candidate: StrictBool
    backup: Backup
    restore_tested: Day | None = None
    decommission: DecommissionPlan | None = None
    retired: Retired | None = None

    @property
    def vcpu(self) -> int:
        return sum(s.vcpu for s in self.servers)

    @property
    def ram_gb(self) -> int:
        return sum(s.ram_gb for s in self.servers)

    @property
    def disk_gb(self) -> int:
        return sum(s.disk_gb for s in self.servers)


class Catalogue(Model):
    datacenter: Name
    review_interval_days: StrictInt = Field(default=365, ge=30, le=1825)
    systems: list[System] = Field(min_length=1)

    def get(self, system_id: str) -> System | None:
        return next((s for s in self.systems if s.id == system_id), None)
