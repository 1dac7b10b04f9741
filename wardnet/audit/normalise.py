"""Normalise a config before comparing: what the device adds on its own is not drift.

Per platform: drop volatile lines (IOS-XE "Building configuration", byte counts, change timestamps, ntp
clock-period, certificate blobs; FortiOS version headers and uuids; FRR's version and comment lines), drop
block closers (`exit`, `end`, `next`, `}`: indentation already says where a block ends), mask secrets to one
token so hashes, type-7 and ENC forms compare equal to the intended `<<secret:NAME>>`, and join FortiOS
values that span several lines. The result is indented text; `parse` turns it into a tree of lines.
"""

from __future__ import annotations

import functools
import re

from wardnet.canonical import SECTION_MARK, split_sections
from wardnet.secrets import redact_line

# Whole lines the device writes on its own, whatever the intended config says.
VOLATILE: dict[str, re.Pattern[str]] = {
    "cisco_iosxe": re.compile(
        r"^(Building configuration|Current configuration\s*:|! (Last configuration change|NVRAM config last"
        r" updated|No configuration change since)|!Time:|ntp clock-period |license udi |diagnostic bootup)"
    ),
    "fortios": re.compile(r"^\s*(#\w[\w-]*=|set uuid |set snmp-index )"),
    "frr": re.compile(r"^(frr version |flush ruleset$)"),
}

# Block closers and comments: indentation carries the structure, so these only add noise.
CLOSER: dict[str, re.Pattern[str]] = {
    "cisco_iosxe": re.compile(r"^(\s*!.*|end|\s*exit-address-family|\s*quit)$"),
    "fortios": re.compile(r"^\s*(next|end)$"),
    "frr": re.compile(r"^(\s*!.*|end|\s*exit|\s*exit-address-family|\s*exit-vrf|\s*\}|\s*#.*)$"),
}

# Device-generated blocks (self-signed trustpoints and their certificate chains) are dropped whole.
GENERATED_BLOCK = re.compile(
    r"^crypto pki (trustpoint|certificate chain) (TP-self-signed-\d+|SLA-TrustPoint)$"
)

# Lines the device never shows in its running config (IOS keeps SNMPv3 users out of it): not comparable.
NOT_SHOWN: dict[str, re.Pattern[str]] = {"cisco_iosxe": re.compile(r"^snmp-server user ")}


class Node:
    """One config line and the lines indented under it. A plain slotted class: a city's audit makes
    millions of them."""

    __slots__ = ("children", "digest", "text")

    def __init__(self, text: str, children: list[Node] | None = None) -> None:
        self.text = text
        self.children: list[Node] = children if children is not None else []
        self.digest = 0  # of the whole block (text and every descendant): equal blocks are skipped

    def seal(self) -> int:
        if self.children:
            self.digest = hash((self.text, tuple(child.seal() for child in self.children)))
        else:
            self.digest = hash(self.text)
        return self.digest


def _join_quoted(lines: list[str]) -> list[str]:
    """FortiOS prints a multi-line value (a banner) over several lines inside one pair of quotes."""
    out: list[str] = []
    pending = ""
    for line in lines:
        if pending:
            pending += "\\n" + line
            if line.count('"') % 2:
                out.append(pending)
                pending = ""
        elif line.count('"') % 2:
            pending = line
        else:
            out.append(line)
    if pending:
        out.append(pending)
    return out


def _drop_generated_blocks(lines: list[str]) -> list[str]:
    out: list[str] = []
    skipping = False
    for line in lines:
        if not line[:1].isspace():
            skipping = bool(GENERATED_BLOCK.match(line))
        if not skipping:
            out.append(line)
    return out


# IOS-XE numbers the entries of a named ACL (` 10 permit ...`) whether or not the config did; the order
# itself is compared (ACLs are ordered blocks), so the numbers add nothing.
ACL_SEQUENCE = re.compile(r"^(\s+)\d+ (?=permit |deny |remark |evaluate )")


def _clean(platform: str, text: str) -> list[str]:
    lines = text.replace("\r", "").splitlines()
    if platform == "fortios":
        lines = _join_quoted(lines)
    if platform == "cisco_iosxe":
        lines = _drop_generated_blocks(lines)
    skip = _skip(platform)
    out = []
    for raw in lines:
        line = raw.rstrip()
        if not skip.match(line):
            if platform == "cisco_iosxe" and line[:1] == " " and line.lstrip()[:1].isdigit():
                line = ACL_SEQUENCE.sub(r"\1", line)
            out.append(redact_line(platform, line))
    return out


@functools.cache
def _skip(platform: str) -> re.Pattern[str]:
    """Blank, volatile, closer and not-shown lines as one pattern: one match per line."""
    parts = [r"\s*$"] + [
        f"(?:{table[platform].pattern})" for table in (VOLATILE, CLOSER, NOT_SHOWN) if platform in table
    ]
    return re.compile("|".join(parts))


def normalise(platform: str, text: str) -> list[str]:
    """Config text → its comparable lines, indentation kept. The frr platform keeps its section marks
    (`!== frr`, `!== nftables`, `!== ovs`) as top-level lines; text before the first mark is a comment."""
    if platform != "frr":
        return _clean(platform, text)
    out: list[str] = []
    for name, body in split_sections(text).items():
        out.append(f"{SECTION_MARK}{name}")
        out += _clean("frr", body)
    return out


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
