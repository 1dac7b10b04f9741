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
                "in_pool": v["kea_leases"] - len(v["out_of_pool"]),
            }
        )
    dns = report["dns"]
    return report | {
        "rows": rows,
        "bar_width": BAR_WIDTH,
        "verdict": "PASSED" if report["passed"] else "FAILED",
        "dns_view": dns | {"p50": _ms(dns["p50_ms"]), "p99": _ms(dns["p99_ms"])},
    }


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
