"""Ansible stdout callback `wardnet_audit`: a playbook run as JSON for `wardnet audit --servers`.

ansible-core ships no JSON callback any more (ansible.posix.json is a collection this project does not
install), and the audit needs only a little: per host, every task that changed or failed, with its role, tags,
action, diff (before/after and their headers, as `--diff` shows them), the stdout of command tasks, and the
recap. Written to the file in WARDNET_AUDIT_JSON when the playbook ends; nothing goes to stdout.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: wardnet_audit
type: stdout
short_description: per-host changed and failed tasks with their diffs, as JSON, for wardnet audit
description:
  - Writes one JSON document to the file named by the environment variable WARDNET_AUDIT_JSON.
"""

STATE_TAG = "wardnet_state"
KEPT = ("changed", "failed", "skipped", "msg", "rc", "stdout", "stderr", "diff", "item")


class CallbackModule(CallbackBase):  # type: ignore[misc]
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "wardnet_audit"

    def __init__(self) -> None:
        super().__init__()
        self.hosts: dict[str, dict[str, Any]] = {}

    def _host(self, name: str) -> dict[str, Any]:
        return self.hosts.setdefault(name, {"tasks": [], "unreachable": "", "stats": {}})

    def _record(self, result: Any, status: str) -> None:
        task = result.task
        data = result.result
        role = task._role.get_name() if getattr(task, "_role", None) else ""
        entry = {
            "task": task.get_name(),
            "role": role,
            "tags": sorted(str(t) for t in task.tags),
            "action": task.action,
            "handler": type(task).__name__
            == "Handler",  # a handler's change follows a task's: no drift itself
            "status": status,
            **{k: data[k] for k in KEPT if k in data},
        }
        if "results" in data:  # a loop: each item's own change and diff
            entry["results"] = [
                {k: item[k] for k in KEPT if k in item} for item in data["results"] if isinstance(item, dict)
            ]
        self._host(result.host.get_name())["tasks"].append(entry)

    def v2_runner_on_ok(self, result: Any) -> None:
        if result.result.get("changed"):
            self._record(result, "changed")
        elif STATE_TAG in result.task.tags:  # the read-only collection of playbooks/server_state.yml
            self._record(result, "state")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        if not ignore_errors:
            self._record(result, "failed")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._host(result.host.get_name())["unreachable"] = str(result.result.get("msg", "unreachable"))

    def v2_playbook_on_stats(self, stats: Any) -> None:
        for name in stats.processed:
            self._host(name)["stats"] = stats.summarize(name)
        path = os.environ.get("WARDNET_AUDIT_JSON")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"hosts": self.hosts}, handle, default=str)
