"""Ansible module `wardnet_audit`: the same audit job as `wardnet audit`, for playbooks and AWX/AAP.

A thin wrapper over wardnet.audit.job: collection, backups, compare, history and reports are all
wardnet's. With AWX job slicing or a CI matrix each runner passes its own shard; `wardnet audit merge`
combines the shards' report.json files into one report. The device password and secret values come in as
no_log parameters (from Ansible Vault).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.wardnet_project import CREDENTIAL_OPTIONS, SITE_OPTIONS, wardnet_importable

DOCUMENTATION = r"""
module: wardnet_audit
short_description: Audit wardnet devices for drift against their intended configs
description:
  - Collects every targeted device's running config (Nornir + NAPALM), commits them to the backups
    repository (one git commit per run), compares each with its intended config by feature and severity.
  - Records the run in the SQLite history and writes a report directory (index.html, report.json,
    junit.xml, summary.md).
  - With I(remediate=true) and I(commit=true), drifted devices get their intended config through the deploy
    path (backup, revert timer, post-checks, confirm or roll back). Check mode never remediates.
  - Devices that cannot be reached or refuse the login are reported as not audited, never fatal.
options:
  sites:
    description: Site codes to audit.
    type: list
    elements: str
    default: []
  all:
    description: Every site of the inventory.
    type: bool
    default: false
  lab:
    description: Audit the sites' white-box twins in the wardnet lab instead of production devices.
    type: bool
    default: false
  servers:
    description:
      - Also audit each site's servers against their roles (C(playbooks/servers.yml) in check mode with
        diff, then the level-2 server rules on their effective state); with I(remediate) and I(commit), the
        roles run in commit mode on each drifted server.
    type: bool
    default: false
  shard:
    description: Only shard K of N (C(K/N), whole sites, the same split on every runner).
    type: str
  workers:
    description: Devices collected in parallel.
    type: int
    default: 16
  report:
    description: Report directory.
    type: path
  json:
    description: The run as JSON (the format C(wardnet audit merge) reads).
    type: path
  history:
    description: SQLite history; default STATE_DIR/audit/history.sqlite.
    type: path
  metrics:
    description: Prometheus textfile for node_exporter's textfile collector (written atomically, last).
    type: path
  lang:
    description: Language of index.html and summary.md; default the baseline's C(city.language).
    type: str
    choices: [vi, en]
  remediate:
    description: Return each drifted device's remediation commands.
    type: bool
    default: false
  commit:
    description: With I(remediate), apply through the deploy path.
    type: bool
    default: false
  confirm_timeout:
    description: Revert timer in seconds for remediation commits.
    type: int
    default: 120
  inventory:
    description: The wardnet inventory folder.
    type: path
    default: inventories
  state_dir:
    description: Backups repository, locks and history (shared with deploy).
    type: path
    default: build
  username:
    description: Device login for production devices.
    type: str
    default: wardnet-deploy
  password:
    description: Device password (from Ansible Vault).
    type: str
    default: ""
  secrets:
    description: Secret values keyed by NAME, used only to mask them in what devices return.
    type: dict
    default: {}
  project_dir:
    description: Project folder (holds C(wardnet)); relative paths start here.
    type: path
attributes:
  check_mode:
    support: full
    description: Audits and reports; never remediates.
  diff_mode:
    support: full
    description: Each drifted device's unified diff, intended to running.
"""

RETURN = r"""
devices:
  description: One entry per device with name, site, status, compliance, drifted features, error.
  type: list
  returned: always
sites:
  description: Per-site counts and compliance percent.
  type: list
  returned: always
exit_code:
  description: 0 compliant, 1 drift or a device not audited, 2 nothing could be audited.
  type: int
  returned: always
summary:
  description: >-
    One line, for example "audit 20261123T020000Z: 7 devices, 6 compliant, 1 drifted, 0 not audited".
  type: str
  returned: always
"""


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **SITE_OPTIONS,
            "shard": {"type": "str"},
            "workers": {"type": "int", "default": 16},
            "report": {"type": "path"},
            "json": {"type": "path"},
            "history": {"type": "path"},
            "metrics": {"type": "path"},
            "lang": {"type": "str", "choices": ["vi", "en"]},
            "servers": {"type": "bool", "default": False},
            "remediate": {"type": "bool", "default": False},
            "commit": {"type": "bool", "default": False},
            "confirm_timeout": {"type": "int", "default": 120},
            **CREDENTIAL_OPTIONS,
            "project_dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not wardnet_importable(module):
        return
    from wardnet import InputError
    from wardnet import run_audit as execute
    from wardnet.api import AuditOutputs as Outputs
    from wardnet.api import AuditRequest, Credentials, report_language

    base = Path(params["project_dir"] or ".")
    state = base / params["state_dir"]
    request = AuditRequest(
        inventory=base / params["inventory"],
        sites=tuple(str(code) for code in params["sites"]),
        all=params["all"],
        lab=params["lab"],
        shard=params["shard"] or "",
        servers=params["servers"],
        workers=params["workers"],
        state_dir=state,
        credentials=Credentials.from_vault(params["username"], params["password"], params["secrets"]),
    )
    outputs = Outputs(
        history=base / params["history"] if params["history"] else state / "audit" / "history.sqlite",
        report=base / params["report"] if params["report"] else None,
        json=base / params["json"] if params["json"] else None,
        metrics=base / params["metrics"] if params["metrics"] else None,
        lang=params["lang"] or report_language(base / params["inventory"]),
    )
    commit = params["remediate"] and params["commit"] and not module.check_mode
    try:
        outcome = execute(request, outputs, commit, params["confirm_timeout"])
    except (InputError, ValueError) as exc:
        problems = [str(p) for p in getattr(exc, "problems", [])] or [str(exc)]
        module.fail_json(msg="the audit could not run; nothing was changed", problems=problems, exit_code=2)
        return
    run = outcome.run
    counts = {s: sum(d.status == s for d in run.devices) for s in ("compliant", "drift", "not-audited")}
    summary = (
        f"audit {run.run_id}: {len(run.devices)} devices, {counts['compliant']} compliant, "
        f"{counts['drift']} drifted, {counts['not-audited']} not audited"
    )
    devices = [
        {
            "name": d.name,
            "site": d.site,
            "status": d.status,
            "compliance": d.compliance(),
            "drifted_features": d.drifted_features(),
            "worst_severity": d.worst_severity(),
            "error": d.error,
            **({"remediation": d.remediation} if params["remediate"] else {}),
        }
        for d in run.devices
    ]
    result: dict[str, Any] = {
        "changed": any(r.changed for r in outcome.fixes),
        "devices": devices,
        "sites": [vars(s) for s in run.sites()],
        "exit_code": outcome.code,
        "summary": summary,
        "remediated": [r.as_dict() for r in outcome.fixes],
    }
    if module._diff:
        result["diff"] = [
            {"before_header": f"{d.name} intended", "after_header": f"{d.name} running", "prepared": d.diff}
            for d in run.devices
            if d.diff
        ]
    if outcome.code != 0:
        module.fail_json(msg=summary, **result)
        return
    module.exit_json(**result)


if __name__ == "__main__":
    main()
