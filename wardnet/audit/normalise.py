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
    The frr platform's section marks are roots whose children are the section's top-level lines."""
    roots: list[Node] = []
    stack: list[tuple[int, Node]] = []  # (depth, node), innermost last
    section: Node | None = None
    for line in lines:
        if line.startswith(SECTION_MARK):
            section = Node(line)
            roots.append(section)
            stack = []
            continue
        text = line.lstrip(" \t")
        depth = len(line) - len(text)
        node = Node(" ".join(text.split()) if "  " in text or "\t" in text else text)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            stack[-1][1].children.append(node)
        elif section is not None:
            section.children.append(node)
        else:
            roots.append(node)
        stack.append((depth, node))
    for root in roots:
        root.seal()
    return roots
