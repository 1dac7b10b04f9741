"""The compare engine on 2,500 rendered configs with synthetic drift, against netutils' compliance function.

Both sides get the same (intended, running) pairs: every IOS-XE and FortiOS device of the city rendered by
wardnet, cycled to 2,500, each running config carrying seeded drift (a changed line, an extra line, a
removed line). wardnet: `audit_device` (normalise, compare by block, features, severity, diff and
remediation). Peer: `netutils.config.compliance.compliance` with the same features as top-level sections
(what Nautobot Golden Config runs per device). One process, one core each, in the same run.

    .venv/bin/python -m benchmarks.audit_compare [--configs 2500] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from netutils.config.compliance import compliance

from wardnet import load_inventory
from wardnet import select_designs as designs
from wardnet.api import Renderer, audit_device

REPO = Path(__file__).resolve().parent.parent
NETUTILS_OS = {"cisco_iosxe": "cisco_ios", "fortios": "fortinet_fortios"}

# The same features, as netutils wants them: top-level line prefixes per feature.
NETUTILS_FEATURES = {
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


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_setting(line: str, following: str) -> bool:
    """An indented leaf line with a value: not a block header, not a closer."""
    words = line.split()
    return (
        line.startswith(" ")
        and len(words) >= 2
        and words[0] not in {"edit", "config"}
        and _depth(following) <= _depth(line)
    )


def drifted(platform: str, text: str, rng: random.Random, n: int) -> str:
    """A running config: one leaf line changed, one removed, one extra (IOS) or one setting changed."""
    lines = text.splitlines()
    leaves = [i for i in range(len(lines) - 1) if _is_setting(lines[i], lines[i + 1])]
    changed, removed = rng.sample(leaves, 2)
    lines[changed] = lines[changed] + " drift"
    del lines[removed]
    if platform == "cisco_iosxe":
        lines.append(f"ntp server 203.0.113.{n % 250 + 1}")
    return "\n".join(lines) + "\n"


def pairs(count: int, seed: int) -> list[tuple[str, str, str, str]]:
    inventory = load_inventory(REPO / "inventories")
    renderer = Renderer()
    city = [
        (name, config["platform"], renderer.device(config))
        for design in designs(inventory)
        for name, config in design.devices.items()
    ]
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name, platform, text = city[i % len(city)]
        out.append((name, platform, text, drifted(platform, text, rng, i)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--configs", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = pairs(args.configs, args.seed)
    print(f"{len(work)} configs ({sum(p == 'cisco_iosxe' for _, p, _, _ in work)} IOS-XE)", file=sys.stderr)

    started = time.perf_counter()
    ours = [
        audit_device(name, "x", platform, "", intended=intended, running=running, rules=[])
        for name, platform, intended, running in work
    ]
    wardnet_s = time.perf_counter() - started

    started = time.perf_counter()
    theirs = [
        compliance(NETUTILS_FEATURES[platform], running, intended, NETUTILS_OS[platform], cfg_type="string")
        for _, platform, intended, running in work
    ]
    netutils_s = time.perf_counter() - started

    drift_ours = sum(d.status == "drift" for d in ours)
    drift_theirs = sum(any(not f["compliant"] for f in r.values()) for r in theirs)
    print(f"{'':<52} {'s':>7} {'configs/s':>10} {'drifted':>8}")
    row = "{:<52} {:>7.2f} {:>10.0f} {:>8}"
    print(
        row.format(
            "wardnet compare (+ diff, remediation, severity)", wardnet_s, len(work) / wardnet_s, drift_ours
        )
    )
    print(
        row.format(
            "peer: netutils compliance (features by section)",
            netutils_s,
            len(work) / netutils_s,
            drift_theirs,
        )
    )
    print(f"throughput ratio: {netutils_s / wardnet_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
