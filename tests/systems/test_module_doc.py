"""The Ansible module's documentation blocks parse (ansible-doc and ansible-lint read them)."""

from __future__ import annotations

import ast
import re

import yaml

from tests.conftest import REPO

MODULE = REPO / "plugins" / "modules" / "wardnet_decommission.py"


def test_module_documentation_parses_and_lists_every_option() -> None:
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    blocks = {
        node.targets[0].id: yaml.safe_load(node.value.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in {"DOCUMENTATION", "EXAMPLES", "RETURN"}
        and isinstance(node.value, ast.Constant)
    }
    assert set(blocks) == {"DOCUMENTATION", "EXAMPLES", "RETURN"}
    options = set(blocks["DOCUMENTATION"]["options"])
    source = MODULE.read_text(encoding="utf-8")
    spec = source[source.index("argument_spec={") : source.index("supports_check_mode")]
    assert options == set(re.findall(r'"(\w+)": \{"type"', spec))  # documented = accepted
    assert options >= {"catalogue", "system", "commit", "archive_store", "work_dir"}
