"""A config as a tree of lines: the one class both the check (wardnet/checks/parse.py builds and queries it)
and the audit (wardnet/audit/normalise.py builds it, wardnet/audit/compare.py compares sealed blocks) use.

FortiOS objects in the merge are a different model (settings, nested blocks, entries): FortiObject in
wardnet/platforms/fortios_config.py.
"""

from __future__ import annotations

from collections.abc import Iterator


class Node:
    """One line and the lines indented (or braced) under it. A plain slotted class, not a dataclass: the
    city's check builds about a million of them and the audit millions, so __init__ sets only text and
    children; `digest` exists once seal() ran, the first-word index once a query needs it."""

    __slots__ = ("_by_word", "children", "digest", "text")
    digest: int  # of the whole block (text and every descendant): equal blocks are skipped by the compare
    _by_word: dict[str, list[Node]]  # children by first word, built on the first lookup that needs it

    def __init__(self, text: str, children: list[Node] | None = None) -> None:
        self.text = text
        self.children: list[Node] = [] if children is None else children

    def __repr__(self) -> str:
        return f"Node({self.text!r}, {len(self.children)} children)"

    def seal(self) -> int:
        """Compute the digest of this block and every block under it (the audit's trees, once built)."""
        for child in self.children:
            child.seal()
        return self.seal_over_children()

    def seal_over_children(self) -> int:
        """This block's digest from its children's, each already sealed (a tree built of sealed blocks)."""
        children = self.children
        self.digest = hash((self.text, tuple([c.digest for c in children]))) if children else hash(self.text)
        return self.digest

    @property
    def words(self) -> list[str]:
        return self.text.split()

    def _first_word(self, word: str) -> list[Node]:
        """Children whose first word is `word`: built once, so a rule's lookup does not scan every line."""
        by_word: dict[str, list[Node]]
        try:
            by_word = self._by_word
        except AttributeError:
            by_word = self._by_word = {}
            for c in self.children:
                by_word.setdefault(c.text.split(" ", 1)[0], []).append(c)
        return by_word.get(word, [])

    def _candidates(self, prefix: str) -> list[Node]:
        head, space, _ = prefix.partition(" ")
        return self._first_word(head) if space and len(self.children) > 16 else self.children

    def child(self, startswith: str) -> Node | None:
        for c in self._candidates(startswith):
            if c.text.startswith(startswith):
                return c
        return None

    def get(self, equals: str) -> Node | None:
        for c in self._candidates(equals + " "):
            if c.text == equals:
                return c
        return None

    def all(self, startswith: str | tuple[str, ...]) -> list[Node]:
        if isinstance(startswith, str):
            return [c for c in self._candidates(startswith) if c.text.startswith(startswith)]
        return [c for p in startswith for c in self._candidates(p) if c.text.startswith(p)]

    def has(self, equals: str) -> bool:
        return self.get(equals) is not None

    def containing(self, *needles: str) -> list[Node]:
        """Every descendant whose text contains one of `needles`, in walk() order. Each block body is
        searched once for the whole run (the city's configs repeat the same blocks hundreds of times)."""
        return _containing(self.children, needles, top=True)

    def walk(self) -> Iterator[Node]:
        """Every descendant, depth first, without a generator per level (a million-node city)."""
        pending = self.children[::-1]
        while pending:
            node = pending.pop()
            yield node
            if node.children:
                pending.extend(node.children[::-1])


class Root(Node):
    """A parsed config: its top-level nodes are `children`, also kept as the runs they were read in
    (`parts`, wardnet/checks/parse.py): runs after the first are shared between configs, so a search is
    answered a run at a time, each shared run searched once for the whole run of the check."""

    __slots__ = ("_heads", "parts")
    parts: list[list[Node]]  # children, in order, cut into runs; parts[0] is this config's own
    _heads: dict[str, list[Node]]  # head → the top-level lines that have it, in order

    def lines_with(self, head: str) -> list[Node]:
        """The top-level lines (in order) whose first word, or first two words joined by a space, are
        `head` (as str.split(" ", 2) cuts them): all that a query for a line that is, or starts with,
        `head` and a space can answer from (wardnet/checks/replay.py). Read it, never change it."""
        try:
            index = self._heads
        except AttributeError:
            index = self._heads = {}
            for number, part in enumerate(self.parts):
                for key, node in _keyed(part) if number else _keys_of(part):
                    lines = index.get(key)
                    if lines is None:
                        index[key] = [node]
                    else:
                        lines.append(node)
        return index.get(head, _NONE)

    def _first_word(self, word: str) -> list[Node]:
        """The same index: a first word is a head."""
        return self.lines_with(word)

    def containing(self, *needles: str) -> list[Node]:
        parts = self.parts
        found = _containing(parts[0], needles, top=True)
        searched = _RUNS_SEARCHED.get(needles)
        if searched is None or len(searched) >= _SEARCHES_KEPT:
            searched = _RUNS_SEARCHED[needles] = {}
        for part in parts[1:]:
            hit = searched.get(id(part))
            if hit is None:
                hit = searched[id(part)] = (part, _containing(part, needles, top=True))
            found += hit[1]
        return found


def _keyed(part: list[Node]) -> list[tuple[str, Node]]:
    """_keys_of a shared run, found once per run."""
    hit = _KEYED.get(id(part))
    if hit is None:
        if len(_KEYED) >= _SEARCHES_KEPT:
            _KEYED.clear()
        hit = _KEYED[id(part)] = (part, _keys_of(part))
    return hit[1]


def _keys_of(part: list[Node]) -> list[tuple[str, Node]]:
    """(head, line) for the first word and the first two words of each line (str.split(" ", 2))."""
    keyed = []
    for node in part:
        words = node.text.split(" ", 2)
        keyed.append((words[0], node))
        if len(words) > 1:
            keyed.append((f"{words[0]} {words[1]}", node))
    return keyed


# id of a shared run → (that run, its lines keyed by head)
_KEYED: dict[int, tuple[list[Node], list[tuple[str, Node]]]] = {}
_NONE: list[Node] = []  # no line has that head (never changed)


def _containing(nodes: list[Node], needles: tuple[str, ...], *, top: bool = False) -> list[Node]:
    memo = (id(nodes), needles)
    if not top and memo in _SEARCHED:
        return _SEARCHED[memo][1]
    found: list[Node] = []
    for node in nodes:
        text = node.text
        for needle in needles:
            if needle in text:
                found.append(node)
                break
        if node.children:
            found += _containing(node.children, needles)
    if not top:
        if len(_SEARCHED) >= _SEARCHES_KEPT:
            _SEARCHED.clear()
        _SEARCHED[memo] = (nodes, found)  # the list itself is kept: its id cannot be reused while here
    return found


# (id of a children list, needles) → (that list, what it holds): a top-level list (one config) is not kept.
_SEARCHED: dict[tuple[int, tuple[str, ...]], tuple[list[Node], list[Node]]] = {}
_SEARCHES_KEPT = 20_000  # block bodies (or shared runs, per needles) whose search results are kept
# needles → {id of a shared run: (that run, what it holds)}
_RUNS_SEARCHED: dict[tuple[str, ...], dict[int, tuple[list[Node], list[Node]]]] = {}
