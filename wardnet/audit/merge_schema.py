"""The schema of a shard file (`report.json` or `--json` of `wardnet audit --shard K/N`), checked before
`wardnet audit merge` believes a single field of it.

Strict: no coercion, no unknown keys, every string and list bounded, so a corrupt or hand-made file is
refused with the field and the fix instead of crashing deep inside the merge, the history or a report. The
fields mirror wardnet.audit.model (a test keeps the two in step); report.json's derived figures (sites,
compliance, exit_code) are allowed and ignored: the merge recomputes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from wardnet.audit.model import FEATURES
from wardnet.audit.shard import ShardError, parse_shard

if TYPE_CHECKING:
    Feature = str
else:  # built from the one feature list, so a new feature needs no edit here
    Feature = Literal[tuple(FEATURES)]
Line = Annotated[str, Field(max_length=100_000)]
Block = Annotated[str, Field(max_length=2_000_000)]  # a device's diff or remediation
Word = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$")]
MANY = 100_000


def _instant(text: str) -> str:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("is not an ISO 8601 time such as 2026-11-23T02:00:00+00:00") from None
    return text


def _shard(text: str) -> str:
    if text:
        try:
            parse_shard(text)
        except ShardError as exc:
            raise ValueError(str(exc).removeprefix("--shard ")) from None
    return text


def _day(text: str) -> str:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise ValueError("is not a date written YYYY-MM-DD") from None
    return text


Instant = Annotated[str, Field(max_length=40), AfterValidator(_instant)]


class Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class FindingIn(Model):
    kind: Literal["missing", "extra", "changed"]
    feature: Feature
    section: Line
    intended: Line = ""
    running: Line = ""
    ignored_by: Annotated[str, Field(max_length=200)] = ""


class RuleFindingIn(Model):
    rule: Annotated[str, Field(min_length=1, max_length=100)]
    severity: Literal["critical", "high", "medium", "low"]
    message: Line
    clause: Line = ""
    fix: Line = ""


class DeviceIn(Model):
    name: Word
    site: Annotated[str, Field(pattern=r"^[0-9]{5}$")]
    platform: Word
    role: Word
    status: Literal["compliant", "drift", "not-audited"]
    error: Line = ""
    findings: Annotated[list[FindingIn], Field(max_length=MANY)] = []
    features: Annotated[list[Feature], Field(max_length=len(FEATURES))] = []
    diff: Block = ""
    remediation: Block = ""
    baseline: Annotated[list[RuleFindingIn], Field(max_length=MANY)] = []


class IgnoreRuleIn(Model):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    reason: Line
    expires: Annotated[str, Field(max_length=10), AfterValidator(_day)]
    feature: Line = ""
    pattern: Line = ""
    sites: Annotated[list[Line], Field(max_length=MANY)] = []
    devices: Annotated[list[Line], Field(max_length=MANY)] = []
    source: Line = ""


class ShardIn(Model):
    run_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    started: Instant
    finished: Instant
    shard: Annotated[str, Field(max_length=20), AfterValidator(_shard)] = ""
    backup_commit: Annotated[str, Field(pattern=r"^[0-9A-Za-z,]{0,10000}$")] = ""
    backup_error: Line = ""
    devices: Annotated[list[DeviceIn], Field(max_length=MANY)] = []
    expired_ignores: Annotated[list[IgnoreRuleIn], Field(max_length=10_000)] = []
    # report.json's derived figures: allowed, not trusted, recomputed by the merge
    sites: Annotated[list[dict[str, Any]], Field(max_length=MANY)] | None = None
    compliance: float | int | None = None
    exit_code: int | None = None

    @model_validator(mode="after")
    def _in_order(self) -> ShardIn:
        start, end = (datetime.fromisoformat(t) for t in (self.started, self.finished))
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise ValueError("started and finished must both carry a UTC offset, or neither")
        if end < start:
            raise ValueError(f"finished ({self.finished}) is before started ({self.started})")
        return self

    def run_dict(self) -> dict[str, Any]:
        """The fields AuditRun.from_dict reads, without report.json's derived figures."""
        return self.model_dump(exclude={"sites", "compliance", "exit_code"})
