"""Rule answers kept per shared block body (wardnet/checks/memo.py): asked once per body and key, never
carried to a different body or a different key (issue 21)."""

from __future__ import annotations

from wardnet.checks.memo import per_body
from wardnet.checks.parse import parse_ios

PORT = "interface GigabitEthernet1/0/{n}\n switchport access vlan 20\n switchport mode access\n mab\n"


def _ports(text: str) -> list:  # type: ignore[type-arg]
    return parse_ios(text).all("interface ")


def test_a_body_met_again_is_answered_from_the_first_answer() -> None:
    first = _ports(PORT.format(n=1) + PORT.format(n=2) + "end\n")
    other_config = _ports("hostname b\n" + PORT.format(n=7) + "end\n")
    asked: list[str] = []

    def has_mab(port) -> bool:  # type: ignore[no-untyped-def]
        asked.append(port.text)
        return port.has("mab")

    answers = [per_body(p.children, ("test mab", 1), has_mab, p) for p in first + other_config]
    assert answers == [True, True, True]
    assert len(asked) == 1  # three ports with one body (shared by the parser), one question


def test_another_body_or_key_is_asked_again() -> None:
    with_mab, without = _ports(PORT.format(n=1) + PORT.format(n=2).replace(" mab\n", ""))
    asked: list[str] = []

    def has_mab(port) -> bool:  # type: ignore[no-untyped-def]
        asked.append(port.text)
        return port.has("mab")

    assert per_body(with_mab.children, ("test mab", 2), has_mab, with_mab) is True
    assert per_body(without.children, ("test mab", 2), has_mab, without) is False
    assert per_body(with_mab.children, ("test mab", 3), has_mab, with_mab) is True
    assert asked == [with_mab.text, without.text, with_mab.text]
