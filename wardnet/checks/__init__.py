"""The check stage: nothing unchecked reaches a device."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import yaml

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. L2-MGMT-03, PLAN-OVERLAP, CAP-POOL
    severity: str
    site: str  # site code, or "city"
    device: str  # hostname, or "" for site-wide findings
    message: str
    clause: str = ""
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class RuleInfo:
    id: str
    item: int
    severity: str
    clause: str
    title: str


@cache
def level2_rules() -> dict[str, RuleInfo]:
    data = yaml.safe_load((Path(__file__).parent / "level2.yml").read_text(encoding="utf-8"))
    return {entry["id"]: RuleInfo(**entry) for entry in data}
