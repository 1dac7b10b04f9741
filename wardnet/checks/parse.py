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
from wardnet.tree import Node, Root


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


def parse_indented_text(text: str, closers: frozenset[str]) -> Root:
    """Text → tree by indentation, a run of top-level blocks at a time. Rendered configs put a `!` line
    between blocks, and the runs between two such lines repeat across the city (the same port, line, AAA
    and SNMP text on hundreds of switches: about 7,000 distinct runs in 100,000), so a run met before
    shares the top-level nodes already built for it; the root keeps its runs (Root.parts) so that a search
    of the whole tree is answered a run at a time. Trees are read-only.

    A run reads the same alone as in place when it starts on a top-level line (a `!` line carries nothing
    and ends no block); the first run is read in place. A run that starts with indented lines (they
    belong to the block above) sends the whole text to the reading a top-level block at a time, and a
    closer with lines under it to the plain reading, a line at a time."""
    first, *runs = text.split("\n!\n")
    head = _top_blocks(first, closers, lead=True)
    parts = None if head is None else [head]
    for run in runs:
        if parts is None:
            break  # the plain reading
        part = _PARTS.get((closers, run))
        if part is None:
            if len(_PARTS) >= _BODIES_KEPT:
                _PARTS.clear()
            read = _top_blocks(run, closers, lead=False)
            part = _PARTS[(closers, run)] = _PLAIN_RUN if read is None else read
        if part is _PLAIN_RUN:
            whole = _top_blocks(text, closers, lead=True)  # the whole text a top-level block at a time
            parts = None if whole is None else [whole]
            break
        if part:
            parts.append(part)
    root = Root("")
    if parts is None:  # a closer with lines under it: the plain reading
        root.children = _block(text.split("\n"), closers, -1)
        root.parts = [root.children]
    else:
        root.parts = parts
        root.children = [node for part in parts for node in part] if len(parts) > 1 else parts[0]
    return root


def _top_blocks(text: str, closers: frozenset[str], *, lead: bool) -> list[Node] | None:
    """The top-level nodes of `text`, a top-level block at a time; a block (its line and body) seen before
    is the node already built for it, a body seen before shares the children built for it. None when this
    reading could differ from the plain one: a closer with lines under it, or (lead False) indented lines
    before the first block."""
    first, *blocks = TOP_LEVEL.split("\n" + text)  # so that a first line at the top opens a block
    nodes = _block(first.split("\n"), closers, -1) if first.strip() else []
    if nodes and not lead:
        return None  # lines of the block above
    for block in blocks:
        head, _, body = block.partition("\n")
        head = head.rstrip()
        if head in closers:
            if _block(body.split("\n"), closers, 0):
                return None  # a closer with lines under it: they belong to the block above
            continue  # `end` and the like: nothing under it
        node = _TOPS.get((closers, head, body))
        if node is None:
            node = Node(head)
            if body:
                shared = _BODIES.get((closers, body))
                if shared is None:
                    if len(_BODIES) >= _BODIES_KEPT:
                        _BODIES.clear()
                    shared = _BODIES[(closers, body)] = _block(body.split("\n"), closers, 0)
                node.children = shared
            if len(_TOPS) >= _BODIES_KEPT:
                _TOPS.clear()
            _TOPS[(closers, head, body)] = node
        nodes.append(node)
    return nodes


# A line that may open a top-level block: unindented, not blank, not a comment (closers are seen later).
TOP_LEVEL = re.compile(r"\n(?=[^\s!])")
_BODIES: dict[tuple[frozenset[str], str], list[Node]] = {}  # (closers, body text) → the body's nodes
_BODIES_KEPT = 20_000
_TOPS: dict[tuple[frozenset[str], str, str], Node] = {}  # (closers, line, body text) → the block's node
_PARTS: dict[tuple[frozenset[str], str], list[Node]] = {}  # (closers, run text) → its top-level nodes
_PLAIN_RUN: list[Node] = []  # the mark of a run that cannot be read alone


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
    return ios_text(text).split("\n")


def ios_text(text: str) -> str:
    """ios_lines joined by newlines, computed on the text: only the banners are cut out and rewritten, so
    the thousand lines around them are never split into a list and joined back (half of parsing a config)."""
    text = text.replace("\r", "")
    chunks: list[str] = []  # runs of whole lines, joined by "\n" at the end
    done = 0  # where the text not yet copied starts (the start of a line; past the end once all is used)
    for start in _banner_starts(text):
        if start < done:
            continue  # inside the body of the banner before
        end = _line_end(text, start)
        match = BANNER.match(text[start:end])
        if match is None:
            continue
        if start > done:
            chunks.append(text[done : start - 1])  # the lines before the banner, without its newline
        kind, delimiter, rest = match.groups()
        body = [rest]
        done = end + 1
        while delimiter not in body[-1] and done <= len(text):
            end = _line_end(text, done)
            body.append(text[done:end])
            done = end + 1
        body[-1] = body[-1].split(delimiter, 1)[0]
        chunks.append("\n".join([f"banner {kind}", *(f" {b.strip()}" for b in body if b.strip())]))
    if not chunks:
        return text
    if done <= len(text):
        chunks.append(text[done:])
    return "\n".join(chunks)


def _banner_starts(text: str) -> Iterator[int]:
    """Where each line starting 'banner ' starts: str.find, ten times faster than a MULTILINE regex."""
    if text.startswith("banner "):
        yield 0
    at = text.find("\nbanner ")
    while at >= 0:
        yield at + 1
        at = text.find("\nbanner ", at + 1)


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def parse_ios(text: str) -> Node:
    return parse_indented_text(ios_text(text), IOS_CLOSERS)


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
    """Text → tree, a top-level `config` block at a time: a block's text seen before (the city's firewalls
    share half their blocks: policies, profiles, admin settings) shares the FortiBlock already built.
    Trees are read-only. A chunk that does not read the same alone as in place (a quote left open, lines at
    the top, a block name met before in this config) sends the whole text to the plain reading."""
    text = text.replace("\r", "")
    root = FortiBlock()
    for chunk in TOP_CONFIG.split(text):
        part = _FORTI_CHUNKS.get(chunk)
        if part is None:
            if len(_FORTI_CHUNKS) >= _BODIES_KEPT:
                _FORTI_CHUNKS.clear()
            part = _FORTI_CHUNKS[chunk] = _alone(chunk)
        if part is _PLAIN or any(name in root.subs for name in part.subs):
            return _read_fortios(text)
        root.subs.update(part.subs)
    return root


def _alone(chunk: str) -> FortiBlock:
    """A chunk read on its own, or _PLAIN when that could differ from reading it in place. In place it
    starts at the top with no quote open (the chunks before it passed this same test), so it reads the
    same alone when it also ends at the top with every quote closed and sets nothing at the top level."""
    if (chunk.count('"') - chunk.count('\\"')) % 2:  # the quotes logical_lines counts (not after a backslash)
        return _PLAIN  # logical_lines would join the next chunk's lines to this one's last
    part, depth = _read(chunk)
    return part if depth == 1 and not part.settings and not part.entries else _PLAIN


# A line that starts a top-level `config` block; what parse_fortios shares between configs, by text.
TOP_CONFIG = re.compile(r"\n(?=config )")
_FORTI_CHUNKS: dict[str, FortiBlock] = {}
_PLAIN = FortiBlock()  # the mark of a chunk that must be read in place


def _read_fortios(text: str) -> FortiBlock:
    """The plain reading, line by line (a banner's lines joined back into one)."""
    return _read(text)[0]


def _read(text: str) -> tuple[FortiBlock, int]:
    """The tree of `text`, and how deep its last line left the reading (1: back at the top). One loop with
    the commands in the order of their frequency (`set` is most lines): the city has ~60,000 lines of
    FortiOS text no other firewall shares."""
    root = FortiBlock()
    stack = [root]
    block = root  # stack[-1]
    for line in logical_lines(text):
        stripped = line.strip()
        if not stripped or stripped[0] == "#":
            continue
        word, _, rest = stripped.partition(" ")
        if word == "set":
            key, _, value = rest.partition(" ")
            block.settings[key] = value.split() if '"' not in value else _tokens(value)
        elif word in {"next", "end"}:
            if len(stack) > 1:
                stack.pop()
                block = stack[-1]
        elif word in {"edit", "config"}:
            name = " ".join(rest.split() if '"' not in rest else _tokens(rest))
            table = block.entries if word == "edit" else block.subs
            found = table.get(name)
            if found is None:
                found = table[name] = FortiBlock()
            stack.append(found)
            block = found
        elif word == "append":
            key, _, value = rest.partition(" ")
            block.settings[key] = block.settings.get(key, []) + _tokens(value)
        elif word == "unset":
            block.settings.pop(rest.strip(), None)
    return root, len(stack)


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
