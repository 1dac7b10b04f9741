"""Ansible module `wardnet_deploy`: the same deploy job as `wardnet deploy`, for playbooks and AWX.

A thin wrapper over wardnet.deploy.job: check gate, site locks, canary and batches, backup, commit with a
revert timer, post-checks, confirm or roll back are all wardnet's. Dry-run unless commit is true; check
mode is always a dry-run. Secrets and the device password come in as no_log parameters (from Ansible
Vault), never through the environment or the log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.wardnet_project import CREDENTIAL_OPTIONS, SITE_OPTIONS, wardnet_importable

DOCUMENTATION = r"""
module: wardnet_deploy
short_description: Push the intended configs of wardnet sites (dry-run by default)
description:
  - Runs the check gate for the sites; when it fails, nothing is pushed.
  - Loads each device's intended config as a replace candidate and reports the unified diff (dry-run).
  - With I(commit=true), each site is one transaction - every device backed up and committed under a
    revert timer, then the whole site verified (every device reachable from the NOC, routing neighbours
    and default route, trunks with their designed VLANs, firewall ruleset) before any confirm; anything
    failing rolls the whole site back. I(per_device=true) confirms each device on its own checks instead.
  - Only devices whose SSH host key is enrolled in the state directory's known_hosts are contacted; a
    changed key refuses the device before any credential is sent (status refused, a security finding).
  - Canary site first, then batches; the rollout stops when failed devices exceed I(max_failures).
  - A second deploy on a site that is being deployed is refused.
options:
  sites:
    description: Site codes to deploy.
    type: list
    elements: str
    default: []
  all:
    description: Every site of the inventory.
    type: bool
    default: false
  lab:
    description: Target the sites' white-box twins in the wardnet lab instead of production devices.
    type: bool
    default: false
  commit:
    description: Apply; without it, only show what would change.
    type: bool
    default: false
  canary:
    description: Site deployed first, alone.
    type: str
  batch:
    description: Sites per batch after the canary.
    type: int
    default: 1
  max_failures:
    description: Failed devices tolerated before the rollout stops.
    type: int
    default: 0
  confirm_timeout:
    description: Seconds after which a device reverts by itself unless the commit is confirmed.
    type: int
    default: 120
  per_device:
    description: Confirm each device on its own post-checks instead of a site transaction.
    type: bool
    default: false
  accept_new:
    description: Enrol the SSH host key of devices not yet enrolled (first contact), named in the results.
    type: bool
    default: false
  workers:
    description: Devices in parallel.
    type: int
    default: 8
  inventory:
    description: The wardnet inventory folder.
    type: path
    default: inventories
  state_dir:
    description: Locks and the backup store (shared with the audit).
    type: path
    default: build
  username:
    description: Device login for production devices.
    type: str
    default: wardnet-deploy
  password:
    description: Device password for production devices (from Ansible Vault).
    type: str
    default: ""
  secrets:
    description: Values for the C(<<secret:NAME>>) masks of the rendered configs, keyed by NAME.
    type: dict
    default: {}
  json:
    description: Write per-device results (name, site, changed, status, error, diff) to this JSON file.
    type: path
  project_dir:
    description: Project folder (holds C(wardnet)); relative paths start here.
    type: path
attributes:
  check_mode:
    support: full
    description: Always a dry-run.
  diff_mode:
    support: full
    description: Each device's unified diff.
"""

RETURN = r"""
devices:
  description: One entry per device with name, site, changed, status, error and diff (secrets masked).
  type: list
  returned: always
exit_code:
  description: 0 all good, 1 some devices failed, were refused, rolled back or skipped, 2 nothing could run.
  type: int
  returned: always
summary:
  description: 'One line, for example "commit: 7 devices, 7 changed".'
  type: str
  returned: always
"""


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **SITE_OPTIONS,
            "commit": {"type": "bool", "default": False},
            "canary": {"type": "str"},
            "batch": {"type": "int", "default": 1},
            "max_failures": {"type": "int", "default": 0},
            "confirm_timeout": {"type": "int", "default": 120},
            "per_device": {"type": "bool", "default": False},
            "accept_new": {"type": "bool", "default": False},
            "workers": {"type": "int", "default": 8},
            **CREDENTIAL_OPTIONS,
            "json": {"type": "path"},
            "project_dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not wardnet_importable(module):
        return
    from wardnet import InputError
    from wardnet import run_deploy as execute
    from wardnet.api import Credentials, DeployRequest
    from wardnet.api import DeployOptions as Options
    from wardnet.api import DeployPlan as Plan
    from wardnet.api import write_deploy_json as write_json

    base = Path(params["project_dir"] or ".")
    commit = params["commit"] and not module.check_mode
    request = DeployRequest(
        inventory=base / params["inventory"],
        sites=tuple(str(code) for code in params["sites"]),
        all=params["all"],
        lab=params["lab"],
        plan=Plan(
            canary=params["canary"],
            batch=params["batch"],
            max_failures=params["max_failures"],
            workers=params["workers"],
        ),
        options=Options(
            commit=commit, confirm_timeout=params["confirm_timeout"], per_device=params["per_device"]
        ),
        state_dir=base / params["state_dir"],
        accept_new=params["accept_new"] and not module.check_mode,
        credentials=Credentials.from_vault(params["username"], params["password"], params["secrets"]),
    )
    try:
        outcome = execute(request)
    except InputError as exc:
        module.fail_json(
            msg=f"{len(exc.problems)} input problem(s); nothing was pushed",
            problems=[str(problem) for problem in exc.problems],
            exit_code=2,
        )
        return
    if params["json"] and not outcome.message:
        write_json(outcome.results, commit, base / params["json"])
    devices = [r.as_dict() for r in outcome.results]
    changed = sum(1 for r in outcome.results if r.changed)
    mode = "commit" if commit else "dry-run"
    summary = outcome.message or f"{mode}: {len(devices)} devices, {changed} changed"
    result: dict[str, Any] = {
        "changed": changed > 0,
        "devices": devices,
        "exit_code": outcome.code,
        "summary": summary,
    }
    if module._diff:
        result["diff"] = [
            {
                "before_header": f"{d['name']} running",
                "after_header": f"{d['name']} intended",
                "prepared": d["diff"],
            }
            for d in devices
            if d["diff"]
        ]
    if outcome.code != 0:
        failed = [
            f"{d['name']}: {d['status']}: {d['error']}"
            for d in devices
            if d["status"] in ("failed", "rolled-back", "refused", "skipped")
        ]
        module.fail_json(msg=summary, findings=outcome.findings_text, failed_devices=failed, **result)
        return
    module.exit_json(**result)


if __name__ == "__main__":
    main()
