"""Normalise a config before comparing: what the device adds on its own is not drift.

Per platform (the data lives in wardnet/platforms/): drop volatile lines (IOS-XE "Building configuration",
byte counts, change timestamps, ntp clock-period, certificate blobs; FortiOS version headers and uuids;
FRR's version and comment lines), drop block closers (`exit`, `end`, `next`, `}`: indentation already says
where a block ends), mask secrets to one token so hashes, type-7 and ENC forms compare equal to the
intended `<<secret:NAME>>`, and join FortiOS values that span several lines. The result is indented text;
`parse` turns it into a tree of lines.
"""

from __future__ import annotations

from wardnet.canonical import SECTION_MARK
from wardnet.platforms import get_platform
from wardnet.tree import Node


def normalise(platform: str, text: str) -> list[str]:
    """Config text → its comparable lines, indentation kept. The frr platform keeps its section marks
    (`!== frr`, `!== nftables`, `!== ovs`) as top-level lines; text before the first mark is a comment."""
    return get_platform(platform).normalise(text)


def parse(lines: list[str]) -> list[Node]:
    """Indented lines → a forest; a child is any line indented deeper than the line above it.
    The frr platform's section marks are roots whose children are the section's top-level lines.

    Each top-level block (a line and the deeper lines after it) is built once per process for its exact
    lines and shared by every config that holds it: a city's configs repeat most of their blocks (ports,
    lines, AAA), and the compare only reads a tree. The returned trees must never be changed."""
    roots: list[Node] = []
    section: Node | None = None
    block: list[str] = []
    depth = 0  # of the current block's top line
    for line in lines:
        if block:
            if line[:1] in _INDENT and (not depth or len(line) - len(line.lstrip(" \t")) > depth):
                block.append(line)  # deeper than the block's top line (any indentation, when that is at 0)
                continue
            (roots if section is None else section.children).append(_block(block))
            block = []
        if line.startswith(SECTION_MARK):
            if section is not None:
                section.seal_over_children()  # its blocks were sealed when built
            section = Node(line)
            roots.append(section)
            continue
        depth = len(line) - len(line.lstrip(" \t"))
        block = [line]
    if block:
        (roots if section is None else section.children).append(_block(block))
    if section is not None:
        section.seal_over_children()  # its blocks were sealed when built
    return roots


def _block(lines: list[str]) -> Node:
    """One top-level block's sealed tree, built once per process for the same lines."""
    key = tuple(lines)
    node = _BLOCKS.get(key)
    if node is None:
        if len(_BLOCKS) >= BLOCKS_KEPT:
            _BLOCKS.clear()
        node = _BLOCKS[key] = _build(lines)
    return node


def _build(lines: list[str]) -> Node:
    """A block's lines (the first its top line, every other deeper) → its sealed tree."""
    root = Node(_text(lines[0].lstrip(" \t")))
    stack: list[tuple[int, Node]] = [(-1, root)]  # (depth, node), innermost last; the top line never pops
    for line in lines[1:]:
        text = line.lstrip(" \t")
        depth = len(line) - len(text)
        node = Node(_text(text))
        while stack[-1][0] >= depth:
            stack.pop()
        stack[-1][1].children.append(node)
        stack.append((depth, node))
    root.seal()
    return root


def _text(text: str) -> str:
    return " ".join(text.split()) if "  " in text or "\t" in text else text


_INDENT = frozenset(" \t")  # a line's first character when indented ("" is not: an empty line is at 0)
BLOCKS_KEPT = 1 << 16  # distinct top-level blocks kept (a city's configs share most of theirs)
_BLOCKS: dict[tuple[str, ...], Node] = {}
