"""The check stage: nothing unchecked reaches a device. Its findings are wardnet.findings.Finding."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml


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
