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
    "BASELINE_FILE": "wardnet.inventory:BASELINE_FILE",
    "SITES_DIR": "wardnet.inventory:SITES_DIR",
    "YAML_SUFFIXES": "wardnet.inventory:YAML_SUFFIXES",
    "SiteDesign": "wardnet.design:SiteDesign",
    "Renderer": "wardnet.render:Renderer",
    "Rendered": "wardnet.render:Rendered",
    "TEMPLATES": "wardnet.render:TEMPLATES",  # the template folder (the Ansible benchmark renders it too)
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
    # systems catalogue
    "DecommissionOptions": "wardnet.systems.decommission:Options",
    "DecommissionRefused": "wardnet.systems.decommission:RefusedError",
}


def render_device(config: dict[str, Any]) -> str:
    """One device's structured config → its configuration text (the platform's template set)."""
    from wardnet.render import Renderer

    return Renderer().device(config)


def __getattr__(name: str) -> Any:
    return load(_TYPES, name, __name__)


if TYPE_CHECKING:
    pass
