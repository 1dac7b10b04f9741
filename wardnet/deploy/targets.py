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
class Credentials:
    """Login and secret values for one run: from the environment (CLI) or Ansible Vault (the play).
    Never printed: repr hides the values."""

    username: str = "wardnet-deploy"
    password: str = field(repr=False, default="")
    secrets: dict[str, str] = field(repr=False, default_factory=dict)  # name in <<secret:NAME>> → value

    @classmethod
    def from_environment(cls) -> Credentials:
        return cls(
            username=os.environ.get("WARDNET_USERNAME", "wardnet-deploy"),
            password=os.environ.get("WARDNET_PASSWORD", ""),
        )


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
    secrets: dict[str, str] = field(repr=False, default_factory=dict)


def _neighbors(config: dict[str, Any]) -> tuple[str, ...]:
    return tuple(n["address"] for n in config.get("bgp", {}).get("neighbors", []))


def production_targets(
    designs: list[SiteDesign], credentials: Credentials | None = None, renderer: Renderer | None = None
) -> list[Target]:
    renderer = renderer or Renderer()
    credentials = credentials or Credentials.from_environment()
    return [
        Target(
            name=name,
            site=design.plan.site.code,
            role=config["role"],
            platform=config["platform"],
            driver=PLATFORMS[config["platform"]].napalm_driver,
            host=config["management"]["address"],
            intended=renderer.device(config),
            username=credentials.username,
            password=credentials.password,
            bgp_neighbors=_neighbors(config),
            secrets=credentials.secrets,
        )
        for design in designs
        for name, config in design.devices.items()
    ]


def lab_targets(
    designs: list[SiteDesign],
    ssh_config: Path,
    key: Path,
    credentials: Credentials | None = None,
    renderer: Renderer | None = None,
) -> list[Target]:
    """The white-box twins in the lab, reached through its ssh_config (ProxyCommand into the namespace)
    as root with the lab's key; only the secret values come from the credentials."""
    renderer = renderer or Renderer()
    credentials = credentials or Credentials.from_environment()
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
            secrets=credentials.secrets,
        )
        for design in designs
        for name, config in design.devices.items()
    ]
