"""The floor for render: a bare Jinja2 loop over structured configs already computed (JSON), same templates.

No inventory, no design, no check, no canonical form, no manifest: load JSON, render each device with the
project's Jinja2 options, write the file. `benchmarks/render_city.py` times it as a whole process.

    .venv/bin/python -m benchmarks.bare_render CONFIGS.json OUT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "wardnet" / "templates"


def main(argv: list[str]) -> int:
    configs_file, out = Path(argv[0]), Path(argv[1])
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    templates: dict[str, jinja2.Template] = {}
    for item in json.loads(configs_file.read_text(encoding="utf-8")):
        platform = item["config"]["platform"]
        template = templates.get(platform) or templates.setdefault(
            platform, env.get_template(f"{platform}/device.j2")
        )
        target = out / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.render(device=item["config"]), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
