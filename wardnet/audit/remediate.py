"""The commands that bring a device's running config back to its intended config.

IOS-XE and FortiOS: hier_config's remediation (negations, parents, `end`/`next`) on the normalised texts.
The frr platform, per section: FRR lines through hier_config as vtysh input; nftables by whole-ruleset
replace (`nft -f` of the intended ruleset is atomic, a rule-by-rule patch is not); Open vSwitch as the one
ovs-vsctl transaction the lab agent itself would run. Secrets stay masked (`<secret>`): the text is for
reading; `--remediate --commit` applies through the deploy path with the real values.
"""

from __future__ import annotations

import shlex

from hier_config import Platform, WorkflowRemediation, get_hconfig

from wardnet.canonical import SECTION_MARK, split_sections
from wardnet.node import ovs

HIER_PLATFORMS = {"cisco_iosxe": Platform.CISCO_IOS, "fortios": Platform.FORTINET_FORTIOS}


def _hier(platform: Platform, intended: list[str], running: list[str]) -> str:
    # hier_config wants block closers absent (it adds `end`/`next`/`exit` itself) and spaces, not tabs.
    plan = WorkflowRemediation(
        get_hconfig(platform, "\n".join(running)), get_hconfig(platform, "\n".join(intended))
    )
    return "".join(line + "\n" for line in plan.remediation_config.dump_simple(sectional_exiting=True))


def _blocks(lines: list[str], tops: set[str]) -> list[str]:
    """Only the top-level blocks named in tops (hier_config's cost grows with the config; drift is local)."""
    out: list[str] = []
    keep = False
    for line in lines:
        if not line[:1].isspace():
            keep = " ".join(line.split()) in tops
        if keep:
            out.append(line)
    return out


def _sections(lines: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines:
        if line.startswith(SECTION_MARK):
            current = out.setdefault(line.removeprefix(SECTION_MARK), [])
        else:
            current.append(line)
    return out


def _frr_platform(intended_text: str, intended: list[str], running: list[str], tops: set[str]) -> str:
    want, have = _sections(intended), _sections(running)
    parts = []
    if want.get("frr", []) != have.get("frr", []):
        frr_want, frr_have = _blocks(want.get("frr", []), tops), _blocks(have.get("frr", []), tops)
        commands = _hier(Platform.CISCO_IOS, frr_want, frr_have)
        if commands:
            parts.append("# FRR: vtysh -c 'configure terminal', then:\n" + commands)
    if want.get("nftables", []) != have.get("nftables", []):
        ruleset = split_sections(intended_text).get("nftables", "flush ruleset\n")
        parts.append(f"# nftables: replace the whole ruleset atomically\nnft -f - <<'EOF'\n{ruleset}EOF\n")
    if want.get("ovs", []) != have.get("ovs", []):
        fix = ovs.plan(ovs.parse("\n".join(want.get("ovs", []))), ovs.parse("\n".join(have.get("ovs", []))))
        lines = []
        if fix.vsctl:
            lines.append("ovs-vsctl " + shlex.join(fix.vsctl))
        lines += [f"ovs-ofctl mod-port {b} {p} {'up' if up else 'down'}" for b, p, up in fix.admin]
        if lines:
            parts.append("# Open vSwitch: one transaction\n" + "".join(line + "\n" for line in lines))
    return "\n".join(parts)


def remediation(
    platform: str, intended_text: str, intended: list[str], running: list[str], tops: set[str]
) -> str:
    """intended_text: the masked intended config (for nftables, replaced whole); intended/running: the
    normalised lines; tops: the top-level blocks with drift to fix (accepted drift is left alone)."""
    if platform == "frr":
        return _frr_platform(intended_text, intended, running, tops)
    if platform in HIER_PLATFORMS:
        try:
            return _hier(HIER_PLATFORMS[platform], _blocks(intended, tops), _blocks(running, tops))
        except Exception as exc:  # hier_config refuses some shapes (duplicate children): say so, never crash
            return (
                f"! no line-by-line remediation: hier_config could not model this config ({exc})\n"
                "! `wardnet audit --remediate --commit` replaces the whole config through the deploy path\n"
            )
    return ""
