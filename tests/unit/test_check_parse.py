"""The rule pack's IOS/FRR parser: block sharing and the banner fold give the tree the plain reading gives.

The reference below is the straightforward reading of the format, written here independently: a stack of
(indentation, node), blank/'!'/closer lines skipped, every line hung under the nearest shallower line above.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from wardnet.checks.parse import IOS_CLOSERS, _tokens, ios_lines, parse_fortios, parse_indented, parse_ios


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
        tree = parse_indented(lines, IOS_CLOSERS)
        assert shape(tree) == reference(lines, IOS_CLOSERS)
        # A search answered a shared run at a time finds what a walk of the whole tree finds, in order.
        for needles in (("Gi1",), ("down", "a b")):
            assert tree.containing(*needles) == [n for n in tree.walk() if any(x in n.text for x in needles)]


def test_runs_between_bang_lines_are_shared_between_configs_and_still_exact() -> None:
    port = "interface GigabitEthernet1/0/1\n switchport access vlan 20\n mab\n"
    one = parse_ios(f"hostname a\n!\n{port}!\nline vty 0 4\n access-class VTY in\nend\n")
    two = parse_ios(f"hostname b\n!\n{port}!\nline vty 0 4\n access-class VTY out\nend\n")
    assert one.get("interface GigabitEthernet1/0/1") is two.get("interface GigabitEthernet1/0/1")
    assert [n.text for n in one.containing("access-class")] == ["access-class VTY in"]
    assert [n.text for n in two.containing("access-class")] == ["access-class VTY out"]
    # The same run after a `!` whose next line is indented belongs to the block above: read in place.
    lines = ["hostname c", "interface Vlan1", " shutdown", "!", " description above", "!", *port.split("\n")]
    three = parse_indented(lines, IOS_CLOSERS)
    assert shape(three) == reference(lines, IOS_CLOSERS)
    assert three.get("interface Vlan1").has("description above")  # type: ignore[union-attr]


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


# --- FortiOS: top-level blocks shared between configs ------------------------------------------------------
# The reference reads FortiOS the plain way, written here on its own: lines joined while a quote is open,
# a stack of blocks (config → sub-block, edit → entry, next/end → up), set/append/unset on the innermost.
# Names and values are split by the parser's tokenizer (not what is under test: the chunk sharing is).


def forti_reference(text: str) -> dict[str, Any]:
    def block() -> dict[str, Any]:
        return {"settings": {}, "subs": {}, "entries": {}}

    def open_quotes(s: str) -> int:
        return sum(1 for i, c in enumerate(s) if c == '"' and (i == 0 or s[i - 1] != "\\")) % 2

    logical: list[str] = []
    pending: str | None = None
    for line in text.replace("\r", "").split("\n"):
        pending = line if pending is None else pending + "\n" + line
        if not open_quotes(pending):
            logical.append(pending)
            pending = None
    if pending is not None:
        logical.append(pending)
    root = block()
    stack = [root]
    for line in logical:
        words = line.strip()
        if not words or words.startswith("#"):
            continue
        word, _, rest = words.partition(" ")
        if word in ("config", "edit"):
            kind = "subs" if word == "config" else "entries"
            stack.append(stack[-1][kind].setdefault(" ".join(_tokens(rest)), block()))
        elif word in ("set", "append"):
            key, _, value = rest.partition(" ")
            before = stack[-1]["settings"].get(key, []) if word == "append" else []
            stack[-1]["settings"][key] = before + _tokens(value)
        elif word == "unset":
            stack[-1]["settings"].pop(rest.strip(), None)
        elif word in ("next", "end") and len(stack) > 1:
            stack.pop()
    return root


FORTI_LINE = st.sampled_from(
    [
        "config system global",
        "config firewall address",
        "    set hostname fw1",
        '    set name "a b"',
        '    edit "lan"',
        "        set subnet 10.0.0.0 255.255.255.0",
        "        append member x",
        "        unset subnet",
        "    next",
        "end",
        "#config-version=x",
        '# an "odd quote in a comment',
        "",
        '    set post-login-banner "first line',
        'config inside the banner"',
        "set top-level 1",
        "edit 3",
        "    set path c:\\\\dir",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(FORTI_LINE, max_size=16), min_size=1, max_size=4))
def test_fortios_parse_matches_the_plain_reading(configs: list[list[str]]) -> None:
    # Several configs in a row: a block shared from an earlier config must not change a later one's tree.
    for lines in configs:
        text = "\n".join(lines)
        assert asdict(parse_fortios(text)) == forti_reference(text)


def test_fortios_blocks_met_again_are_shared_and_still_exact() -> None:
    common = (
        "config system global\n    set admintimeout 5\nend\n"
        'config firewall policy\n    edit 1\n        set name "deny all"\n    next\nend\n'
    )
    one = parse_fortios(f"#config-version=fw1\n{common}config system dns\n    set primary 10.0.0.1\nend\n")
    two = parse_fortios(f"#config-version=fw2\n{common}config system dns\n    set primary 10.0.0.2\nend\n")
    assert one.subs["firewall policy"] is two.subs["firewall policy"]  # same text: built once
    assert two.subs["firewall policy"].entries["1"].settings == {"name": ["deny all"]}
    assert one.subs["system dns"].settings["primary"] == ["10.0.0.1"]
    assert two.subs["system dns"].settings["primary"] == ["10.0.0.2"]
    twice = parse_fortios(common + "config system global\n    set hostname fw3\nend\n")  # a name met again
    assert twice.subs["system global"].settings == {"admintimeout": ["5"], "hostname": ["fw3"]}
    assert one.subs["system global"].settings == {"admintimeout": ["5"]}  # the shared block is untouched


def test_fortios_a_quote_open_across_a_config_line_is_one_value() -> None:
    text = (
        'config system global\n    set post-login-banner "first line\nconfig inside the banner"\n'
        "    set hostname fw1\nend\nconfig system dns\n    set primary 10.0.0.1\nend\n"
    )
    for _ in range(2):  # the second time from what the first one kept
        tree = parse_fortios(text)
        assert tree.subs["system global"].settings == {
            "post-login-banner": ["first line\nconfig inside the banner"],
            "hostname": ["fw1"],
        }
        assert list(tree.subs) == ["system global", "system dns"]


def test_fortios_a_quote_left_open_in_a_comment_swallows_what_follows() -> None:
    # The plain reading joins lines while a quote is open, a comment's too: block b is inside the comment.
    text = 'config system global\n    set hostname fw1\nend\n# an "open quote\nconfig b\n    set y 2\nend\n'
    for _ in range(2):
        assert list(parse_fortios(text).subs) == ["system global"]
