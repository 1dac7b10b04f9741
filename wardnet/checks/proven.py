"""CAP-PROVE: the design's capacity figures against the last `wardnet lab prove` of the site.

`prove` stores its report as STATE/prove/<code>.json (wardnet/lab/prove.py); a site never proven has no
finding here. Each disagreement is a warning (medium): the design may be right and the lab short, or the
other way round, but somebody has to look.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wardnet.design import SiteDesign
from wardnet.design.config import Capacity
from wardnet.findings import Finding
from wardnet.state import state_dir

RULE = "CAP-PROVE"


def report_path(code: str, state: Path | None = None) -> Path:
    return (state or state_dir()) / "prove" / f"{code}.json"


def proven(design: SiteDesign, state: Path | None = None) -> list[Finding]:
    code = design.plan.site.code
    path = report_path(code, state)
    want = design.firewall.capacity
    if not path.is_file():
        return []
    try:
        report = json.loads(path.read_text())
        return _compare(code, want, report, path)
    except (ValueError, KeyError, TypeError) as exc:
        return [_warn(code, f"{path}: unreadable prove report ({exc})", "run `wardnet lab prove` again")]


def _warn(code: str, message: str, fix: str) -> Finding:
    return Finding(RULE, "medium", code, "", message, fix=fix)


def _compare(code: str, want: Capacity, report: dict[str, Any], path: Path) -> list[Finding]:
    again = f"`wardnet lab prove --site {code}` (last report: {path})"
    out = []
    if report["users"] < want.users:
        out.append(_warn(code, f"proven for {report['users']} users, designed for {want.users}", again))
    if not report["passed"]:
        out.append(_warn(code, f"the last prove failed: {'; '.join(report.get('failures', []))}", again))
    measured = {v["vlan"]: v for v in report["dhcp"]["design_load"]}
    # per VLAN, the first overload round (wardnet.lab.prove.exhaustion) that leased less than its pool gives
    short: dict[int, dict[str, Any]] = {}
    for round_ in report["dhcp"].get("overload", []):
        for v in round_["vlans"]:
            if v["leases"] < min(v["clients"], v["pool_size"] - v.get("held_by_others", 0)):
                short.setdefault(v["vlan"], v)
    for vlan in want.dhcp:
        got = measured.get(vlan.vlan)
        if got is None:
            out.append(_warn(code, f"VLAN {vlan.vlan} was not proven", again))
            continue
        if got["pool_size"] != vlan.pool_size:
            out.append(
                _warn(
                    code,
                    f"VLAN {vlan.vlan} pool is {vlan.pool_size} addresses, proven with {got['pool_size']}",
                    again,
                )
            )
        if got["leases"] < vlan.peak_clients:
            out.append(
                _warn(
                    code,
                    f"VLAN {vlan.vlan} leased {got['leases']} of its {vlan.peak_clients} peak clients",
                    "look at the relay, the server's pool and the firewall's DHCP rules",
                )
            )
        over = short.get(vlan.vlan)
        if over is not None:
            out.append(
                _warn(
                    code,
                    f"VLAN {vlan.vlan} ran out at {over['leases']} leases "
                    f"under {over['clients']} clients; "
                    f"the design counts {vlan.pool_size} pool addresses",
                    "find what holds addresses (static reservations, the server's pool) or shrink the figure",
                )
            )
    limit = report["sessions"].get("conntrack_max")
    if limit is not None and limit < want.conntrack_max:
        out.append(
            _warn(
                code,
                f"the firewall tracks at most {limit} sessions, the design needs {want.conntrack_max} "
                f"({want.sessions} at peak with headroom)",
                "raise net.netfilter.nf_conntrack_max on the firewall",
            )
        )
    return out
