"""The render gate: a site whose check has critical or high findings is not rendered unless --force.

The same checks as `wardnet check` (city plan, capacity, the level-2 rules), run on the texts render just
produced, so a config that would fail the check never lands in build/intended/ by accident.
"""

from __future__ import annotations

import sys

from wardnet.checks.expect import Expect
from wardnet.checks.plan import capacity, city_plan
from wardnet.checks.run import as_text, rendered_findings
from wardnet.design import SiteDesign
from wardnet.findings import Finding
from wardnet.models import Baseline
from wardnet.render import Rendered

BLOCKING = ("critical", "high")


def blocking_findings(
    selected: list[SiteDesign], everything: list[SiteDesign], outputs: list[Rendered], baseline: Baseline
) -> list[Finding]:
    """The findings that stop a render: the check's critical and high ones for the selected sites (the city
    plan judged over every site). Shared by `wardnet render` and the Ansible module wardnet_render."""
    chosen = {d.plan.site.code for d in selected}
    findings = [f for f in city_plan(everything, baseline) if f.site in chosen]
    for design in selected:
        findings += capacity(design, baseline)
    roles = {host: config.role for d in selected for host, config in d.devices.items()}
    expect = Expect.from_baseline(baseline)
    for item in outputs:
        if item.hostname is not None and item.platform is not None:
            site = item.site.split("-", 1)[0]
            findings += rendered_findings(
                item.text, item.platform, roles[item.hostname], site=site, device=item.hostname, expect=expect
            )
    return [f for f in findings if f.severity in BLOCKING]


def refuse_render(
    selected: list[SiteDesign],
    everything: list[SiteDesign],
    outputs: list[Rendered],
    baseline: Baseline,
    *,
    force: bool,
) -> bool:
    """True when render must stop (nothing written); says why, or that --force overrode it."""
    findings = blocking_findings(selected, everything, outputs, baseline)
    if not findings:
        return False
    sites = sorted({f.site for f in findings})
    devices = sum(len(d.devices) for d in selected)
    if force:
        print(
            f"warning: --force: rendering {len(sites)} site(s) with critical or high check findings "
            f"({', '.join(sites)}); `wardnet check --site CODE` lists them",
            file=sys.stderr,
        )
        return False
    print(as_text(findings, len(selected), devices), file=sys.stderr)
    print(
        f"wardnet render: refused: {len(sites)} site(s) have critical or high check findings "
        f"({', '.join(sites)}); nothing was written. Fix them, or render anyway with --force",
        file=sys.stderr,
    )
    return True
