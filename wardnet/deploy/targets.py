"""What a deploy pushes where: one target per device, with its intended text and how to reach it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wardnet.design import SiteDesign
from wardnet.platforms import PLATFORMS
from wardnet.render import Renderer


@dataclass(frozen=True)
class Target:
    name: str
    site: str
    role: str
    platform: str
    driver: str  # NAPALM driver name
    host: str  # what the driver connects to (an ssh_config alias in the lab)
    intended: str
    username: str
    password: str = field(repr=False, default="")
    optional_args: dict[str, Any] = field(default_factory=dict)
    bgp_neighbors: tuple[str, ...] = ()


def _neighbors(config: dict[str, Any]) -> tuple[str, ...]:
    return tuple(n["address"] for n in config.get("bgp", {}).get("neighbors", []))


def production_targets(designs: list[SiteDesign], renderer: Renderer | None = None) -> list[Target]:
    renderer = renderer or Renderer()
    username = os.environ.get("WARDNET_USERNAME", "wardnet-deploy")
    password = os.environ.get("WARDNET_PASSWORD", "")
    return [
        Target(
            name=name,
            site=design.plan.site.code,
            role=config["role"],
            platform=config["platform"],
            driver=PLATFORMS[config["platform"]].napalm_driver,
            host=config["management"]["address"],
            intended=renderer.device(config),
            username=username,
            password=password,
            bgp_neighbors=_neighbors(config),
        )
        for design in designs
        for name, config in design.devices.items()
    ]


def lab_targets(
    designs: list[SiteDesign], ssh_config: Path, key: Path, renderer: Renderer | None = None
) -> list[Target]:
    """The white-box twins in the lab, reached through its ssh_config (ProxyCommand into the namespace)."""
    renderer = renderer or Renderer()
    return [
        Target(
            name=name,
            site=design.plan.site.code,
            role=config["role"],
            platform=config["platform"],
            driver=PLATFORMS[config["platform"]].napalm_driver,
            host=name,
            intended=renderer.device(config),
            username="root",
            optional_args={"ssh_config_file": str(ssh_config), "key_file": str(key)},
            bgp_neighbors=_neighbors(config),
        )
        for design in designs
        for name, config in design.devices.items()
    ]
