"""The audit does not repeat what the white-box platform lacks by design; what a device runs it reports."""

from __future__ import annotations

from tests.conftest import BEN_THANH, INVENTORY
from wardnet import load_inventory
from wardnet.audit.compare import baseline_findings
from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.design import design_site
from wardnet.design.twin import whitebox_twin
from wardnet.render import Renderer


def twin_firewall() -> tuple[str, Expect]:
    inventory = load_inventory(INVENTORY)
    site = next(e.site for e in inventory.sites.values() if e.site.code == BEN_THANH)
    design = design_site(whitebox_twin(site, inventory.baseline), inventory.baseline)
    config = design.devices[f"hcm-{BEN_THANH}-fw"]
    return Renderer().device(config), Expect.from_baseline(inventory.baseline)


def test_platform_gaps_are_reported_by_check_not_by_the_nightly_audit() -> None:
    text, expect = twin_firewall()
    checked = rendered_findings(text, "frr", "firewall", site=BEN_THANH, device="fw", expect=expect)
    assert {"L2-AAA-01", "L2-SNMP-01", "L2-FLOW-02"} <= {f.rule for f in checked}  # check --config says so
    assert baseline_findings(text, "frr", "firewall", site=BEN_THANH, device="fw", expect=expect) == []


def test_a_real_violation_on_the_twin_is_still_reported() -> None:
    text, expect = twin_firewall()
    policy = "chain forward {\n\t\ttype filter hook forward priority filter; policy drop;"
    assert policy in text
    opened = text.replace(policy, policy.replace("policy drop;", "policy accept;"))
    found = baseline_findings(opened, "frr", "firewall", site=BEN_THANH, device="fw", expect=expect)
    assert "L2-FLOW-01" in {f.rule for f in found}
