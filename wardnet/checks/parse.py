"""Parse rendered (or collected) configuration text into trees the rules query. No regex on raw text."""

from __future__ import annotations

from dataclasses import dataclass, field

from hier_config import HConfig, Platform, get_hconfig

from wardnet.canonical import split_sections


@dataclass
class Node:
    """A brace-block tree (nftables): text of the line, children inside its braces."""

    text: str
    children: list[Node] = field(default_factory=list)

    def child(self, startswith: str) -> Node | None:
        return next((c for c in self.children if c.text.startswith(startswith)), None)

    def walk(self) -> list[Node]:
        return [n for c in self.children for n in (c, *c.walk())]


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


@dataclass
class FrrDevice:
    frr: HConfig
    nftables: Node
    ovs: list[str]


def parse_ios(text: str) -> HConfig:
    return get_hconfig(Platform.CISCO_IOS, text)


FORTIOS_BLOCK_ENDS = {"next", "end"}


def fortios_lines(text: str) -> list[str]:
    """FortiOS text as one line per setting: a quoted value spanning lines (banners) is joined with a
    visible '\\n', and the next/end terminators are dropped because indentation already carries the tree."""
    lines: list[str] = []
    pending: str | None = None
    for line in text.splitlines():
        if pending is not None:
            pending += "\\n" + line
            if line.count('"') % 2 == 1:
                lines.append(pending)
                pending = None
            continue
        if line.count('"') % 2 == 1:
            pending = line
            continue
        if line.strip() not in FORTIOS_BLOCK_ENDS and not line.startswith("#"):
            lines.append(line)
    if pending is not None:
        lines.append(pending)
    return lines


def parse_fortios(text: str) -> HConfig:
    return get_hconfig(Platform.FORTINET_FORTIOS, "\n".join(fortios_lines(text)))


FRR_BLOCK_ENDS = {"!", "exit", "exit-address-family", "exit-vrf", "end"}


def parse_frr(text: str) -> FrrDevice:
    sections = split_sections(text)
    # FRR closes every block with '!'/'exit'; indentation alone carries the tree, and hier_config's
    # generic mode refuses the repeated terminators.
    frr_lines = [line for line in sections.get("frr", "").splitlines() if line.strip() not in FRR_BLOCK_ENDS]
    return FrrDevice(
        frr=get_hconfig(Platform.GENERIC, "\n".join(frr_lines)),
        nftables=parse_braces(sections.get("nftables", "")),
        ovs=[line for line in sections.get("ovs", "").splitlines() if line.strip()],
    )


def words(text: str) -> list[str]:
    return text.split()


def fortios_sets(block: object) -> dict[str, list[str]]:
    """`set key v1 v2` children of a FortiOS block → {key: [v1, v2]} with quotes removed."""
    result: dict[str, list[str]] = {}
    for child in getattr(block, "children", []):
        parts = child.text.split()
        if len(parts) >= 2 and parts[0] == "set":
            result[parts[1]] = [p.strip('"') for p in parts[2:]]
    return result
