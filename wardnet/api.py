"""The types the public functions (wardnet.__all__) take and return, and the few lower-level entry points
the plugins and benchmarks use. Stable names over internal modules; loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wardnet import load

_TYPES = {
    # inventory and design
    "Inventory": "wardnet.inventory:Inventory",
    "Signature": "wardnet.inventory:Signature",
    "source_signature": "wardnet.inventory:source_signature",
    "load_partial": "wardnet.inventory:load_partial",  # the sites without problems of their own
    "InputProblem": "wardnet.errors:InputProblem",
    "BASELINE_FILE": "wardnet.inventory:BASELINE_FILE",
    "SITES_DIR": "wardnet.inventory:SITES_DIR",
    "YAML_SUFFIXES": "wardnet.inventory:YAML_SUFFIXES",
    "SiteDesign": "wardnet.design:SiteDesign",
    # the structured config (typed; `.as_dict()` where plain data is needed, e.g. Ansible variables)
    "AnyDeviceConfig": "wardnet.design.config:AnyDeviceConfig",
    "FirewallConfig": "wardnet.design.config:FirewallConfig",
    "SwitchConfig": "wardnet.design.config:SwitchConfig",
    "ServerConfig": "wardnet.design.config:ServerConfig",
    "DhcpPool": "wardnet.design.config:DhcpPool",
    # the one host model of the Ansible and Nornir inventory plugins and the deploy/audit targets
    "Host": "wardnet.hosts:Host",
    "device_host": "wardnet.hosts:device_host",
    "site_hosts": "wardnet.hosts:site_hosts",
    "Renderer": "wardnet.render:Renderer",
    "Rendered": "wardnet.render:Rendered",
    "render_gate": "wardnet.gate:blocking_findings",  # what stops a render unless forced
    "TEMPLATES": "wardnet.resources:TEMPLATES",  # the template folder (the Ansible benchmark renders it too)
    # findings and outcomes
    "ExitCode": "wardnet.findings:ExitCode",
    "Finding": "wardnet.findings:Finding",
    "SEVERITIES": "wardnet.findings:SEVERITIES",
    "PLATFORMS": "wardnet.platforms:PLATFORMS",
    # deploy
    "DeployRequest": "wardnet.deploy.job:DeployRequest",
    "DeployOptions": "wardnet.deploy.device:Options",
    "DeployPlan": "wardnet.deploy.run:Plan",
    "DeviceResult": "wardnet.deploy.device:DeviceResult",
    "Credentials": "wardnet.deploy.targets:Credentials",
    "Target": "wardnet.deploy.targets:Target",
    "lab_targets": "wardnet.deploy.targets:lab_targets",
    "BackupStore": "wardnet.deploy.backups:BackupStore",
    "deploy_targets": "wardnet.deploy.run:deploy",
    "deploy_device": "wardnet.deploy.device:deploy_device",
    "write_deploy_json": "wardnet.deploy.run:write_json",
    "host_key_args": "wardnet.deploy.hostkeys:netmiko_args",  # the drivers: Netmiko trusts only known keys
    "ssh_client": "wardnet.deploy.hostkeys:ssh_client",  # the same trust for a plain paramiko client
    "proxy_command": "wardnet.deploy.hostkeys:proxy_command",  # ssh_config's ProxyCommand, reaped on close
    # audit
    "AuditRequest": "wardnet.audit.run:AuditRequest",
    "AuditOutputs": "wardnet.audit.job:Outputs",
    "AuditRun": "wardnet.audit.model:AuditRun",
    "run_audit": "wardnet.audit.run:run_audit",
    "audit_device": "wardnet.audit.compare:audit_device",
    "audit_targets": "wardnet.audit.run:targets_for",
    "select_audit": "wardnet.audit.run:select",
    "collect": "wardnet.audit.collect:collect",
    "collect_device": "wardnet.audit.collect:collect_device",
    "CanonicalCache": "wardnet.audit.collect:CanonicalCache",
    "report_language": "wardnet.i18n:default_language",  # the baseline's city.language
    # the lab (the lab benchmarks drive it)
    "Lab": "wardnet.lab.manager:Lab",
    "lab_preflight": "wardnet.lab.manager:preflight",
    "namespace_pids": "wardnet.lab.system:namespace_pids",
    "LabSshFiles": "wardnet.lab.ssh:SshFiles",  # where a lab keeps its SSH material (the lab benchmarks)
    "prove_site": "wardnet.lab.prove:prove",
    "write_prove_report": "wardnet.lab.prove_report:write",
    # systems catalogue
    "DecommissionOptions": "wardnet.systems.decommission:Options",
    "DecommissionRefused": "wardnet.systems.decommission:RefusedError",
}


def render_device(config: AnyDeviceConfig) -> str:
    """One device's structured config → its configuration text (the platform's template set)."""
    from wardnet.render import Renderer

    return Renderer().device(config)


def set_lab_workers(count: int) -> int:
    """How many lab nodes boot side by side; returns the previous count (the lab benchmark's serial peer)."""
    from wardnet.lab import manager

    previous, manager.WORKERS = manager.WORKERS, count
    return previous


def __getattr__(name: str) -> Any:
    return load(_TYPES, name, __name__)


if TYPE_CHECKING:
    from wardnet.audit.collect import CanonicalCache, collect, collect_device
    from wardnet.audit.compare import audit_device
    from wardnet.audit.job import Outputs as AuditOutputs
    from wardnet.audit.model import AuditRun
    from wardnet.audit.run import AuditRequest, run_audit
    from wardnet.audit.run import select as select_audit
    from wardnet.audit.run import targets_for as audit_targets
    from wardnet.deploy.backups import BackupStore
    from wardnet.deploy.device import DeviceResult, deploy_device
    from wardnet.deploy.device import Options as DeployOptions
    from wardnet.deploy.hostkeys import netmiko_args as host_key_args
    from wardnet.deploy.hostkeys import proxy_command, ssh_client
    from wardnet.deploy.job import DeployRequest
    from wardnet.deploy.run import Plan as DeployPlan
    from wardnet.deploy.run import deploy as deploy_targets
    from wardnet.deploy.run import write_json as write_deploy_json
    from wardnet.deploy.targets import Credentials, Target, lab_targets
    from wardnet.design import SiteDesign
    from wardnet.design.config import AnyDeviceConfig, DhcpPool, FirewallConfig, ServerConfig, SwitchConfig
    from wardnet.errors import InputProblem
    from wardnet.findings import SEVERITIES, ExitCode, Finding
    from wardnet.gate import blocking_findings as render_gate
    from wardnet.hosts import Host, device_host, site_hosts
    from wardnet.i18n import default_language as report_language
    from wardnet.inventory import (
        BASELINE_FILE,
        SITES_DIR,
        YAML_SUFFIXES,
        Inventory,
        Signature,
        load_partial,
        source_signature,
    )
    from wardnet.lab.manager import Lab
    from wardnet.lab.manager import preflight as lab_preflight
    from wardnet.lab.prove import prove as prove_site
    from wardnet.lab.prove_report import write as write_prove_report
    from wardnet.lab.ssh import SshFiles as LabSshFiles
    from wardnet.lab.system import namespace_pids
    from wardnet.platforms import PLATFORMS
    from wardnet.render import Rendered, Renderer
    from wardnet.resources import TEMPLATES
    from wardnet.systems.decommission import Options as DecommissionOptions
    from wardnet.systems.decommission import RefusedError as DecommissionRefused

__all__ = [
    "BASELINE_FILE",
    "PLATFORMS",
    "SEVERITIES",
    "SITES_DIR",
    "TEMPLATES",
    "YAML_SUFFIXES",
    "AnyDeviceConfig",
    "AuditOutputs",
    "AuditRequest",
    "AuditRun",
    "BackupStore",
    "CanonicalCache",
    "Credentials",
    "DecommissionOptions",
    "DecommissionRefused",
    "DeployOptions",
    "DeployPlan",
    "DeployRequest",
    "DeviceResult",
    "DhcpPool",
    "ExitCode",
    "Finding",
    "FirewallConfig",
    "Host",
    "InputProblem",
    "Inventory",
    "Lab",
    "LabSshFiles",
    "Rendered",
    "Renderer",
    "ServerConfig",
    "Signature",
    "SiteDesign",
    "SwitchConfig",
    "Target",
    "audit_device",
    "audit_targets",
    "collect",
    "collect_device",
    "deploy_device",
    "deploy_targets",
    "device_host",
    "host_key_args",
    "lab_preflight",
    "lab_targets",
    "load_partial",
    "namespace_pids",
    "prove_site",
    "proxy_command",
    "render_device",
    "render_gate",
    "report_language",
    "run_audit",
    "select_audit",
    "set_lab_workers",
    "site_hosts",
    "source_signature",
    "ssh_client",
    "write_deploy_json",
    "write_prove_report",
]
