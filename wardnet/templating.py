"""The one Jinja2 set-up of every wardnet template: device configs, site docs and reports."""

from __future__ import annotations

from pathlib import Path

import jinja2


def environment(templates: Path, *, escape_html: bool = False) -> jinja2.Environment:
    """Strict (a missing value is an error), whitespace as written; escape_html escapes `*.html.j2` only.

    Device templates keep the options of Ansible's template module (playbooks/render.yml renders the same
    bytes), so they are never escaped.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False)
        if escape_html
        else False,
    )
