"""The audit's data, shared by the compare engine, the history and the reports.

One run holds one DeviceAudit per targeted device; a device is compliant, drifted or not audited (unreachable,
auth failed). Findings are single lines, grouped by feature, each with the severity of its feature. Beside
the drift, each device carries the level-2 rule pack's findings on what it actually runs (`baseline`): a
device can match its intended config and still break the baseline when both are wrong.
Everything round-trips through plain dicts (report.json, shard files for `wardnet audit merge`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from wardnet.findings import SEVERITIES, ExitCode

Kind = Literal["missing", "extra", "changed"]
Status = Literal["compliant", "drift", "not-audited"]

# Features in report order, with their severity. The security baseline (level 2) is critical.
FEATURES: dict[str, str] = {
    "aaa": "critical",
    "management": "critical",  # ssh, vty/console lines, management ACLs, admin access
    "firewall": "critical",  # nftables ruleset, FortiOS policies, ACLs on the perimeter
    "logging": "high",
    "ntp": "high",
    "snmp": "high",
    "routing": "high",
    "packages": "high",  # servers: installed and purged packages, security updates, unused services
    "vlans": "medium",
    "interfaces": "medium",
    "dhcp": "medium",
    "dns": "medium",  # servers: the site resolver (unbound)
    "other": "low",
}


@dataclass(frozen=True)
class Drift:
    """One drifted line. `section` is the parent path ('' at top level, 'interface Gi1/0/1',
    'nftables', 'ovs'); a changed line carries both texts, missing only `intended`, extra only `running`."""

    kind: Kind
    feature: str
    section: str
    intended: str = ""
    running: str = ""
    ignored_by: str = ""  # the ignore rule's id when an inventory rule accepts this drift

    @property
    def severity(self) -> str:
        return FEATURES.get(self.feature, "low")

    @property
    def line(self) -> str:
        return self.intended or self.running


@dataclass(frozen=True)
class RuleFinding:
    """One level-2 rule the running config breaks (wardnet.checks on the collected text)."""

    rule: str
    severity: str
    message: str
    clause: str = ""
    fix: str = ""


@dataclass(frozen=True)
class IgnoreRule:
    """From the inventory: accept drift in a feature or matching a regex, for a reason, until a date."""

    id: str
    reason: str
    expires: str  # YYYY-MM-DD
    feature: str = ""
    pattern: str = ""
    sites: tuple[str, ...] = ()  # empty: every site
    devices: tuple[str, ...] = ()  # empty: every device
    source: str = ""  # file:line, for the 'expired' report


@dataclass
class DeviceAudit:
    name: str
    site: str
    platform: str
    role: str
    status: Status
    error: str = ""  # why a device was not audited
    findings: list[Drift] = field(default_factory=list)
    features: list[str] = field(default_factory=list)  # features the intended config has, in FEATURES order
    diff: str = ""  # unified diff intended → running (normalised, secrets masked)
    remediation: str = ""  # the commands that bring running back to intended
    baseline: list[RuleFinding] = field(default_factory=list)  # rule pack on the running config

    @property
    def active(self) -> list[Drift]:
        """Findings not accepted by an ignore rule: these decide the status."""
        return [f for f in self.findings if not f.ignored_by]

    def drifted_features(self) -> list[str]:
        return sorted({f.feature for f in self.active}, key=list(FEATURES).index)

    def compliance(self) -> float | None:
        """Share of the device's features without drift, in percent; None when not audited."""
        if self.status == "not-audited":
            return None
        total = set(self.features) | {f.feature for f in self.active}
        if not total:
            return 100.0
        return 100.0 * (len(total) - len(set(self.drifted_features()))) / len(total)

    def worst_severity(self) -> str | None:
        found = {f.severity for f in self.active} | {r.severity for r in self.baseline}
        return next((s for s in SEVERITIES if s in found), None)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceAudit:
        data = dict(data)
        data["findings"] = [Drift(**f) for f in data.get("findings", [])]
        data["baseline"] = [RuleFinding(**r) for r in data.get("baseline", [])]
        return cls(**data)


@dataclass
class SiteSummary:
    site: str
    devices: int
    compliant: int
    drifted: int
    not_audited: int
    compliance: float | None  # mean device compliance over audited devices


@dataclass
class AuditRun:
    run_id: str  # UTC timestamp, e.g. 20261123T020000Z; shards of one run share it
    started: str  # ISO 8601 UTC
    finished: str
    devices: list[DeviceAudit] = field(default_factory=list)
    expired_ignores: list[IgnoreRule] = field(default_factory=list)
    shard: str = ""  # "K/N" for a shard's partial run, "" for a whole or merged run
    backup_commit: str = ""  # the backups repository commit holding this run's running configs
    backup_error: str = ""  # why this run's running configs could not be kept (the audit still stands)

    def sites(self) -> list[SiteSummary]:
        by_site: dict[str, list[DeviceAudit]] = {}
        for device in self.devices:
            by_site.setdefault(device.site, []).append(device)
        out = []
        for site, devices in sorted(by_site.items()):
            scores = [c for d in devices if (c := d.compliance()) is not None]
            out.append(
                SiteSummary(
                    site=site,
                    devices=len(devices),
                    compliant=sum(d.status == "compliant" for d in devices),
                    drifted=sum(d.status == "drift" for d in devices),
                    not_audited=sum(d.status == "not-audited" for d in devices),
                    compliance=sum(scores) / len(scores) if scores else None,
                )
            )
        return out

    def exit_code(self) -> int:
        """0 compliant, 1 drift, a baseline finding or a device not audited, 2 nothing could be audited."""
        if not self.devices or all(d.status == "not-audited" for d in self.devices):
            return ExitCode.NOT_RUN
        clean = all(d.status == "compliant" and not d.baseline for d in self.devices)
        return ExitCode.OK if clean and not self.backup_error else ExitCode.FINDINGS

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started": self.started,
            "finished": self.finished,
            "shard": self.shard,
            "backup_commit": self.backup_commit,
            "backup_error": self.backup_error,
            "devices": [d.as_dict() for d in self.devices],
            "expired_ignores": [asdict(r) for r in self.expired_ignores],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditRun:
        return cls(
            run_id=data["run_id"],
            started=data["started"],
            finished=data["finished"],
            shard=data.get("shard", ""),
            backup_commit=data.get("backup_commit", ""),
            backup_error=data.get("backup_error", ""),
            devices=[DeviceAudit.from_dict(d) for d in data.get("devices", [])],
            expired_ignores=[
                IgnoreRule(
                    **{**r, "sites": tuple(r.get("sites", ())), "devices": tuple(r.get("devices", ()))}
                )
                for r in data.get("expired_ignores", [])
            ],
        )
