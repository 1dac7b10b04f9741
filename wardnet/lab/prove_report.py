"""The prove report: STATE/prove/<code>.json (what CAP-PROVE reads) and, with --report DIR, prove-<code>.md
and a single-file prove-<code>.html (no external asset; bars are inline SVG). The view is computed here;
the templates in wardnet/templates/prove/ only format it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wardnet import resources
from wardnet.checks.proven import report_path
from wardnet.templating import environment

TEMPLATES = resources.TEMPLATES / "prove"
BAR_WIDTH = 300  # pixels for a full bar (clients requested)
CHART_WIDTH, CHART_HEIGHT = 600, 200  # leases over time


def store(report: dict[str, Any], state: Path | None = None) -> Path:
    path = report_path(report["site"], state)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    return path


def view(report: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for v in report["dhcp"]["design_load"]:
        scale = BAR_WIDTH / max(v["clients"], 1)
        rows.append(
            v
            | {
                "bar": round(min(v["leases"], v["clients"]) * scale),
                "p50": _ms(v["p50_ms"]),
                "p99": _ms(v["p99_ms"]),
                "max": _ms(v["max_ms"]),
                "lease_p50": _s(v.get("lease_p50_s")),
                "lease_p99": _s(v.get("lease_p99_s")),
                "served_in": _s(v.get("seconds_to_serve")),
                "in_pool": v["kea_leases"] - len(v["out_of_pool"]),
            }
        )
    dns = report["dns"]
    return report | {
        "rows": rows,
        "bar_width": BAR_WIDTH,
        "verdict": "PASSED" if report["passed"] else "FAILED",
        "dns_view": dns | {"p50": _ms(dns["p50_ms"]), "p99": _ms(dns["p99_ms"])},
        "served_in": _s(report["dhcp"].get("seconds_to_serve")),
        "curve": curve(report["dhcp"]["design_load"]),
        "held": held(report["sessions"]),
        "rounds": [
            r | {"served_in": _s(r.get("seconds_to_serve")), "rows": r["vlans"]}
            for r in report["dhcp"].get("overload", [])
        ],
    }


def held(sessions: dict[str, Any]) -> dict[str, Any]:
    """Sessions held per VLAN (bars: held of planned) and the firewall's conntrack against its limit and the
    design's figures (bars on one linear scale: the largest figure is a full bar)."""
    if not sessions.get("measured"):
        return sessions | {"rows": [], "bars": []}
    rows = [
        v
        | {
            "bar": round(BAR_WIDTH * min(v["held"], v["planned"]) / v["planned"]) if v["planned"] else 0,
            "targets": ", ".join(f"{f['to']} tcp/{f['port']}" for f in v["flows"])
            or "none the policy allows",
        }
        for v in sessions["vlans"]
    ]
    figures = [
        ("tracked at peak of the hold", sessions["conntrack_peak"]),
        ("sessions held", sessions["held"]),
        ("design sessions at peak", sessions.get("design_sessions")),
        ("conntrack limit (kernel)", sessions.get("conntrack_max")),
        ("design conntrack limit", sessions.get("design_conntrack_max")),
    ]
    known = [(label, n) for label, n in figures if n is not None]
    scale = CHART_WIDTH / max([n for _, n in known] + [1])
    bars = [{"label": label, "value": n, "width": max(1, round(n * scale))} for label, n in known]
    return sessions | {
        "rows": rows,
        "bars": bars,
        "bar_width": BAR_WIDTH,
        "chart_width": CHART_WIDTH,
        "connect_p50": _ms(sessions.get("connect_p50_ms")),
        "connect_p99": _ms(sessions.get("connect_p99_ms")),
    }


def curve(vlans: list[dict[str, Any]]) -> dict[str, Any]:
    """Leases over time (every VLAN's clients together): an SVG polyline, x = seconds, y = leases held."""
    times = sorted(t for v in vlans for t in v.get("lease_times_s", []))
    clients = max(sum(v["clients"] for v in vlans), 1)
    span = max(times[-1] if times else 0.0, 1.0)
    points = [(0.0, 0)] + [(t, n) for n, t in enumerate(times, start=1)]
    scale_x, scale_y = CHART_WIDTH / span, CHART_HEIGHT / clients
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "seconds": round(span, 1),
        "clients": clients,
        "leases": len(times),
        "points": " ".join(f"{t * scale_x:.1f},{CHART_HEIGHT - n * scale_y:.1f}" for t, n in points),
    }


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def write(report: dict[str, Any], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    env = environment(TEMPLATES, escape_html=True)
    shown = view(report)
    paths = []
    for suffix in ("md", "html"):
        path = directory / f"prove-{report['site']}.{suffix}"
        path.write_text(env.get_template(f"report.{suffix}.j2").render(r=shown))
        paths.append(path)
    return paths
