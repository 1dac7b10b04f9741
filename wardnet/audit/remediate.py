"""The commands that bring a device's running config back to its intended config.

IOS-XE: hier_config's remediation (negations, parents) on the normalised texts; FortiOS: the fortinet
driver's own set/unset/delete/move script.
The frr platform, per section: FRR lines through hier_config as vtysh input; nftables by whole-ruleset
replace (`nft -f` of the intended ruleset is atomic, a rule-by-rule patch is not); Open vSwitch as the one
ovs-vsctl transaction the lab agent itself would run. Secrets stay masked (`<secret>`): the text is for
reading; `--remediate --commit` applies through the deploy path with the real values.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from hier_config import Platform, WorkflowRemediation, get_hconfig
from napalm_fortinet import config as fortios

from wardnet import secrets
from wardnet.canonical import SECTION_MARK, split_sections
from wardnet.node import ovs

HIER_PLATFORMS = {"cisco_iosxe": Platform.CISCO_IOS}


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


@dataclass(frozen=True)
class Texts:
    """The device's texts as collected (secret-masked): intended, running, FortiOS full configuration."""

    intended: str
    running: str
    defaults: str = ""


def _fortios(texts: Texts, tops: set[str]) -> str:
    """FortiOS has no replace: the set/unset/delete/move commands the deploy driver itself would send
    (hier_config cannot delete a table entry), for the drifted `config` blocks only."""
    candidate = fortios.parse(secrets.redact("fortios", texts.intended))
    candidate.subs = {k: v for k, v in candidate.subs.items() if f"config {v.raw}" in tops}
    shown = fortios.parse(secrets.redact("fortios", texts.running))
    full = fortios.parse(texts.defaults) if texts.defaults else None
    blocks = fortios.script(fortios.with_defaults(shown, full, candidate), candidate)
    return "".join(line + "\n" for block in blocks for line in block)


def remediation(platform: str, texts: Texts, intended: list[str], running: list[str], tops: set[str]) -> str:
    """texts: as collected (nftables is replaced whole from the intended text); intended/running: the
    normalised lines; tops: the top-level blocks with drift to fix (accepted drift is left alone)."""
    if platform == "frr":
        return _frr_platform(texts.intended, intended, running, tops)
    if platform == "fortios":
        return _fortios(texts, tops)
    if platform in HIER_PLATFORMS:
        try:
            return _hier(HIER_PLATFORMS[platform], _blocks(intended, tops), _blocks(running, tops))
        except Exception as exc:  # hier_config refuses some shapes (duplicate children): say so, never crash
            return (
                f"! no line-by-line remediation: hier_config could not model this config ({exc})\n"
                "! `wardnet audit --remediate --commit` replaces the whole config through the deploy path\n"
            )
    return ""
