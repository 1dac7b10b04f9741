"""The rule pack's IOS/FRR parser: block sharing and the banner fold give the tree the plain reading gives.

The reference below is the straightforward reading of the format, written here independently: a stack of
(indentation, node), blank/'!'/closer lines skipped, every line hung under the nearest shallower line above.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wardnet.checks.parse import IOS_CLOSERS, ios_lines, parse_indented, parse_ios


def reference(lines: list[str], closers: frozenset[str]) -> list[Any]:
    root: list[Any] = []
    stack: list[tuple[int, list[Any]]] = [(-1, root)]
    for raw in lines:
        text = raw.strip()
        if not text or text.startswith("!") or text in closers:
            continue
        depth = len(raw) - len(raw.lstrip())
        while stack[-1][0] >= depth:
            stack.pop()
        children: list[Any] = []
        stack[-1][1].append((text, children))
        stack.append((depth, children))
    return root


def shape(node: Any) -> list[Any]:
    return [(c.text, shape(c)) for c in node.children]


LINE = st.tuples(
    st.sampled_from(["", " ", "  ", "\t", "   "]),
    st.sampled_from(["interface Gi1/0/1", "shutdown", "!", "", "end", "exit-address-family", "quit", "a b"]),
    st.sampled_from(["", "  "]),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(LINE, max_size=12), min_size=1, max_size=4))
def test_parse_matches_the_plain_reading(configs: list[list[str]]) -> None:
    # Several configs in a row: a body shared from an earlier config must not change a later one's tree.
    for lines in configs:
        assert shape(parse_indented(lines, IOS_CLOSERS)) == reference(lines, IOS_CLOSERS)


def test_repeated_blocks_are_shared_and_still_exact() -> None:
    text = "\n".join(
        f"interface GigabitEthernet1/0/{n}\n switchport access vlan {20 if n % 2 else 999}\n shutdown\n!"
        for n in range(1, 49)
    )
    tree = parse_ios(text + "\nline vty 0 4\n transport input ssh\nend\n")
    ports = tree.all("interface GigabitEthernet")
    assert len(ports) == 48
    assert [p.child("switchport access vlan ").text for p in ports[:3]] == [  # type: ignore[union-attr]
        "switchport access vlan 20",
        "switchport access vlan 999",
        "switchport access vlan 20",
    ]
    assert ports[0].children is ports[2].children  # equal bodies: built once
    assert tree.get("line vty 0 4").has("transport input ssh")  # type: ignore[union-attr]


def test_banner_is_folded_into_an_indented_block() -> None:
    lines = ios_lines(
        "hostname x\nbanner login ^CAuthorised\nuse only^C\nbanner motd #one line#\n"
        "banner exec ^C\nbanner login inside^C\nline con 0\n"
    )
    assert lines == [
        "hostname x",
        "banner login",
        " Authorised",
        " use only",
        "banner motd",
        " one line",
        "banner exec",
        " banner login inside",
        "line con 0",
        "",
    ]
