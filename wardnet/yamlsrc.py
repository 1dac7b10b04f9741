"""Safe YAML reading that remembers where each value came from and refuses duplicate keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wardnet.errors import InputError, InputProblem, display_path

Loc = tuple[str | int, ...]


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


def read_yaml(path: Path) -> YamlSource:
    """Read one YAML file; raise InputError naming the file for syntax errors and duplicate keys."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            [InputProblem(shown, "", f"not valid UTF-8 ({exc.reason})", "save the file as UTF-8")]
        ) from None
    except OSError as exc:
        raise InputError(
            [InputProblem(shown, "", f"cannot read: {exc.strerror}", "check the path")]
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            [
                InputProblem(
                    shown, "", f"YAML syntax error: {problem}", "fix the YAML syntax at that line", line
                )
            ]
        ) from None
    except ValueError as exc:  # PyYAML builds dates itself: 2025-13-01 raises here, not as a YAMLError
        raise InputError(
            [
                InputProblem(
                    shown,
                    "",
                    f"impossible date: {exc}",
                    "write the date as YYYY-MM-DD",
                    _bad_timestamp_line(yaml.compose(text, Loader=yaml.SafeLoader)),
                )
            ]
        ) from None
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
