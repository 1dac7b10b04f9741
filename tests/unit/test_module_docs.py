"""Every wardnet Ansible module's documentation parses as ansible-doc reads it (DOCUMENTATION and RETURN
are YAML: a stray `: ` in a plain value breaks the module's docs and ansible-lint)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

MODULES = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("wardnet_*.py"))
ANSIBLE_DOC = Path(sys.executable).parent / "ansible-doc"


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_reads_the_module(module: str) -> None:
    done = subprocess.run(
        [str(ANSIBLE_DOC), "--json", "-M", str(REPO / "plugins" / "modules"), module],
        capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)[module]
    assert doc["doc"]["options"] and doc["return"]
    if module in {"wardnet_deploy", "wardnet_audit"}:  # the shared credential options are documented
        assert {"username", "password", "secrets", "project_dir"} <= set(doc["doc"]["options"])
