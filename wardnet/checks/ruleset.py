"""A platform's rules: functions of (parsed config, expectations, device role) → violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from wardnet.checks.expect import Expect, Violation

Tree = TypeVar("Tree")


class RuleSet(Generic[Tree]):
    def __init__(self) -> None:
        self.rules: list[Callable[[Tree, Expect, str], list[Violation]]] = []

    def rule(
        self, func: Callable[[Tree, Expect, str], list[Violation]]
    ) -> Callable[[Tree, Expect, str], list[Violation]]:
        self.rules.append(func)
        return func

    def evaluate(self, tree: Tree, expect: Expect, role: str) -> list[Violation]:
        return [v for check in self.rules for v in check(tree, expect, role)]
