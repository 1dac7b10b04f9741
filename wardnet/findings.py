"""What every stage reports: severities, the check stage's Finding, and the exit codes of every command.

The audit's per-line drift (audit/model.py `Drift`) and the catalogue review's problems
(systems/check.py `CatalogueProblem`) carry their own fields, but rank by these same severities.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import IntEnum

SEVERITIES = ("critical", "high", "medium", "low")  # worst first: reports sort by this index


class ExitCode(IntEnum):
    """0 all good, 1 findings (drift, failed checks, failed devices), 2 could not run, 3 internal error."""

    OK = 0
    FINDINGS = 1
    NOT_RUN = 2
    INTERNAL = 3


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
