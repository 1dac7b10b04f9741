"""Where the package's own files are: the Jinja2 template sets (package data, so a plain `pip install .`
renders). The rule data (checks/level2.yml) and the lab's scripts sit beside the modules that read them."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"  # <platform>/device.j2, docs/, lab/, audit/, systems/
