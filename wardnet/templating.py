"""The one Jinja2 set-up of every wardnet template: device configs, site docs and reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst

_DICT_ATTRIBUTES = frozenset(dir(dict))


class _CodeGenerator(CodeGenerator):
    """Jinja2's own, with `x.y` compiled to the builtin getattr first and Environment.getattr (the item, or
    undefined) only where the object has no such attribute: a device config is frozen dataclasses, so a
    city's render (a million `x.y`) no longer pays a Python call per lookup. Same result as Jinja's rule
    (attribute first, then item; getattr's default catches AttributeError only, as Jinja does); a dict's
    keys still come through Environment.getattr. The names bound by `:=` are the generated code's own."""

    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:  # noqa: N802 (the visitor's name)
        if self.environment.is_async:
            super().visit_Getattr(node, frame)
            return
        self.write("(_wn_v if (_wn_v := getattr(_wn_o := ")
        self.visit(node.node, frame)
        self.write(
            f", {node.attr!r}, missing)) is not missing else environment.getattr(_wn_o, {node.attr!r}))"
        )


class Environment(jinja2.Environment):
    """Jinja2's own, with `x.y` on a plain dict looked up as a key first: Jinja tries the attribute, fails
    (a dict's keys are not attributes) and only then the key, and that failed lookup was a third of the
    city's render. Same result: a dict has no attribute except dict's own methods, which still win."""

    code_generator_class = _CodeGenerator

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        # jinja2.Environment.getattr inlined (no super() call): a city's render reads a million attributes
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def environment(templates: Path, *, escape_html: bool = False) -> Environment:
    """Strict (a missing value is an error), whitespace as written; escape_html escapes `*.html.j2` only.

    Device templates keep the options of Ansible's template module (playbooks/render.yml renders the same
    bytes), so they are never escaped.
    """
    return Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False)
        if escape_html
        else False,
    )
