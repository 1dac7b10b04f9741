"""The review report in md, html (Jinja2 templates in wardnet/templates/systems/), json or csv."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from wardnet import resources
from wardnet.i18n import translator
from wardnet.systems.report import CRITERIA, SCORES, STATUSES
from wardnet.templating import environment

FORMATS = ("md", "html", "json", "csv")
TEMPLATES = resources.TEMPLATES / "systems"
CSV_COLUMNS = (
    "id",
    "name",
    "owner",
    "status",
    "criticality",
    "data_classification",
    "servers",
    "vcpu",
    "ram_gb",
    "disk_gb",
    "databases",
    "legal_basis",
    "last_review",
    "centralisation_candidate",
    "data_sharing",
    *(f"score_{name}" for name in SCORES),
    "errors",
)


def _md_cell(value: Any) -> str:
    """Table cells: a pipe must not split the Markdown table, nor markup in catalogue text render as HTML."""
    text = "–" if value is None or value == "" else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def format_report(report: dict[str, Any], fmt: str, lang: str = "en") -> str:
    """md and html in `lang` (vi or en, wardnet.i18n); json and csv are data and keep their field names."""
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in report["rows"]:
            flat = {key: value for key, value in row.items() if key != "scores"}
            flat.update({f"score_{name}": value for name, value in row["scores"].items()})
            writer.writerow(flat)
        # A UTF-8 byte-order mark: without it Excel reads the file as the local code page and the
        # Vietnamese names come out garbled (Cổng -> Cá»•ng).
        return "\ufeff" + out.getvalue()
    env = environment(TEMPLATES, escape_html=True)
    env.filters["cell"] = _md_cell
    env.globals["t"] = translator(lang)
    env.globals["lang"] = lang
    template = env.get_template(f"report.{fmt}.j2")
    return template.render(report=report, statuses=STATUSES, criteria=CRITERIA)
