"""IOS text as the emulated Catalyst holds it: top-level blocks, the device's own rewriting of what it is
given, and the contextual diff `show archive config differences` prints. Test-side only: the driver under
test has its own code for the same syntax, so a shared mistake cannot hide."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADER = re.compile(
    r"^(Building configuration|Current configuration :|! (Last configuration change|NVRAM config))"
)
PHYSICAL = re.compile(
    r"^interface (GigabitEthernet|TenGigabitEthernet|TwentyFiveGigE|FortyGigabitEthernet|HundredGigE"
    r"|AppGigabitEthernet)\d"
)
XLAT = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def type7(plain: str) -> str:
    """Cisco's reversible 'encryption' (service password-encryption), seeded from the text so the
    emulator prints the same value every time."""
    seed = sum(plain.encode()) % 16
    return f"{seed:02d}" + "".join(
        f"{ord(char) ^ ord(XLAT[(seed + i) % len(XLAT)]):02X}" for i, char in enumerate(plain)
    )


@dataclass
class Block:
    head: str
    body: list[str] = field(default_factory=list)


ETX = "\x03"
BANNER = re.compile(r"^banner (\S+) ")


def parse(text: str, *, shown: bool = False) -> list[Block]:
    """Blocks in file order; comments, `end` and the show-run header dropped; a banner is one block, held
    as show running-config prints it (`banner login ^C` ... `^C`).

    `shown` text is what the box printed: `^C` there stands for the delimiter. A file the box is given
    (a replace, a merge) is read as IOS reads it: the delimiter is the first character after the banner
    keyword, so ETX (0x03) works, while the two characters `^C` make `^` the delimiter and `C` part of the
    banner (napalm-ios #23)."""
    blocks: list[Block] = []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line or line.startswith("!") or line == "end" or HEADER.match(line):
            continue
        if line[0].isspace():
            if blocks and not blocks[-1].head.startswith("banner "):
                blocks[-1].body.append(line)
            continue
        banner = BANNER.match(line)
        if banner and shown and line.endswith("^C"):
            block = Block(line)
            while i < len(lines):
                block.body.append(lines[i].rstrip())
                i += 1
                if block.body[-1].endswith("^C"):
                    break
        elif banner and not shown and len(line) > banner.end():
            block, i = _read_banner(banner.group(1), line[banner.end() :], lines, i)
        else:
            block = Block(line)
        blocks.append(block)
    return blocks


def _read_banner(kind: str, rest: str, lines: list[str], i: int) -> tuple[Block, int]:
    """A banner as IOS reads it from a file: text up to the next delimiter character."""
    delimiter, text = rest[0], [rest[1:]]
    while delimiter not in text[-1] and i < len(lines):
        text.append(lines[i].rstrip("\n"))
        i += 1
    text[-1] = text[-1].split(delimiter, 1)[0]
    if len(text) == 1:
        return Block(f"banner {kind} ^C{text[0]}^C"), i
    return Block(f"banner {kind} ^C{text[0]}", [*text[1:-1], text[-1] + "^C"]), i


def render(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        out += [block.head, *block.body]
        if block.body:
            out.append("!")
    return "\n".join(out)


# --- what the device does to a config it is given --------------------------------------------------


def _vty_split(block: Block) -> list[Block]:
    """A Catalyst keeps vty 0-4, 5-15 and (17.9) 16-31 apart: `line vty 0 31` comes back as three."""
    match = re.fullmatch(r"line vty 0 (\d+)", block.head)
    if not match or int(match.group(1)) <= 4:
        return [block]
    last = int(match.group(1))
    spans = [(a, min(b, last)) for a, b in ((0, 4), (5, 15), (16, 31)) if a <= last]
    return [Block(f"line vty {a} {b}", list(block.body)) for a, b in spans]


VTY_FACTORY = [" login", " transport input ssh"]  # a vty range nobody configured, as 17.9 prints it


def _acl_sequence(block: Block) -> Block:
    """IOS-XE numbers named ACL entries in steps of 10 and shows the numbers; a standard ACL pads `deny`
    to the width of `permit` (` 20 deny   any log`)."""
    if not block.head.startswith("ip access-list "):
        return block
    standard = block.head.startswith("ip access-list standard ")
    body, seq = [], 0
    for line in block.body:
        words = line.split()
        if words and words[0].isdigit():
            seq = int(words[0])
            words = words[1:]
        else:
            seq += 10
        if standard and words and words[0] == "deny":
            body.append(f" {seq} deny   {' '.join(words[1:])}")
        else:
            body.append(f" {seq} {' '.join(words)}")
    return Block(block.head, body)


# The 17.x defaults the box accepts and never prints.
NOT_PRINTED = {"no service pad", "no service config"}


def _merge_name_servers(blocks: list[Block]) -> list[Block]:
    """`ip name-server A` then `ip name-server B` show as one line, `ip name-server A B`."""
    servers = [a for b in blocks if b.head.startswith("ip name-server ") for a in b.head.split()[2:]]
    if not servers:
        return blocks
    merged = Block("ip name-server " + " ".join(dict.fromkeys(servers)))
    first = next(i for i, b in enumerate(blocks) if b.head.startswith("ip name-server "))
    rest = [b for b in blocks if not b.head.startswith("ip name-server ")]
    return [*rest[:first], merged, *rest[first:]]


def shown(blocks: list[Block]) -> list[Block]:
    """What show running-config prints: in VTP server or client mode (the factory default) VLANs live in
    vlan.dat and never appear in the running config; `vtp mode transparent` or `off` puts them there."""
    if any(re.fullmatch(r"vtp mode (transparent|off)", b.head) for b in blocks):
        return blocks
    return [b for b in blocks if not re.fullmatch(r"vlan [\d,-]+", b.head)]


def device_form(
    blocks: list[Block],
    snmp_users: dict[str, str],
    protocols: dict[str, tuple[str, str]] | None = None,
) -> list[Block]:
    """The running config the device shows after taking `blocks`: keys encrypted, SNMPv3 users moved out
    of the config (kept in `snmp_users`, name → group; `protocols`: name → the auth and priv protocols
    `show snmp user` prints), defaults it always prints put back."""
    out: list[Block] = []
    for given in blocks:
        user = re.match(
            r"snmp-server user (\S+) (\S+) v3(?: auth (\S+) \S+)?(?: priv (aes \d+|3des|des) )?", given.head
        )
        if user:
            snmp_users[user.group(1)] = user.group(2)
            if protocols is not None:
                auth, priv = user.group(3) or "", user.group(4) or ""
                protocols[user.group(1)] = (auth.upper() or "None", priv.upper().replace(" ", "") or "None")
            continue
        head = given.head
        ntp_key = re.fullmatch(r"(ntp authentication-key \d+ \S+) (\S+)", head)
        if ntp_key:
            head = f"{ntp_key.group(1)} {type7(ntp_key.group(2))} 7"
        body = [
            re.sub(r"^( key) 0 (\S+)$", lambda m: f"{m.group(1)} 7 {type7(m.group(2))}", b)
            for b in given.body
        ]
        if head == "line con 0" and not any(b.startswith(" stopbits") for b in body):
            body.insert(0, " stopbits 1")
        if head in NOT_PRINTED:
            continue
        out += [_acl_sequence(b) for b in _vty_split(Block(head, body))]
    out = _merge_name_servers(out)
    heads = [b.head for b in out]
    if "boot-start-marker" not in heads:
        at = (
            heads.index(next(h for h in heads if h.startswith("hostname"))) + 1
            if any(h.startswith("hostname") for h in heads)
            else 0
        )
        out[at:at] = [Block("boot-start-marker"), Block("boot-end-marker")]
    if any(h.startswith("ntp server") for h in heads) and not any(
        h.startswith("ntp clock-period") for h in heads
    ):
        first = next(i for i, b in enumerate(out) if b.head.startswith("ntp "))
        out.insert(first, Block("ntp clock-period 17179869"))
    return out


# --- show archive config differences ------------------------------------------------------------------


@dataclass
class Node:
    text: str
    children: list[Node] = field(default_factory=list)


def tree(blocks: list[Block]) -> list[Node]:
    roots: list[Node] = []
    for block in blocks:
        if block.head.startswith("banner "):  # compared whole, as the parser keeps it
            roots.append(Node("\n".join([block.head, *block.body])))
            continue
        root = Node(block.head)
        stack: list[tuple[int, Node]] = [(-1, root)]
        for line in block.body:
            if line.strip() in ("!", "exit-address-family") or line.strip().startswith("!"):
                continue
            depth = len(line) - len(line.lstrip())
            while stack[-1][0] >= depth:
                stack.pop()
            node = Node(line.strip())
            stack[-1][1].children.append(node)
            stack.append((depth, node))
        roots.append(root)
    return roots


def _whole(sign: str, node: Node, depth: int) -> list[str]:
    out = [" " * depth + sign + node.text]
    for child in node.children:
        out += _whole(sign, child, depth + 1)
    return out


def contextual_diff(old: list[Node], new: list[Node], depth: int = 0) -> list[str]:
    out: list[str] = []
    old_by = {n.text: n for n in old}
    new_by = {n.text: n for n in new}
    for node in new:
        if node.text not in old_by:
            out += _whole("+", node, depth)
        else:
            inner = contextual_diff(old_by[node.text].children, node.children, depth + 1)
            if inner:
                out += [" " * depth + node.text, *inner]
    for node in old:
        if node.text not in new_by:
            out += _whole("-", node, depth)
    return out
