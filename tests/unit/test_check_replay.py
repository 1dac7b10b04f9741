"""A rule's findings reused for a config whose root answers the rule's questions alike
(wardnet/checks/replay.py, issue 21): reused when nothing the rule looked at differs, never carried to a
config where a block of the same text means something else because of another block."""

from __future__ import annotations

from functools import cache

import pytest

from tests.conftest import INVENTORY
from wardnet.checks.expect import Expect, Violation
from wardnet.checks.parse import parse_ios
from wardnet.checks.replay import MISSES_GIVEN_UP, Recording
from wardnet.checks.rules_ios import RULES
from wardnet.checks.ruleset import RuleSet
from wardnet.inventory import load_baseline
from wardnet.tree import Node

VTY = "line vty 0 4\n access-class WARDNET-MGMT in\n transport input ssh\n!\n"
NOC = "ip access-list standard WARDNET-MGMT\n permit 10.0.1.0 0.0.0.255\n deny any log\n!\n"
OPEN = "ip access-list standard WARDNET-MGMT\n permit any\n!\n"  # same name, another meaning


@cache
def _expect() -> Expect:
    return Expect.from_baseline(load_baseline(INVENTORY))


def _mgmt02(text: str) -> list[str]:
    return sorted(
        v.message for v in RULES.evaluate(parse_ios(text), _expect(), "core") if v.rule == "L2-MGMT-02"
    )


def test_the_same_vty_block_is_judged_by_the_acl_each_config_defines() -> None:
    # Written out: the vty block is the same text (the same shared node) in all three configs; only the
    # ACL block it points to differs, so the finding must follow the ACL, not the vty block.
    guarded = f"hostname a\n!\n{NOC}{VTY}end\n"
    opened = f"hostname b\n!\n{OPEN}{VTY}end\n"
    assert _mgmt02(guarded) == []
    assert _mgmt02(opened) == ["'line vty 0 4': WARDNET-MGMT permits 0.0.0.0/0, not a management source"]
    assert _mgmt02(f"hostname c\n!\n{NOC}{VTY}end\n") == []
    assert _mgmt02(f"hostname d\n!\n{VTY}end\n") == [
        "'line vty 0 4': ACL WARDNET-MGMT is not defined (an undefined access-class permits every source)"
    ]


def _counting_set() -> tuple[RuleSet[Node], list[str]]:
    asked: list[str] = []
    rules: RuleSet[Node] = RuleSet(replay=True)

    @rules.rule
    def no_login(tree: Node, expect: Expect, role: str) -> list[Violation]:
        asked.append(role)
        return [Violation("T-1", line.text, "login") for line in tree.all("line vty") if line.has("no login")]

    return rules, asked


def test_findings_are_reused_only_while_what_the_rule_read_is_the_same() -> None:
    rules, asked = _counting_set()
    closed = "line vty 0 4\n login authentication VTY\n!\n"
    opened = "line vty 0 4\n no login\n!\n"
    first = rules.evaluate(parse_ios(f"hostname a\n!\n{closed}end\n"), _expect(), "core")
    again = rules.evaluate(parse_ios(f"hostname b\n!\n{closed}end\n"), _expect(), "core")
    assert first == again == []
    assert asked == ["core"]  # the hostname is not what the rule reads: asked once
    changed = rules.evaluate(parse_ios(f"hostname c\n!\n{opened}end\n"), _expect(), "core")
    assert changed == [Violation("T-1", "line vty 0 4", "login")]
    other_role = rules.evaluate(parse_ios(f"hostname d\n!\n{closed}end\n"), _expect(), "access")
    assert other_role == []
    assert asked == ["core", "core", "access"]  # another line, another role: asked again


def test_a_rule_that_keeps_missing_is_just_run() -> None:
    rules, asked = _counting_set()
    for n in range(MISSES_GIVEN_UP + 3):
        text = f"line vty 0 {n}\n no login\n!\nend\n"
        assert rules.evaluate(parse_ios(text), _expect(), "core") == [
            Violation("T-1", f"line vty 0 {n}", "login")
        ]
    assert len(asked) == MISSES_GIVEN_UP + 3


def test_a_rule_may_not_read_the_root_behind_the_recording() -> None:
    recording = Recording(parse_ios("hostname a\n!\nline vty 0 4\n!\nend\n"))
    with pytest.raises(TypeError, match="through get/has/child/all/containing"):
        _ = recording.children
    with pytest.raises(TypeError):
        list(recording.walk())
