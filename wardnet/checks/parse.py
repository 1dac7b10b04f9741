"""Parse configuration text (rendered, or pulled from a device) ONCE into the small trees the rules query.

Purpose-built and linear: an indentation tree for IOS-XE and FRR, a config/edit/set tree for FortiOS and a
brace tree for nftables. Every rule of a platform shares the one tree (hier_config parsing cost ~10 ms per
config, most of the whole-city check).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from wardnet.canonical import split_sections
from wardnet.platforms.fortios_config import logical_lines


class Node:
    """One line and the lines indented (or braced) under it. A plain slotted class, not a dataclass: the
    city's check builds about a million of them, and the dataclass __init__ was most of the parse time."""

    __slots__ = ("_by_word", "children", "text")

    def __init__(self, text: str, children: list[Node] | None = None) -> None:
        self.text = text
        self.children: list[Node] = [] if children is None else children
        self._by_word: dict[str, list[Node]] | None = None

    def __repr__(self) -> str:
        return f"Node({self.text!r}, {len(self.children)} children)"

    @property
    def words(self) -> list[str]:
        return self.text.split()

    def _first_word(self, word: str) -> list[Node]:
        """Children whose first word is `word`: built once, so a rule's lookup does not scan every line."""
        if self._by_word is None:
            self._by_word = {}
            for c in self.children:
                self._by_word.setdefault(c.text.split(" ", 1)[0], []).append(c)
        return self._by_word.get(word, [])

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
        if len(_SEARCHED) >= _BODIES_KEPT:
            _SEARCHED.clear()
        _SEARCHED[memo] = (nodes, found)  # the list itself is kept: its id cannot be reused while here
    return found


# (id of a children list, needles) → (that list, what it holds): a top-level list (one config) is not kept.
_SEARCHED: dict[tuple[int, tuple[str, ...]], tuple[list[Node], list[Node]]] = {}


def parse_braces(text: str) -> Node:
    """nftables ruleset text (`nft list ruleset` form) → tree; `{ a, b }` sets stay inside a line."""
    root = Node("")
    stack = [root]
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == "}":
            if len(stack) > 1:
                stack.pop()
            continue
        if line.endswith("{") and line.count("{") > line.count("}"):
            node = Node(line[:-1].strip())
            stack[-1].children.append(node)
            stack.append(node)
        else:
            stack[-1].children.append(Node(line))
    return root


def parse_indented(lines: list[str], closers: frozenset[str]) -> Node:
    """Lines → tree by indentation; blank lines, '!' comments and block closers carry nothing."""
    return parse_indented_text("\n".join(lines), closers)


def parse_indented_text(text: str, closers: frozenset[str]) -> Node:
    """Text → tree by indentation, a top-level block at a time; a block body (its indented lines, as
    text) seen before shares the children already built for it: rendered configs repeat the same port,
    line and AAA blocks hundreds of times, so the city's million lines make about a tenth as many nodes.
    Trees are read-only."""
    first, *blocks = TOP_LEVEL.split("\n" + text)  # so that a first line at the top opens a block
    root = Node("")
    root.children = _block(first.split("\n"), closers, -1) if first.strip() else []
    for block in blocks:
        head, _, body = block.partition("\n")
        head = head.rstrip()
        if head in closers:
            if not _block(body.split("\n"), closers, 0):
                continue  # `end` and the like: nothing under it
            # A closer with lines under it: those lines belong to the block above; the plain reading.
            root.children = _block(text.split("\n"), closers, -1)
            return root
        node = Node(head)
        if body:
            shared = _BODIES.get((closers, body))
            if shared is None:
                if len(_BODIES) >= _BODIES_KEPT:
                    _BODIES.clear()
                shared = _BODIES[(closers, body)] = _block(body.split("\n"), closers, 0)
            node.children = shared
        root.children.append(node)
    return root


# A line that may open a top-level block: unindented, not blank, not a comment (closers are seen later).
TOP_LEVEL = re.compile(r"\n(?=[^\s!])")
_BODIES: dict[tuple[frozenset[str], str], list[Node]] = {}  # (closers, body text) → the body's nodes
_BODIES_KEPT = 20_000


def _block(lines: Sequence[str], closers: frozenset[str], base: int) -> list[Node]:
    """The nodes under a parent indented `base`: every line here is indented deeper (or carries nothing)."""
    top = Node("")
    indents = [base]  # the open blocks: their indentation and nodes, innermost last
    nodes = [top]
    for raw in lines:
        body = raw.lstrip()
        if not body or body[0] == "!":
            continue
        stripped = body.rstrip()
        if stripped in closers:
            continue
        indent = len(raw) - len(body)
        while indents[-1] >= indent:
            indents.pop()
            nodes.pop()
        node = Node(stripped)
        nodes[-1].children.append(node)
        indents.append(indent)
        nodes.append(node)
    return top.children


BANNER = re.compile(r"^banner (login|motd|exec|incoming|slip-ppp)\s+(\^C|\S)(.*)$")
IOS_CLOSERS = frozenset({"end", "exit-address-family", "quit"})


def ios_lines(text: str) -> list[str]:
    """IOS-XE text with every banner folded: `banner login` followed by its body as indented lines. The
    delimiter is whatever follows the keyword: '^C' as rendered, the ETX byte or any character on a device."""
    text = text.replace("\r", "")
    lines = text.split("\n")
    banners = _banner_lines(text)
    if not banners:
        return lines
    out: list[str] = []
    i = 0
    for start in banners:
        if start < i:
            continue  # inside the body of the banner before
        match = BANNER.match(lines[start])
        if match is None:
            continue
        out += lines[i:start]
        kind, delimiter, rest = match.groups()
        out.append(f"banner {kind}")
        body = [rest]
        i = start + 1
        while delimiter not in body[-1] and i < len(lines):
            body.append(lines[i])
            i += 1
        body[-1] = body[-1].split(delimiter, 1)[0]
        out += [f" {b.strip()}" for b in body if b.strip()]
    return out + lines[i:]


BANNER_LINE = re.compile(r"^banner ", re.MULTILINE)


def _banner_lines(text: str) -> list[int]:
    """The numbers of the lines that start with 'banner ', found by the regex engine, not a Python loop
    over the config's thousand lines."""
    numbers, line, position = [], 0, 0
    for match in BANNER_LINE.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        numbers.append(line)
    return numbers


def parse_ios(text: str) -> Node:
    return parse_indented_text("\n".join(ios_lines(text)), IOS_CLOSERS)


# --- FortiOS -------------------------------------------------------------------------------------------

TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass
class FortiBlock:
    """A `config` block or `edit` entry: settings (values unquoted), nested blocks, entries in order."""

    settings: dict[str, list[str]] = field(default_factory=dict)
    subs: dict[str, FortiBlock] = field(default_factory=dict)
    entries: dict[str, FortiBlock] = field(default_factory=dict)

    def sub(self, name: str) -> FortiBlock:
        return self.subs.get(name) or FortiBlock()

    def value(self, key: str, default: str = "") -> str:
        values = self.settings.get(key)
        return " ".join(values) if values else default


def _tokens(text: str) -> list[str]:
    if '"' not in text:
        return text.split()  # what TOKEN finds in text without quotes, at str.split's speed
    return [quoted if quoted or bare == "" else bare for quoted, bare in TOKEN.findall(text)]


def parse_fortios(text: str) -> FortiBlock:
    root = FortiBlock()
    stack = [root]
    for line in logical_lines(text.replace("\r", "")):  # a banner's lines joined back into one
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word, _, rest = stripped.partition(" ")
        if word == "config":
            stack.append(stack[-1].subs.setdefault(" ".join(_tokens(rest)), FortiBlock()))
        elif word == "edit":
            stack.append(stack[-1].entries.setdefault(" ".join(_tokens(rest)), FortiBlock()))
        elif word in ("set", "append"):
            key, _, value = rest.partition(" ")
            values = _tokens(value)
            if word == "append":
                values = stack[-1].settings.get(key, []) + values
            stack[-1].settings[key] = values
        elif word == "unset":
            stack[-1].settings.pop(rest.strip(), None)
        elif word in ("next", "end") and len(stack) > 1:
            stack.pop()
    return root


# --- frr -----------------------------------------------------------------------------------------------

FRR_CLOSERS = frozenset({"exit", "exit-address-family", "exit-vrf", "end"})


@dataclass
class FrrDevice:
    frr: Node
    nftables: Node
    ovs: list[str]
    sections: frozenset[str]


def parse_frr(text: str) -> FrrDevice:
    sections = split_sections(text)
    return FrrDevice(
        frr=parse_indented_text(sections.get("frr", "").replace("\r", ""), FRR_CLOSERS),
        nftables=parse_braces(sections.get("nftables", "")),
        ovs=[line for line in sections.get("ovs", "").splitlines() if line.strip()],
        sections=frozenset(sections),
    )
