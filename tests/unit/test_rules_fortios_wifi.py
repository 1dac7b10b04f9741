"""Level-2 Wi-Fi rules (issue 17 item 4) on the rendered Ben Thanh firewall, one planted change at a time:
enterprise auth on staff, client isolation on guest, no WEP/PSK on staff, every SSID served."""

from __future__ import annotations

import pytest

from tests.conftest import BEN_THANH
from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.inventory import Inventory
from wardnet.pipeline import designs
from wardnet.render import Renderer


@pytest.fixture(scope="module")
def firewall(inventory: Inventory) -> tuple[str, Expect]:
    config = designs(inventory, [BEN_THANH])[0].devices[f"hcm-{BEN_THANH}-fw"]
    return Renderer().device(config), Expect.from_baseline(inventory.baseline)


def _wifi(text: str, expect: Expect) -> list[tuple[str, str, str]]:
    found = rendered_findings(text, "fortios", "firewall", site=BEN_THANH, device="x", expect=expect)
    return [(f.rule, f.message, f.fix) for f in found if f.rule.startswith("L2-WIFI")]


def _once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_the_rendered_firewall_serves_every_ssid_cleanly(firewall: tuple[str, Expect]) -> None:
    text, expect = firewall
    assert 'edit "wn-staff"' in text and 'edit "wn-guest"' in text
    assert _wifi(text, expect) == []


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        (
            "set security wpa2-only-enterprise",
            "set security wpa2-only-personal",
            ("L2-WIFI-03", "staff SSID wn-staff uses wpa2-only-personal", "WPA2/WPA3-Enterprise only"),
        ),
        (
            "set security wpa2-only-enterprise",
            "set security wep128",
            ("L2-WIFI-03", "staff SSID wn-staff uses wep128", "WPA2/WPA3-Enterprise only"),
        ),
        (
            "set auth radius",
            "set auth usergroup",
            (
                "L2-WIFI-01",
                "staff SSID wn-staff does not authenticate with 802.1X (wpa2-only-enterprise)",
                "config wireless-controller vap / edit wn-staff / set security wpa2-only-enterprise"
                " / set auth radius",
            ),
        ),
        (
            "set intra-vap-privacy enable",
            "set intra-vap-privacy disable",
            (
                "L2-WIFI-02",
                "guest SSID wn-guest lets its clients reach each other",
                "config wireless-controller vap / edit wn-guest / set intra-vap-privacy enable",
            ),
        ),
        (
            "set local-bridging enable\n        set vlanid 50",
            "set local-bridging enable\n        set vlanid 51",
            ("L2-WIFI-04", "no SSID bridged to VLAN 50", "config wireless-controller vap"),
        ),
    ],
)
def test_a_planted_weakness_is_found(
    firewall: tuple[str, Expect], old: str, new: str, finding: tuple[str, str, str]
) -> None:
    text, expect = firewall
    assert _wifi(_once(text, old, new), expect) == [finding]
