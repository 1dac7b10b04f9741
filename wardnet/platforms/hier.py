"""hier_config remediation, shared by the platforms whose CLI it models (IOS-XE, FRR's vtysh)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hier_config.platforms.driver_base import HConfigDriverBase


def hier_remediation(intended: list[str], running: list[str]) -> str:
    """IOS-style remediation (negations, parents) of running towards intended."""
    from hier_config import WorkflowRemediation, get_hconfig

    # hier_config wants block closers absent (it adds `end`/`next`/`exit` itself) and spaces, not tabs.
    driver = _ios_driver()
    plan = WorkflowRemediation(
        get_hconfig(driver, "\n".join(running)), get_hconfig(driver, "\n".join(intended))
    )
    return "".join(line + "\n" for line in plan.remediation_config.dump_simple(sectional_exiting=True))


@functools.cache
def _ios_driver() -> HConfigDriverBase:
    """hier_config's IOS driver (its rules, built once: a driver holds nothing about one config)."""
    from hier_config import Platform, get_hconfig_driver

    return get_hconfig_driver(Platform.CISCO_IOS)


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
