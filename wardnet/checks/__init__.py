"""The check stage: nothing unchecked reaches a device. Its findings are wardnet.findings.Finding."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: str
    clause: str  # TCVN 14423:2026 level-2 clause, "BP", or "" for a CIS-only control
    title: str
    item: int = 0  # the checklist number in shared/LEVEL2.md
    former: str = ""  # the superseded standard the clause was also numbered in
    cis: str = ""  # CIS benchmark control(s) the rule covers

    @property
    def reference(self) -> str:
        """What a finding cites: the TCVN clause and the CIS control(s)."""
        parts = [f"TCVN 14423:2026 {self.clause}" if self.clause.startswith("§") else self.clause, self.cis]
        return "; ".join(p for p in parts if p)


@cache
def level2_rules() -> dict[str, RuleInfo]:
    data = yaml.safe_load((Path(__file__).parent / "level2.yml").read_text(encoding="utf-8"))
    return {entry["id"]: RuleInfo(**entry) for entry in data}
