"""Ansible module `wardnet_render`: render intended configs and site pages through wardnet itself.

A thin wrapper over wardnet.pipeline and wardnet.render, so `ansible-playbook playbooks/render.yml` writes
exactly the bytes `wardnet render` writes. Runs on the controller (localhost) with the playbook's Python.
"""

from __future__ import annotations

from pathlib import Path

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.wardnet_project import wardnet_importable

DOCUMENTATION = r"""
module: wardnet_render
short_description: Render wardnet intended configurations (same code and bytes as `wardnet render`)
description:
  - Loads and validates the inventory, runs the design stage and renders every device and site page
    with wardnet's own renderer, then writes only the files whose bytes changed.
  - Must run where wardnet is importable (localhost with C(ansible_python_interpreter) set to
    C(ansible_playbook_python)).
options:
  inventory:
    description: The inventory folder (holds C(group_vars/all/baseline.yml) and C(wards/)).
    type: path
    required: true
  out:
    description: Output folder; each site gets C(<code>-<slug>/).
    type: path
    required: true
  sites:
    description: Official site codes to render (a list or comma-separated text); empty renders every site.
    type: list
    elements: str
    default: []
  project_dir:
    description: Project folder (holds C(wardnet)); relative I(inventory) and I(out) start here.
    type: path
  force:
    description:
      - Render sites whose check has critical or high findings (as C(wardnet render --force)); the module
        then warns and names them. Without it such a render fails and writes nothing.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Renders and compares without writing.
"""

EXAMPLES = r"""
- name: Render one site
  wardnet_render:
    inventory: "{{ playbook_dir }}/../inventories"
    out: /tmp/intended
    sites: ["26743"]
"""

RETURN = r"""
sites:
  description: Number of sites rendered.
  type: int
  returned: success
devices:
  description: Number of devices rendered.
  type: int
  returned: success
written:
  description: Files written (would be written in check mode) because their bytes changed.
  type: int
  returned: success
unchanged:
  description: Files already byte-identical.
  type: int
  returned: success
removed:
  description: Files the rendered sites no longer produce (a removed switch, a renamed ward), removed.
  type: list
  elements: str
  returned: success
forced:
  description: Sites rendered despite critical or high check findings (only with I(force)).
  type: list
  elements: str
  returned: success
summary:
  description: One line, as `wardnet render` prints it.
  type: str
  returned: success
"""


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "inventory": {"type": "path", "required": True},
            "out": {"type": "path", "required": True},
            "sites": {"type": "list", "elements": "str", "default": []},
            "project_dir": {"type": "path"},
            "force": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not wardnet_importable(module):
        return
    from jinja2 import TemplateError

    from wardnet import InputError, select_designs
    from wardnet import design_sites as build
    from wardnet import render_sites as render_all
    from wardnet import write_rendered as write
    from wardnet.api import Renderer, render_gate

    # Relative paths are the project's, as for `wardnet render` run there (a module runs elsewhere).
    base = Path(params["project_dir"] or ".")
    inventory = base / params["inventory"]
    out = base / params["out"]
    codes = [code.strip() for code in params["sites"] if code.strip()] or None
    try:
        loaded, everything = build(inventory)  # the whole city: the gate judges the plan city-wide
        site_designs = select_designs(loaded, codes) if codes else everything
        # site pages in the city's language, as `wardnet render` writes them (same bytes)
        outputs = render_all(site_designs, Renderer(lang=loaded.baseline.city.language))
        blocking = render_gate(site_designs, everything, outputs, loaded.baseline)
    except InputError as exc:
        module.fail_json(
            msg=f"{len(exc.problems)} input problem(s); nothing was rendered or changed",
            problems=[str(problem) for problem in exc.problems],
        )
        return
    except TemplateError as exc:
        module.fail_json(msg=f"template error: {exc.__class__.__name__}: {exc}")
        return

    gated = sorted({finding.site for finding in blocking})
    if gated and not params["force"]:
        module.fail_json(
            msg=f"refused: {len(gated)} site(s) have critical or high check findings ({', '.join(gated)}); "
            "nothing was written. Fix them (`wardnet check --site CODE` lists them), or render anyway "
            "with force=true",
            findings=[finding.as_dict() for finding in blocking],
        )
        return
    if gated:
        module.warn(f"force: rendering site(s) with critical or high check findings: {', '.join(gated)}")
    if module.check_mode:
        written = sum(
            1
            for item in outputs
            if not (
                (out / item.site / item.name).is_file()
                and (out / item.site / item.name).read_bytes() == item.text.encode("utf-8")
            )
        )
        unchanged = len(outputs) - written
        removed: list[str] = []
    else:
        try:
            result = write(outputs, out, codes)
        except InputError as exc:
            module.fail_json(msg=str(exc), problems=[str(problem) for problem in exc.problems])
            return
        written, unchanged, removed = result.written, result.unchanged, result.removed
    devices = sum(len(design.devices) for design in site_designs)
    summary = (
        f"rendered {len(site_designs)} sites, {devices} devices into {out}: "
        f"{written} files written, {unchanged} unchanged, {len(removed)} removed"
    )
    module.exit_json(
        changed=written > 0 or bool(removed),
        sites=len(site_designs),
        devices=devices,
        written=written,
        unchanged=unchanged,
        removed=removed,
        forced=gated,
        out=str(out),
        summary=summary,
    )


if __name__ == "__main__":
    main()
