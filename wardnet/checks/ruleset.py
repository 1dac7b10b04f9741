"""A platform's rules: functions of (parsed config, expectations, device role) → violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from wardnet.checks.expect import Expect, Violation
from wardnet.tree import Root

Tree = TypeVar("Tree")


class RuleSet(Generic[Tree]):
    def __init__(self, *, replay: bool = False) -> None:
        """replay: the rules read a Root only through its queries, so a rule's findings are reused for a
        root that answers them alike (wardnet/checks/replay.py)."""
        self.rules: list[Callable[[Tree, Expect, str], list[Violation]]] = []
        self.replay = replay

    def rule(
        self, func: Callable[[Tree, Expect, str], list[Violation]]
    ) -> Callable[[Tree, Expect, str], list[Violation]]:
        """Add `func` to the rules, run in the order added. Called as `rule(name)` after the function, not
        as a decorator: mutmut (`make mutation`) leaves every decorated function unmutated."""
        self.rules.append(func)
        return func

    def evaluate(self, tree: Tree, expect: Expect, role: str) -> list[Violation]:
        if self.replay and isinstance(tree, Root):
            from wardnet.checks.replay import judged

            rules: list[Any] = self.rules
            return [v for check in rules for v in judged(check, tree, expect, role)]
        return [v for check in self.rules for v in check(tree, expect, role)]
