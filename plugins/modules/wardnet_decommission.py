"""Ansible module `wardnet_decommission`: archive, verify and reclaim one system of the City Data Center.

A thin wrapper over wardnet.systems.decommission: the steps, their order and the safety gates are
wardnet's. Dry-run unless commit is true (check mode is always a dry-run). Runs on the controller
(localhost) with the playbook's Python.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.wardnet_project import wardnet_importable

DOCUMENTATION = r"""
module: wardnet_decommission
short_description: Decommission a City Data Center system (archive, verify, then reclaim)
description:
  - Freezes writes on the system's PostgreSQL databases, dumps them (pg_dump custom format), archives its
    data folders as tar.gz and writes a manifest with SHA-256 sums.
  - Copies the archive to the archive store and verifies the stored copy (sums, restore of every dump into
    a scratch database with per-table row counts and checksums compared).
  - Only then stops and disables the services, drops the databases, removes the data folders and marks the
    system retired in the catalogue with the date and the archive reference.
  - Any failed step stops the run and deletes nothing.
  - Database access comes from the libpq environment (PGUSER, PGPASSWORD or PGPASSFILE).
options:
  catalogue:
    description: The systems catalogue file.
    type: path
    required: true
  system:
    description: Id of the system to retire (its status must be C(retire)).
    type: str
    required: true
  commit:
    description: Act; without it, only report what would be done.
    type: bool
    default: false
  archive_store:
    description: Folder of the archive store; the archive goes to C(<archive_store>/<system>/<stamp>).
    type: path
    required: true
  work_dir:
    description: Staging folder for the archive before it is copied to the store.
    type: path
    required: true
  today:
    description: Date recorded as the retirement date (YYYY-MM-DD); default today.
    type: str
  project_dir:
    description: Project folder (holds C(wardnet)); relative paths start here.
    type: path
attributes:
  check_mode:
    support: full
    description: Always a dry-run.
"""

EXAMPLES = r"""
- name: Retire the old document system (dry-run)
  wardnet_decommission:
    catalogue: inventories/datacenter/systems.yml
    system: qlvb-sxd-cu
    archive_store: /srv/archive/dc
    work_dir: /var/tmp/wardnet-decommission
"""

RETURN = r"""
steps:
  description: Every step with its status (would, done, failed) and detail.
  type: list
  elements: dict
  returned: always
archive:
  description: Folder of the sealed archive in the store.
  type: str
  returned: when the archive was verified
manifest_sha256:
  description: SHA-256 of the archive's manifest.json.
  type: str
  returned: when the archive was verified
deleted:
  description: Whether anything was dropped or removed.
  type: bool
  returned: always
report:
  description: One line per step (status, name and detail), for people.
  type: list
  elements: str
  returned: when the run started
summary:
  description: One line on what was (or would be) done.
  type: str
  returned: always
"""


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "catalogue": {"type": "path", "required": True},
            "system": {"type": "str", "required": True},
            "commit": {"type": "bool", "default": False},
            "archive_store": {"type": "path", "required": True},
            "work_dir": {"type": "path", "required": True},
            "today": {"type": "str"},
            "project_dir": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not wardnet_importable(module):
        return
    from wardnet import InputError, decommission
    from wardnet.api import DecommissionOptions as Options
    from wardnet.api import DecommissionRefused as RefusedError

    base = Path(params["project_dir"] or ".")
    try:
        today = date.fromisoformat(params["today"]) if params["today"] else None
    except ValueError:
        module.fail_json(msg=f"today: {params['today']!r} is not a date (YYYY-MM-DD)")
        return
    options = Options(
        catalogue=base / params["catalogue"],
        system=params["system"],
        archive_store=base / params["archive_store"],
        work_dir=base / params["work_dir"],
        commit=params["commit"] and not module.check_mode,
        today=today,
    )
    try:
        outcome = decommission(options)
    except InputError as exc:
        module.fail_json(
            msg=f"{len(exc.problems)} catalogue problem(s); nothing was changed",
            problems=[str(problem) for problem in exc.problems],
            summary="refused",
            deleted=False,
        )
        return
    except RefusedError as exc:
        module.fail_json(
            msg=f"refused: {exc}; nothing was changed",
            problems=exc.problems,
            summary="refused",
            deleted=False,
        )
        return
    result = outcome.as_dict()
    result["summary"] = result.pop("message")
    result["report"] = outcome.lines()
    if not outcome.ok:
        module.fail_json(msg=result["summary"], **result)
        return
    module.exit_json(**result)


if __name__ == "__main__":
    main()
