"""One side of benchmarks/audit_compare.py, run as its own process: compare every (intended, running) pair.

    .venv/bin/python -m benchmarks.compare_side wardnet|netutils|hier_config|load PAIRS.json

Prints how many pairs it found drifted; the parent times the whole process (imports included).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

NETUTILS_OS = {"cisco_iosxe": "cisco_ios", "fortios": "fortinet_fortios"}
# The same features, as netutils wants them: top-level line prefixes per feature.
NETUTILS_FEATURES: dict[str, list[dict[str, Any]]] = {
    "cisco_iosxe": [
        {"name": "aaa", "ordered": False, "section": ["aaa ", "username ", "tacacs", "radius"]},
        {"name": "management", "ordered": False, "section": ["line ", "ip ssh ", "banner ", "login "]},
        {"name": "firewall", "ordered": True, "section": ["ip access-list "]},
        {"name": "logging", "ordered": False, "section": ["logging "]},
        {"name": "ntp", "ordered": False, "section": ["ntp "]},
        {"name": "snmp", "ordered": False, "section": ["snmp-server "]},
        {"name": "vlans", "ordered": False, "section": ["vlan ", "spanning-tree "]},
        {"name": "interfaces", "ordered": False, "section": ["interface "]},
        {"name": "routing", "ordered": False, "section": ["router ", "ip route "]},
        {"name": "dhcp", "ordered": False, "section": ["ip dhcp "]},
    ],
    "fortios": [
        {"name": "aaa", "ordered": False, "section": ["config system admin", "config user "]},
        {"name": "management", "ordered": False, "section": ["config system global"]},
        {"name": "firewall", "ordered": True, "section": ["config firewall "]},
        {"name": "logging", "ordered": False, "section": ["config log "]},
        {"name": "ntp", "ordered": False, "section": ["config system ntp"]},
        {"name": "snmp", "ordered": False, "section": ["config system snmp"]},
        {"name": "interfaces", "ordered": False, "section": ["config system interface"]},
        {"name": "routing", "ordered": False, "section": ["config router "]},
        {"name": "dhcp", "ordered": False, "section": ["config system dhcp "]},
    ],
}


def wardnet(pairs: list[list[str]]) -> int:
    """Device form, normalise, compare by feature, severity, diff and remediation."""
    from wardnet.api import audit_device

    results = [
        audit_device(name, "x", platform, "", intended=intended, running=running, rules=[])
        for name, platform, intended, running in pairs
    ]
    return sum(r.status == "drift" for r in results)


def netutils(pairs: list[list[str]]) -> int:
    """Compliance per feature (what Nautobot Golden Config runs per device); no remediation."""
    from netutils.config.compliance import compliance

    drifted = 0
    for _, platform, intended, running in pairs:
        result = compliance(NETUTILS_FEATURES[platform], running, intended, NETUTILS_OS[platform], "string")
        drifted += any(not feature["compliant"] for feature in result.values())
    return drifted


def hier_config(pairs: list[list[str]]) -> int:
    """hier_config's remediation of running towards intended (both parsed whole, as its users run it)."""
    from hier_config import Platform, WorkflowRemediation, get_hconfig

    platforms = {"cisco_iosxe": Platform.CISCO_IOS, "fortios": Platform.FORTINET_FORTIOS}
    drifted = 0
    for _, platform, *texts in pairs:
        # its FortiOS driver takes the tree from indentation: no next/end lines
        tidy = _without_closers if platform == "fortios" else str
        intended, running = (get_hconfig(platforms[platform], tidy(text)) for text in texts)
        plan = WorkflowRemediation(running, intended)
        drifted += bool(tuple(plan.remediation_config.all_children()))
    return drifted


def _without_closers(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.strip() not in ("next", "end"))


def load(pairs: list[list[str]]) -> int:
    """Nothing compared: the memory every side pays to hold the pairs (the others' peak RSS less this)."""
    return 0


SIDES = {"wardnet": wardnet, "netutils": netutils, "hier_config": hier_config, "load": load}


def main(argv: list[str]) -> int:
    pairs = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    print(f"drifted {SIDES[argv[0]](pairs)} of {len(pairs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
