"""The review report as plain data: counts, resources to reclaim, legal-basis gaps and criteria scores.

Scores are 0-100 per criterion of the city's order, computed only from the catalogue so anyone can redo
them by hand:

- efficiency: vCPU-weighted peak CPU use of the system's servers; 60 % or more scores 100 (unknown when
  no server reports cpu_peak_percent).
- centralisation: 0 for a centralisation candidate (duplicates a shared platform); otherwise 100 when every
  database sits on a host shared with another system, 70 when it keeps a database host of its own.
- integrity: backups (daily 60, weekly 30, none 0) plus 40 for a restore test within the review interval.
- data_sharing: none 0, file exports 30, own API 70, on the city's integration platform (LGSP) 100.

A retired system is not scored (it no longer runs).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from wardnet.systems.check import CatalogueProblem
from wardnet.systems.models import Catalogue, System

STATUSES = ("keep", "review", "retire", "retired")
CRITERIA = ("efficiency", "centralisation", "integrity", "data_sharing")
SCORES = (*CRITERIA, "overall")
FULL_USE_PERCENT = 60
BACKUP_POINTS = {"daily": 60, "weekly": 30, "none": 0}
RESTORE_POINTS = 40
SHARING_POINTS = {"none": 0, "file": 30, "api": 70, "lgsp": 100}
OWN_DATABASE_HOST = 70


def scores(system: System, catalogue: Catalogue, today: date) -> dict[str, int | None]:
    result: dict[str, int | None] = {
        "efficiency": _efficiency(system),
        "centralisation": _centralisation(system, catalogue),
        "integrity": _integrity(system, catalogue, today),
        "data_sharing": SHARING_POINTS[system.data_sharing],
    }
    known = [value for value in result.values() if value is not None]
    result["overall"] = round(sum(known) / len(known)) if known else None
    return result


def _efficiency(system: System) -> int | None:
    measured = [s for s in system.servers if s.cpu_peak_percent is not None]
    if not measured:
        return None
    weighted = sum(s.vcpu * (s.cpu_peak_percent or 0) for s in measured) / sum(s.vcpu for s in measured)
    return min(100, round(weighted * 100 / FULL_USE_PERCENT))


def _centralisation(system: System, catalogue: Catalogue) -> int:
    if system.centralisation_candidate:
        return 0
    live = [other for other in catalogue.systems if other.status != "retired"]
    hosts = Counter((db.host, db.port) for other in live for db in other.databases)
    if any(hosts[(db.host, db.port)] < 2 for db in system.databases):  # shared: two or more systems
        return OWN_DATABASE_HOST
    return 100


def _integrity(system: System, catalogue: Catalogue, today: date) -> int:
    points = BACKUP_POINTS[system.backup]
    recent = today - timedelta(days=catalogue.review_interval_days)
    if system.restore_tested is not None and system.restore_tested >= recent:
        points += RESTORE_POINTS
    return points


def build_report(
    catalogue: Catalogue, findings: list[CatalogueProblem], today: date, source: str = ""
) -> dict[str, Any]:
    systems = catalogue.systems
    by_owner: dict[str, dict[str, int]] = {}
    for system in sorted(systems, key=lambda s: s.owner):
        counts = by_owner.setdefault(system.owner, dict.fromkeys((*STATUSES, "total"), 0))
        counts[system.status] += 1
        counts["total"] += 1
    to_retire = [s for s in systems if s.status == "retire"]
    errors = {f.system for f in findings if f.severity == "error"}
    return {
        "datacenter": catalogue.datacenter,
        "catalogue": source,
        "date": today.isoformat(),
        "systems": len(systems),
        "by_status": {status: sum(1 for s in systems if s.status == status) for status in STATUSES},
        "by_owner": by_owner,
        "to_reclaim": {
            "systems": [s.id for s in to_retire],
            "servers": sum(len(s.servers) for s in to_retire),
            "vcpu": sum(s.vcpu for s in to_retire),
            "ram_gb": sum(s.ram_gb for s in to_retire),
            "disk_gb": sum(s.disk_gb for s in to_retire),
            "databases": sum(len(s.databases) for s in to_retire),
        },
        "lacking_legal_basis": [
            {"id": s.id, "name": s.name, "owner": s.owner, "status": s.status}
            for s in systems
            if s.legal_basis is None
        ],
        "findings": {
            "error": sum(1 for f in findings if f.severity == "error"),
            "warning": sum(1 for f in findings if f.severity == "warning"),
        },
        "rows": [_row(s, catalogue, today, s.id in errors) for s in systems],
    }


def _row(system: System, catalogue: Catalogue, today: date, has_errors: bool) -> dict[str, Any]:
    basis = system.legal_basis
    return {
        "id": system.id,
        "name": system.name,
        "owner": system.owner,
        "status": system.status,
        "criticality": system.criticality,
        "data_classification": system.data_classification,
        "servers": len(system.servers),
        "vcpu": system.vcpu,
        "ram_gb": system.ram_gb,
        "disk_gb": system.disk_gb,
        "databases": len(system.databases),
        "legal_basis": f"{basis.document} ngày {basis.date.isoformat()}" if basis else "",
        "last_review": system.last_review.isoformat(),
        "centralisation_candidate": system.centralisation_candidate,
        "data_sharing": system.data_sharing,
        "errors": has_errors,
        "scores": scores(system, catalogue, today) if system.status != "retired" else dict.fromkeys(SCORES),
    }
