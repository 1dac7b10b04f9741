"""Level-2 rules for the Wi-Fi a FortiGate's wireless controller serves (issue 17, item 4).

Kept apart from the rest of the FortiOS pack: staff SSIDs authenticate with 802.1X (WPA2/WPA3-Enterprise
against RADIUS, never WEP or a pre-shared key), guest SSIDs isolate their clients (intra-VAP privacy), and
every SSID of the baseline is served where the site has its VLAN.
"""

from __future__ import annotations

from hier_config import HConfig

from wardnet.checks.expect import Expect, Violation
from wardnet.checks.rules_fortios import RULES, _entries

ENTERPRISE = frozenset({"wpa2-only-enterprise", "wpa3-enterprise", "wpa3-only-enterprise", "wpa-enterprise"})
WEAK = frozenset(
    {"wep64", "wep128", "wpa-personal", "wpa-only-personal", "wpa2-only-personal", "wpa3-sae", "open"}
)


def _vaps(tree: HConfig) -> dict[str, dict[str, list[str]]]:
    return dict(_entries(tree, "wireless-controller vap"))


def wifi(tree: HConfig, expect: Expect, role: str) -> list[Violation]:
    found: list[Violation] = []
    vaps = _vaps(tree)
    by_vlan = {
        int(s["vlanid"][0]): (name, s) for name, s in vaps.items() if s.get("vlanid", [""])[0].isdigit()
    }
    interfaces = {name for name, _ in _entries(tree, "system interface")}
    for vlan, security, isolation in expect.wifi:
        if f"vlan{vlan}" not in interfaces:
            continue  # the site has no such VLAN: nothing to serve
        if vlan not in by_vlan:
            found.append(
                Violation("L2-WIFI-04", f"no SSID bridged to VLAN {vlan}", "config wireless-controller vap")
            )
            continue
        name, settings = by_vlan[vlan]
        mode = settings.get("security", ["open"])[0]
        if security == "enterprise":
            if mode in WEAK:
                found.append(
                    Violation("L2-WIFI-03", f"staff SSID {name} uses {mode}", "WPA2/WPA3-Enterprise only")
                )
            elif mode not in ENTERPRISE or settings.get("auth") != ["radius"]:
                found.append(
                    Violation(
                        "L2-WIFI-01",
                        f"staff SSID {name} does not authenticate with 802.1X ({mode})",
                        f"config wireless-controller vap / edit {name} / set security wpa2-only-enterprise"
                        " / set auth radius",
                    )
                )
        if isolation and settings.get("intra-vap-privacy") != ["enable"]:
            found.append(
                Violation(
                    "L2-WIFI-02",
                    f"guest SSID {name} lets its clients reach each other",
                    f"config wireless-controller vap / edit {name} / set intra-vap-privacy enable",
                )
            )
    return found


RULES.rule(wifi)
