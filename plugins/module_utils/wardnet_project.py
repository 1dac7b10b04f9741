"""Shared by the wardnet Ansible modules: find the wardnet package of the project the play runs from.

Every module is a thin wrapper over the Python package; it runs under the project's venv
(ansible_python_interpreter = ansible_playbook_python) and imports wardnet from `project_dir`.
"""

from __future__ import annotations

import sys
from typing import Any

# Which sites the modules that reach devices (deploy, audit) work on, and where the project keeps its files.
SITE_OPTIONS: dict[str, dict[str, Any]] = {
    "sites": {"type": "list", "elements": "str", "default": []},
    "all": {"type": "bool", "default": False},
    "lab": {"type": "bool", "default": False},
    "inventory": {"type": "path", "default": "inventories"},
    "state_dir": {"type": "path", "default": "build"},
}

# Their device credentials: from Ansible Vault, never logged (wardnet.deploy.targets.Credentials.from_vault).
CREDENTIAL_OPTIONS: dict[str, dict[str, Any]] = {
    "username": {"type": "str", "default": "wardnet-deploy"},
    "password": {"type": "str", "default": "", "no_log": True},
    "secrets": {"type": "dict", "default": {}, "no_log": True},
}


def wardnet_importable(module: Any) -> bool:
    """Put project_dir on sys.path and import wardnet; on failure fail the task with the fix."""
    project = module.params.get("project_dir")
    if project and project not in sys.path:
        sys.path.insert(0, project)
    try:
        import wardnet  # noqa: F401  (the modules import what they need from it next)
    except ImportError as exc:
        module.fail_json(
            msg=f"cannot import wardnet ({exc}); run with the project's venv (.venv/bin/ansible-playbook) "
            "and ansible_python_interpreter set to ansible_playbook_python"
        )
        return False
    return True
