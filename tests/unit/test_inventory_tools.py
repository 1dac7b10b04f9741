"""Ansible and Nornir see the same inventory as wardnet; Ansible never templates it; the render playbook
writes the same bytes as `wardnet render`."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import BEN_THANH, INVENTORY, REPO, ward_file
from wardnet.cli import main as wardnet_main
from wardnet.inventory import Inventory
from wardnet.pipeline import build, designs

PLUGIN = REPO / "plugins" / "inventory" / "wardnet.py"
TEMPLATE_SYNTAX = "{{ 7 * 7 }}"


def tool_env(**extra: str) -> dict[str, str]:
    """The environment `make` gives the tools: the venv first on PATH, the repo's ansible.cfg."""
    venv_bin = REPO / ".venv" / "bin"
    bin_dir = venv_bin if venv_bin.is_dir() else Path(sys.executable).parent
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", ANSIBLE_CONFIG=str(REPO / "ansible.cfg")
    )
    env.pop("WARDNET_STRUCTURED_CONFIG", None)
    env.update(extra)
    return env


def run(*command: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=REPO, env=tool_env(**extra_env), check=False, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def plugin_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wardnet_ansible_inventory_plugin", PLUGIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as ansible's plugin loader does (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def _plain(value: Any) -> Any:
    """ansible-inventory --list prints unsafe strings as {"__ansible_unsafe": "..."}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@pytest.mark.slow
def test_ansible_nornir_and_wardnet_see_the_same_devices_and_groups() -> None:
    from wardnet.nornir_inventory import init_nornir

    listing = run("ansible-inventory", "--list")
    assert "WARNING" not in listing.stderr and "ERROR" not in listing.stderr, listing.stderr
    data = json.loads(listing.stdout)
    ansible_hosts = {name: _plain(hostvars) for name, hostvars in data["_meta"]["hostvars"].items()}
    ansible_groups = {
        name: set(group.get("hosts", []))
        for name, group in data.items()
        if name not in {"_meta", "all", "ungrouped"}
    }

    nornir = init_nornir(INVENTORY)
    nornir_groups: dict[str, set[str]] = {}
    for host in nornir.inventory.hosts.values():
        for group in host.groups:
            nornir_groups.setdefault(group.name, set()).add(host.name)

    _, site_designs = build(INVENTORY)
    devices = {name: config for design in site_designs for name, config in design.devices.items()}
    servers = {name: server for design in site_designs for name, server in design.servers.items()}
    assert servers, "the city inventory declares at least one site server"

    # Network devices: the same in all three. Servers are Ansible's only (playbooks/servers.yml).
    assert len(nornir.inventory.hosts) == len(devices) > 0
    assert set(ansible_hosts) == set(nornir.inventory.hosts) | set(servers) == set(devices) | set(servers)
    without_servers = {name: hosts - set(servers) for name, hosts in ansible_groups.items()}
    assert {name: hosts for name, hosts in without_servers.items() if hosts} == nornir_groups
    assert {name for name in ansible_groups if not name.startswith("site_")} == {
        "role_firewall",
        "role_core",
        "role_access",
        "role_server",
        *{f"service_{service}" for server in servers.values() for service in server.services},
        *{f"platform_{config.platform}" for config in devices.values()},
    }
    assert len([name for name in ansible_groups if name.startswith("site_")]) == len(site_designs)
    for name, server in servers.items():
        hostvars = ansible_hosts[name]
        assert name in ansible_groups[f"site_{server.site.code}"]
        assert name in ansible_groups["role_server"]
        assert hostvars["ansible_host"] == hostvars["wardnet_address"] == server.address
        assert hostvars["wardnet_role"] == "server" and hostvars["wardnet_services"] == server.services
        assert "ansible_network_os" not in hostvars
    drivers = {
        "cisco_iosxe": ("wardnet_ios", "cisco.ios.ios"),
        "fortios": ("fortinet", "fortinet.fortios.fortios"),
    }
    for name, config in devices.items():
        hostvars, host = ansible_hosts[name], nornir.inventory.hosts[name]
        address = config.management.address
        assert hostvars["ansible_host"] == host.hostname == address
        assert hostvars["wardnet_site"] == host.data["site"] == config.site.code
        assert hostvars["wardnet_role"] == host.data["role"] == config.role
        assert hostvars["wardnet_platform"] == host.data["wardnet_platform"] == config.platform
        napalm, network_os = drivers.get(config.platform, ("frr", "frr"))
        assert host.platform == napalm and hostvars["ansible_network_os"] == network_os
        assert "wardnet_config" not in hostvars  # large; only with WARDNET_STRUCTURED_CONFIG=1


def test_the_plugin_takes_ward_files_only(tmp_path: Path) -> None:
    plugin = plugin_module().InventoryModule()
    ward = next((INVENTORY / "wards").glob(f"{BEN_THANH}-*.yml"))
    assert plugin.verify_file(str(ward))
    assert not plugin.verify_file(str(INVENTORY / "group_vars" / "all" / "baseline.yml"))
    assert not plugin.verify_file(str(INVENTORY / "wards"))
    stray = tmp_path / "wards" / "notes.txt"
    stray.parent.mkdir()
    stray.write_text("not a site\n", encoding="utf-8")
    assert not plugin.verify_file(str(stray))
    orphan = tmp_path / "wards" / ward.name  # a ward file with no baseline beside it
    orphan.write_bytes(ward.read_bytes())
    assert not plugin.verify_file(str(orphan))


def test_plugin_host_vars_are_unsafe_even_when_given_trusted_text(inventory: Inventory) -> None:
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, is_trusted_as_template, trust_as_template

    config = designs(inventory, [BEN_THANH])[0].devices[f"hcm-{BEN_THANH}-acc1"]
    config = replace(
        config,
        location=trust_as_template(TEMPLATE_SYNTAX),
        management=replace(config.management, address=trust_as_template(TEMPLATE_SYNTAX)),
    )
    hostvars = plugin_module().host_vars(config, structured_config=True)
    assert not is_trusted_as_template(hostvars["wardnet_config"]["location"])
    templar = Templar(loader=DataLoader(), variables=hostvars)
    for expression in ("{{ wardnet_config.location }}", "{{ ansible_host }}"):
        assert templar.template(trust_as_template(expression)) == TEMPLATE_SYNTAX


@pytest.mark.slow
def test_ansible_never_templates_inventory_data(inventory_copy: Callable[..., Path]) -> None:
    """End to end through ansible: a (patched-in) value with template syntax comes out as written."""
    root = inventory_copy(BEN_THANH)
    script = f"""
import sys
from dataclasses import replace
from wardnet import pipeline
real = pipeline.designs
def designs(inventory, codes=None):
    result = real(inventory, codes)
    for design in result:
        for name, config in design.devices.items():
            design.devices[name] = replace(config, location={TEMPLATE_SYNTAX!r})
    return result
pipeline.designs = designs
from ansible.cli.adhoc import main
main(["ansible", "hcm-{BEN_THANH}-core", "-i", {str(root)!r}, "-c", "local",
      "-m", "ansible.builtin.debug", "-a", "var=wardnet_config.location"])
"""
    result = run(sys.executable, "-c", script, WARDNET_STRUCTURED_CONFIG="1")
    line = next(line for line in result.stdout.splitlines() if "wardnet_config.location" in line)
    assert TEMPLATE_SYNTAX in line and "49" not in line, result.stdout


@pytest.mark.slow
def test_render_playbook_writes_the_same_bytes_as_wardnet_render(tmp_path: Path) -> None:
    by_ansible, by_wardnet = tmp_path / "ansible", tmp_path / "wardnet"
    run("ansible-playbook", "playbooks/render.yml", "-e", f"site={BEN_THANH}", "-e", f"out={by_ansible}")
    assert (
        wardnet_main(["render", "--inventory", str(INVENTORY), "--site", BEN_THANH, "--out", str(by_wardnet)])
        == 0
    )

    def files(root: Path) -> dict[str, bytes]:
        return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}

    rendered = files(by_ansible)
    assert rendered and any(name.endswith(".cfg") for name in rendered)
    assert rendered == files(by_wardnet)


def test_a_typo_in_one_ward_fails_ansible_naming_that_file_only(inventory_copy: Callable[..., Path]) -> None:
    root = inventory_copy(BEN_THANH, "26732")
    path = ward_file(root, BEN_THANH)
    path.write_text(path.read_text(encoding="utf-8").replace("concurrent_users:", "concurent_users:"))
    result = subprocess.run(
        ["ansible-inventory", "-i", str(root), "--graph"],
        cwd=REPO,
        env=tool_env(),
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{path.name}:6: concurent_users: unknown field" in output
    assert "did you mean 'concurrent_users'" in output
    assert "26732-con-dao" not in output  # the other ward parses: its file is never blamed
    assert len(output.splitlines()) < 30, output
