"""L2-NAC-01 (issue 17 item 3): staff access ports authenticate (802.1X, MAB fallback), closed until then.

The disguises (tests/fixtures/disguises.yml) prove it fires; these prove its reach: which ports it judges and
that the legacy `authentication` form a box not yet converted to IBNS 2.0 prints is judged the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import BEN_THANH, INVENTORY
from wardnet.checks.expect import Expect
from wardnet.checks.run import rendered_findings
from wardnet.inventory import load_baseline

ACC1 = Path(__file__).resolve().parents[2] / f"tests/golden/26743-ben-thanh/hcm-{BEN_THANH}-acc1.cfg"
NAC_LINES = re.compile(
    r"^ (access-session .*|mab|dot1x .*|service-policy type control subscriber .*)\n", re.M
)


def _nac_findings(text: str) -> list[str]:
    expect = Expect.from_baseline(load_baseline(INVENTORY))
    found = rendered_findings(text, "cisco_iosxe", "access", site=BEN_THANH, device="acc1", expect=expect)
    return [f.message for f in found if f.rule == "L2-NAC-01"]


def _port(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"interface {name}\n")
    return start, text.index("!\n", start)


def test_every_staff_port_stripped_of_authentication_is_named() -> None:
    text = ACC1.read_text(encoding="utf-8")
    staff = re.findall(r"^interface (\S+)\n description staff\n", text, re.M)
    stripped = NAC_LINES.sub("", text)
    messages = _nac_findings(stripped)
    assert len(staff) > 10 and len(messages) == len(staff)
    assert all(f"interface {name} (staff)" in " ".join(messages) for name in staff)
    assert "no port-control auto" in messages[0] and "no MAB" in messages[0]


def test_ports_outside_the_staff_vlan_are_not_judged() -> None:
    text = ACC1.read_text(encoding="utf-8")
    start, end = _port(text, "GigabitEthernet1/0/25")
    port = text[start:end]
    assert " description services\n switchport access vlan 30\n" in port
    # a counter/kiosk port (VLAN 30) never authenticates: giving it open legacy lines changes nothing
    edited = text[:start] + port + " authentication open\n" + text[end:]
    assert _nac_findings(edited) == []


def test_the_legacy_form_closed_with_both_methods_passes() -> None:
    text = ACC1.read_text(encoding="utf-8")
    start, end = _port(text, "GigabitEthernet1/0/1")
    legacy = NAC_LINES.sub("", text[start:end]) + (
        " authentication host-mode multi-domain\n authentication order dot1x mab\n"
        " authentication port-control auto\n mab\n dot1x pae authenticator\n"
    )
    assert _nac_findings(text[:start] + legacy + text[end:]) == []


def test_a_stripped_staff_port_names_every_gap_word_for_word() -> None:
    text = ACC1.read_text(encoding="utf-8")
    start, end = _port(text, "GigabitEthernet1/0/1")
    port = NAC_LINES.sub("", text[start:end])
    head = "interface GigabitEthernet1/0/1 (staff) lets devices in without 802.1X/MAB: "
    gaps = "no port-control auto, no MAB, no dot1x pae authenticator, open before authentication"
    assert _nac_findings(text[:start] + port + text[end:]) == [f"{head}{gaps}, no control policy"]
    bound = port + " service-policy type control subscriber NOPE\n"
    assert _nac_findings(text[:start] + bound + text[end:]) == [
        f"{head}{gaps}, control policy NOPE is not defined"
    ]
