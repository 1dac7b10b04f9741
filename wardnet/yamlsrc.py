"""Safe YAML reading that remembers where each value came from and refuses duplicate keys.

Every YAML input (inventory, systems catalogue, audit ignore rules) comes through here, so the limits hold
everywhere: a regular file only (no FIFO, device or directory; a symlink loop or, with `within`, a symlink
leaving the inventory is refused), at most MAX_BYTES, nesting at most MAX_DEPTH, at most MAX_ALIASES
aliases and MAX_NODES values once aliases are expanded (a "billion laughs" file is a few lines), and no
alias to a collection that contains it. The limits are checked on the event stream, which PyYAML produces
without recursion and without building anything, before a single node is composed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wardnet.errors import InputError, InputProblem, display_path

Loc = tuple[str | int, ...]

MAX_BYTES = 4 * 1024 * 1024  # the city baseline is ~20 kB, the systems catalogue grows by ~1 kB a system
MAX_DEPTH = 32  # the deepest schema nests 6 levels
MAX_ALIASES = 100
# libyaml's parser when PyYAML has it (the same events and marks, ~10x faster); the constructor stays Python
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = 200_000  # scalars and collections after alias expansion; the catalogue of 1,000 systems is ~40k


@dataclass
class YamlSource:
    """Parsed data of one file plus the line of every key and list item in it."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int | None:
        """The line of the deepest known prefix of loc (a bad value sits where its key is)."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None


def _problem(shown: str, message: str, fix: str, line: int | None = None) -> InputError:
    return InputError([InputProblem(shown, "", message, fix, line)])


def read_bounded(path: Path, max_bytes: int, within: Path | None = None, what: str = "file") -> bytes:
    """The bytes of a regular file of at most max_bytes; anything else is an InputError naming the file.

    Opened non-blocking, so a FIFO cannot hang the open; checked with fstat on the open descriptor, so what
    is read is what was checked; read to max_bytes + 1 at most, so /dev/zero or a growing file cannot
    exhaust memory even if it slipped through.
    """
    shown = display_path(path)
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on Python 3.11
        reason = getattr(exc, "strerror", None) or "a symlink loop"
        raise _problem(shown, f"cannot read: {reason}", f"make {shown} a regular {what}") from None
    if within is not None and not real.is_relative_to(within.resolve()):
        raise _problem(
            shown,
            f"is a symlink to {real}, outside {display_path(within)}",
            f"copy the {what} into {display_path(within)} instead of linking it",
        )
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _problem(shown, f"cannot read: {exc.strerror}", "check the path and its permissions") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device or FIFO)"
        raise _problem(shown, f"is {kind}", f"give a regular {what}")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_bytes:
            raise _problem(
                shown,
                f"is {info.st_size} bytes, more than the limit of {max_bytes}",
                f"split the {what} or remove what does not belong in it",
            )
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _problem(shown, f"is larger than the limit of {max_bytes} bytes", f"give a regular {what}")
    return data


def _check_events(text: str, shown: str) -> None:
    """Refuse deep nesting, alias bombs and recursive aliases before composing anything.

    `sizes` counts values per open collection; an anchored collection's expanded size is known when it
    closes, so each alias adds that size to every collection that holds it: the expanded total is exact
    and costs one pass, however many times the aliases multiply.
    """
    sizes: list[int] = [0]
    open_anchors: list[str | None] = []
    expanded: dict[str, int] = {}
    aliases = 0
    for event in yaml.parse(text, Loader=Loader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_anchors) >= MAX_DEPTH:
                raise _problem(
                    shown,
                    f"nested more than {MAX_DEPTH} levels deep",
                    "flatten the data: no schema here nests that deep",
                    line,
                )
            open_anchors.append(event.anchor)
            sizes.append(1)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor = open_anchors.pop()
            size = sizes.pop()
            if anchor is not None:
                expanded[anchor] = size
            sizes[-1] += size
        elif isinstance(event, yaml.ScalarEvent):
            sizes[-1] += 1
            if event.anchor is not None:
                expanded[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if event.anchor in open_anchors:
                raise _problem(
                    shown,
                    f"alias *{event.anchor} refers to a collection that contains it (endless data)",
                    "write the value out instead of the alias",
                    line,
                )
            if aliases > MAX_ALIASES:
                raise _problem(
                    shown, f"more than {MAX_ALIASES} aliases", "write the values out instead", line
                )
            sizes[-1] += expanded.get(event.anchor or "", 1)  # an unknown anchor is reported by compose
        else:
            continue
        if sum(sizes) > MAX_NODES:
            raise _problem(
                shown,
                f"more than {MAX_NODES} values once aliases are expanded (an alias bomb?)",
                "write the data without aliases that multiply",
                line,
            )


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int], problems: list[str]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(f"{'.'.join(map(str, (*loc, key)))}|{line}|{seen[key]}")
            seen[key] = line
            lines[(*loc, key)] = line
            _walk(value_node, (*loc, key), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            _walk(item, (*loc, index), lines, problems)


def read_yaml(
    path: Path, within: Path | None = None, max_bytes: int = MAX_BYTES, what: str = "YAML file"
) -> YamlSource:
    """Read one YAML file; raise InputError naming the file for unsafe input, syntax errors and duplicate
    keys. With `within`, the file (after following symlinks) must lie inside that folder."""
    shown = display_path(path)
    raw = read_bounded(path, max_bytes, within, what)
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some Windows editors write, is not a key
    except UnicodeDecodeError as exc:
        raise _problem(shown, f"not valid UTF-8 ({exc.reason})", "save the file as UTF-8") from None
    try:
        _check_events(text, shown)
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise _problem(
            shown, f"YAML syntax error: {problem}", "fix the YAML syntax at that line", line
        ) from None
    except ValueError as exc:  # PyYAML builds dates and ints itself: 2025-13-01 raises here, not as YAMLError
        line = _bad_timestamp_line(yaml.compose(text, Loader=Loader))
        if line is None:  # an integer of thousands of digits (Python refuses to convert it)
            raise _problem(shown, "a number with thousands of digits", "write a real number") from None
        raise _problem(shown, f"impossible date: {exc}", "write the date as YYYY-MM-DD", line) from None
    lines: dict[Loc, int] = {}
    duplicates: list[str] = []
    if node is not None:
        _walk(node, (), lines, duplicates)
    if duplicates:
        problems = []
        for entry in duplicates:
            name, line, first = entry.split("|")
            problems.append(
                InputProblem(
                    shown,
                    name,
                    f"key given twice (first on line {first})",
                    "keep only one of them",
                    int(line),
                )
            )
        raise InputError(problems)
    return YamlSource(path=path, data=data, lines=lines)


def _bad_timestamp_line(node: yaml.Node | None) -> int | None:
    """The line of the first date-looking scalar that is not a real date."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except ValueError:
                return node.start_mark.line + 1
        return None
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    for child in children:
        line = _bad_timestamp_line(child)
        if line is not None:
            return line
    return None
