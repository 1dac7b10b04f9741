"""What a deploy pushes where: one target per device, with its intended text and how to reach it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardnet import secrets
from wardnet.design import SiteDesign
from wardnet.design.config import AnyDeviceConfig, FirewallConfig
from wardnet.hosts import site_hosts
from wardnet.models import Baseline
from wardnet.render import Renderer

if TYPE_CHECKING:
    from wardnet.deploy.site import NocProbe


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
            password=secrets.environment_value(secrets.PASSWORD) or "",
        )

    @classmethod
    def from_vault(cls, username: str, password: str, secrets: Mapping[str, Any]) -> Credentials:
        """The play's Vault values; secret keys are the names used in <<secret:NAME>> masks."""
        named = {str(k).lower(): str(v) for k, v in secrets.items() if v is not None}
        return cls(username=username, password=password, secrets=named)


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


def _neighbors(config: AnyDeviceConfig) -> tuple[str, ...]:
    return tuple(n.address for n in config.bgp.neighbors) if isinstance(config, FirewallConfig) else ()


def production_targets(
    designs: list[SiteDesign],
    credentials: Credentials | None = None,
    renderer: Renderer | None = None,
    known_hosts: Path | None = None,
) -> list[Target]:
    """The real devices by management address; only host keys in `known_hosts` are trusted (the store,
    wardnet/deploy/hostkeys.py; without one, the user's ~/.ssh/known_hosts)."""
    renderer = renderer or Renderer()
    optional_args = {"known_hosts": str(known_hosts)} if known_hosts else {}
    credentials = credentials or Credentials.from_environment()
    return [
        Target(
            name=host.name,
            site=host.site,
            role=host.role,
            platform=host.platform,
            driver=host.napalm_driver,
            host=host.address,
            intended=renderer.device(config),
            username=credentials.username,
            password=credentials.password,
            optional_args=dict(optional_args),
            bgp_neighbors=_neighbors(config),
            secrets=credentials.secrets,
        )
        for design in designs
        for host, config in zip(site_hosts(design), design.devices.values(), strict=True)
    ]


def lab_targets(
    designs: list[SiteDesign],
    ssh_config: Path,
    key: Path,
    credentials: Credentials | None = None,
    renderer: Renderer | None = None,
) -> list[Target]:
    """The white-box twins in the lab, reached through its ssh_config (ProxyCommand into the namespace)
    as root with the lab's key, trusting only the host keys `lab up` generated (its known_hosts, beside
    ssh_config); only the secret values come from the credentials."""
    renderer = renderer or Renderer()
    credentials = credentials or Credentials.from_environment()
    return [
        Target(
            name=host.name,
            site=host.site,
            role=host.role,
            platform=host.platform,
            driver=host.napalm_driver,
            host=host.name,  # the lab's ssh_config alias
            intended=renderer.device(config),
            username="root",
            optional_args={
                "ssh_config_file": str(ssh_config),
                "key_file": str(key),
                "known_hosts": str(ssh_config.with_name("known_hosts")),
            },
            bgp_neighbors=_neighbors(config),
            secrets=credentials.secrets,
        )
        for design in designs
        for host, config in zip(site_hosts(design), design.devices.values(), strict=True)
    ]


def site_targets(
    selected: list[SiteDesign],
    baseline: Baseline,
    credentials: Credentials,
    lab_inventory: Path | None = None,
    known_hosts: Path | None = None,
) -> list[Target]:
    """The devices of the selected sites; with lab_inventory, their white-box twins in its lab."""
    if lab_inventory is None:
        return production_targets(selected, credentials, known_hosts=known_hosts)
    from wardnet.design import design_site
    from wardnet.design.twin import whitebox_twin
    from wardnet.lab.manager import Lab

    lab = Lab(lab_inventory)
    twins = [design_site(whitebox_twin(d.plan.site, baseline), baseline) for d in selected]
    return lab_targets(twins, lab.ssh.config, lab.ssh.key, credentials)


def lab_noc_probe(lab_inventory: Path, baseline: Baseline, wait: float) -> NocProbe:
    """In the lab, SSH enters each device's own namespace, which proves nothing about the path from the NOC:
    this probe opens TCP 22 on the device's management address from the city core namespace, sourced from
    the NOC zone's address there, through the site firewall and core as production traffic goes."""
    import ipaddress
    import subprocess
    import time

    from wardnet.lab import topology
    from wardnet.lab.manager import Lab

    lab = Lab(lab_inventory)
    namespace = topology.city_namespace(lab.prefix)
    zone = baseline.remote_zones["noc"]
    prefixes = [ipaddress.ip_network(p) for p in zone] if isinstance(zone, list) else []
    noc = next(str(p.network_address + 1) for p in prefixes if p.version == 4)  # as the lab's city core

    def probe(target: Target) -> str | None:
        address = str(lab.find(target.name)["management"])
        deadline = time.monotonic() + wait  # after a commit, routing may take this long to converge
        command = ["ip", "netns", "exec", namespace, "nc", "-z", "-w", "3", "-s", noc, address, "22"]
        while subprocess.run(command, capture_output=True, check=False).returncode != 0:
            if time.monotonic() > deadline:
                return f"management {address}:22 unreachable from the NOC ({noc}, via the city core)"
            time.sleep(2)
        return None

    return probe


def lab_site_probe(lab_inventory: Path, baseline: Baseline, wait: float) -> NocProbe:
    """The lab's site-wide post-check: each device from the NOC, then (on the firewall, whose policy it is)
    the site's whole policy matrix by real packets (wardnet/lab/verify.py). A policy-breaking commit fails
    the transaction and is rolled back with the rest of the site."""
    from wardnet.lab.verify import lab_policy_probe

    noc, matrix = lab_noc_probe(lab_inventory, baseline, wait), lab_policy_probe(lab_inventory)
    return lambda target: noc(target) or matrix(target)
