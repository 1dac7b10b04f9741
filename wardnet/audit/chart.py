"""Geometry of the report's inline SVG trend charts, computed here so the template only prints numbers.

One chart per scope (the city, each site): compliance per run as a line on a 0-100 % scale in the upper
band, and below it the active findings of each run as a bar stacked by severity (critical at the bottom).
The SVG has a fixed viewBox and scales to the page width (CSS), so it fits a phone without scrolling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wardnet.findings import SEVERITIES

WIDTH, LEFT, RIGHT = 600, 44, 8
LINE_TOP, LINE_HEIGHT = 8, 100  # compliance band: 1 unit per percent
BAR_TOP, BAR_HEIGHT = 128, 60  # drift band: the tallest bar fills it
HEIGHT = BAR_TOP + BAR_HEIGHT + 4
MAX_BAR = 24


@dataclass
class Chart:
    scope: str
    runs: int
    width: int = WIDTH
    height: int = HEIGHT
    line: list[str] = field(default_factory=list)  # polyline point lists; a run without a value breaks it
    dots: list[dict[str, Any]] = field(default_factory=list)
    bars: list[dict[str, Any]] = field(default_factory=list)
    axis: dict[str, Any] = field(default_factory=dict)


def chart(scope: str, points: list[dict[str, Any]]) -> Chart:
    """`points`, oldest first: {run_id, compliance (None or 0-100), critical, high, medium, low}."""
    n = len(points)
    plot = WIDTH - LEFT - RIGHT
    step = plot / n
    bar_width = max(2.0, min(MAX_BAR, step * 0.6))
    most = max([sum(p[s] for s in SEVERITIES) for p in points] + [1])
    out = Chart(scope=scope, runs=n)
    segment: list[str] = []
    for i, p in enumerate(points):
        x = LEFT + step * (i + 0.5)
        value = p["compliance"]
        if value is None:
            if segment:
                out.line.append(" ".join(segment))
            segment = []
        else:
            y = LINE_TOP + (100 - value) * LINE_HEIGHT / 100
            segment.append(f"{x:.1f},{y:.1f}")
            out.dots.append({"x": f"{x:.1f}", "y": f"{y:.1f}", "title": f"{p['run_id']}: {value:.1f}%"})
        bottom = BAR_TOP + BAR_HEIGHT
        for severity in SEVERITIES:
            count = p[severity]
            if not count:
                continue
            height = count * BAR_HEIGHT / most
            bottom -= height
            out.bars.append(
                {
                    "x": f"{x - bar_width / 2:.1f}",
                    "y": f"{bottom:.1f}",
                    "width": f"{bar_width:.1f}",
                    "height": f"{height:.1f}",
                    "severity": severity,
                    "run_id": p["run_id"],
                    "count": count,
                }
            )
    if segment:
        out.line.append(" ".join(segment))
    out.axis = {
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": LINE_TOP,
        "mid": LINE_TOP + LINE_HEIGHT / 2,
        "bottom": LINE_TOP + LINE_HEIGHT,
        "bar_top": BAR_TOP,
        "bar_bottom": BAR_TOP + BAR_HEIGHT,
        "most": most,
    }
    return out
