"""Level-2 rules for the Wi-Fi a FortiGate's wireless controller serves (issue 17, item 4).

Kept apart from the rest of the FortiOS pack: staff SSIDs authenticate with 802.1X (WPA2/WPA3-Enterprise
against RADIUS, never WEP or a pre-shared key), guest SSIDs isolate their clients (intra-VAP privacy), and
every SSID of the baseline is served where the site has its VLAN.
"""

from __future__ import annotations

from wardnet.checks.expect import Expect, Violation
from wardnet.checks.parse import FortiBlock
from wardnet.checks.rules_fortios import RULES, _entries

ENTERPRISE = frozenset({"wpa2-only-enterprise", "wpa3-enterprise", "wpa3-only-enterprise", "wpa-enterprise"})
WEAK = frozenset(
    {"wep64", "wep128", "wpa-personal", "wpa-only-personal", "wpa2-only-personal", "wpa3-sae", "open"}
)


def wifi(tree: FortiBlock, expect: Expect, role: str) -> list[Violation]:
    found: list[Violation] = []
    vaps = dict(_entries(tree, "wireless-controller vap"))
    by_vlan = {int(v.value("vlanid")): (name, v) for name, v in vaps.items() if v.value("vlanid").isdigit()}
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
        mode = settings.value("security", "open")
        if security == "enterprise":
            if mode in WEAK:
                found.append(
                    Violation("L2-WIFI-03", f"staff SSID {name} uses {mode}", "WPA2/WPA3-Enterprise only")
                )
            elif mode not in ENTERPRISE or settings.value("auth") != "radius":
                found.append(
                    Violation(
                        "L2-WIFI-01",
                        f"staff SSID {name} does not authenticate with 802.1X ({mode})",
                        f"config wireless-controller vap / edit {name} / set security wpa2-only-enterprise"
                        " / set auth radius",
                    )
                )
        if isolation and settings.value("intra-vap-privacy") != "enable":
            found.append(
                Violation(
                    "L2-WIFI-02",
                    f"guest SSID {name} lets its clients reach each other",
                    f"config wireless-controller vap / edit {name} / set intra-vap-privacy enable",
                )
            )
    return found


RULES.rule(wifi)
