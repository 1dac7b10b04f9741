"""hier_config remediation, shared by the platforms whose CLI it models (IOS-XE, FRR's vtysh)."""

from __future__ import annotations


def hier_remediation(intended: list[str], running: list[str]) -> str:
    """IOS-style remediation (negations, parents) of running towards intended."""
    from hier_config import Platform, WorkflowRemediation, get_hconfig

    # hier_config wants block closers absent (it adds `end`/`next`/`exit` itself) and spaces, not tabs.
    plan = WorkflowRemediation(
        get_hconfig(Platform.CISCO_IOS, "\n".join(running)),
        get_hconfig(Platform.CISCO_IOS, "\n".join(intended)),
    )
    return "".join(line + "\n" for line in plan.remediation_config.dump_simple(sectional_exiting=True))


def top_blocks(lines: list[str], tops: set[str]) -> list[str]:
    """Only the top-level blocks named in tops (hier_config's cost grows with the config; drift is local)."""
    out: list[str] = []
    keep = False
    for line in lines:
        if not line[:1].isspace():
            keep = " ".join(line.split()) in tops
        if keep:
            out.append(line)
    return out
