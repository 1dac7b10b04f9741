"""A rule's findings kept with what they rested on in the config's root, checked again before reuse.

The parser shares top-level nodes between configs (wardnet/checks/parse.py: a block met before is the same
object), and trees are read-only. A rule reads the root only through its queries (get, has, child, all,
containing) and the nodes they return. A query for a line equal to `aaa new-model` or starting with
`ip ssh version ` can only answer with lines whose first two words are `aaa new-model` or `ip ssh`, so its
answer is fixed by those lines (Root.lines_with); any other query (containing, a prefix of one or two
words) is fixed by its answer itself. When another config's root has the very same lines for every head
a rule asked about and the same answers to its other queries, the rule, asked with the same expectations
and role, finds the same: its kept findings are returned without running it. A site's access switches
differ by a hostname and an address; most rules never ask about either.

A rule that reads the root in any other way (its children, a walk) fails loudly on the recording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from wardnet.tree import Node, Root

if TYPE_CHECKING:
    from wardnet.checks.expect import Expect, Violation

Rule = Callable[[Node, "Expect", str], "list[Violation]"]
# What a rule's findings rest on: ("lines", head) → Root.lines_with(head); (query, arguments) → its answer.
Depends = dict[tuple[Any, ...], Any]

UNRECORDED = "a rule reads the root through get/has/child/all/containing (wardnet/checks/replay.py)"
TRACES_KEPT = 4  # per (rule, role, expectations): the most recent first


class Recording(Node):
    """The root as a rule sees it: every query answered by the real root, what the answer rests on noted."""

    __slots__ = ("depends", "root")

    def __init__(self, root: Root) -> None:  # not Node.__init__: children are not the rule's to read
        self.text = root.text
        self.root = root
        self.depends: Depends = {}

    @property
    def children(self) -> list[Node]:  # type: ignore[override]
        raise TypeError(UNRECORDED)

    def walk(self) -> Iterator[Node]:
        raise TypeError(UNRECORDED)

    def _line(self, equals: str) -> None:
        """A query for a line equal to `equals` answers from the lines with its first two words (or its one
        word): an equal line has them."""
        words = equals.split(" ", 2)
        head = words[0] if len(words) == 1 else f"{words[0]} {words[1]}"
        self.depends[("lines", head)] = list(self.root.lines_with(head))

    def _prefix(self, query: str, prefix: str) -> None:
        """A query for lines starting with `w1 w2 ...` answers from the lines with the head `w1 w2`; with a
        shorter prefix (`interface GigabitEthernet`, `line`) the answer itself is what counts."""
        words = prefix.split(" ", 2)
        if len(words) == 3:
            head = f"{words[0]} {words[1]}"
            self.depends[("lines", head)] = list(self.root.lines_with(head))
        else:
            answer = getattr(self.root, query)(prefix)
            self.depends[(query, prefix)] = list(answer) if isinstance(answer, list) else answer

    def child(self, startswith: str) -> Node | None:
        self._prefix("child", startswith)
        return self.root.child(startswith)

    def get(self, equals: str) -> Node | None:
        self._line(equals)
        return self.root.get(equals)

    def has(self, equals: str) -> bool:
        self._line(equals)
        return self.root.has(equals)

    def all(self, startswith: str | tuple[str, ...]) -> list[Node]:
        for prefix in (startswith,) if isinstance(startswith, str) else startswith:
            self._prefix("all", prefix)
        return self.root.all(startswith)

    def containing(self, *needles: str) -> list[Node]:
        answer = self.root.containing(*needles)
        self.depends[("containing", *needles)] = list(answer)  # a copy: the rule may change its own
        return answer


def _same(root: Root, depends: Depends) -> bool:
    """Everything the findings rested on is the same in `root`: the same lines for each head, the same
    answers to the other queries (Node has identity equality: == on a node or a list of nodes compares
    objects)."""
    for (query, *args), was in depends.items():
        if query == "lines":
            now: Any = root.lines_with(args[0])
        elif query == "containing":
            now = root.containing(*args)
        else:
            now = getattr(root, query)(*args)
        if now != was:
            return False
    return True


# (rule, role, id of the expectations) → (those expectations, [(what it rested on, findings)], misses in a
# row). A rule that keeps missing (it reads a line every config has its own of, as the management SVI's
# address) is then just run: trying its kept traces would only cost.
_KEPT: dict[tuple[Rule, str, int], tuple[Expect, list[tuple[Depends, list[Violation]]], list[int]]] = {}
MISSES_GIVEN_UP = 8


def judged(rule: Rule, root: Root, expect: Expect, role: str) -> list[Violation]:
    """rule(root, expect, role), or the findings it gave a config whose root was the same where it looked.
    The list returned is shared: read it, never change it."""
    key = (rule, role, id(expect))
    entry = _KEPT.get(key)
    if entry is None or entry[0] is not expect:
        entry = _KEPT[key] = (expect, [], [0])
    traces, misses = entry[1], entry[2]
    if misses[0] >= MISSES_GIVEN_UP:
        return rule(root, expect, role)
    for depends, found in traces:
        if _same(root, depends):
            misses[0] = 0
            return found
    misses[0] += 1
    recording = Recording(root)
    found = rule(recording, expect, role)
    traces.insert(0, (recording.depends, found))
    del traces[TRACES_KEPT:]
    return found
