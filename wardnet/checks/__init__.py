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

    def reference(self, cis_prefix: str | None) -> str:
        """What a finding cites: the TCVN clause and the CIS control(s) of the platform's benchmark (the
        platform's `cis_prefix`; None: it has none)."""
        controls = [c for c in self.cis.split(", ") if cis_prefix and c.startswith(cis_prefix)]
        tcvn = f"TCVN 14423:2026 {self.clause}" if self.clause.startswith("§") else self.clause
        return "; ".join(p for p in (tcvn, ", ".join(controls)) if p)


@cache
def level2_rules() -> dict[str, RuleInfo]:
    text = (Path(__file__).parent / "level2.yml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: the same data
    return {entry["id"]: RuleInfo(**entry) for entry in data}
