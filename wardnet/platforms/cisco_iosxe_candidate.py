"""Make a rendered IOS-XE config fit for `configure replace`, and read the device's diff fairly.

`configure replace` negates whatever the file lacks. A rendered config lacks what the Catalyst writes for
itself (stack members, licence, self-signed trustpoint, the CPU policy, ports the design leaves alone), and
negating a physical port or a provisioned member is a failed command: with `revert trigger error` the
whole replace is reverted. So the running config's copies of those stanzas are carried into the
candidate, and the candidate is written the way the device prints it (vty ranges, ACL sequence numbers).

The device compares text: a key it stores as type 7 differs from the clear one we send, and it never
shows SNMPv3 users. `quiet_diff` drops those differences when they are only a matter of form.
"""

from __future__ import annotations

import re

# Top-level stanzas the device owns. Why each: licence and stack members cannot be negated or change only
# at reload; the boot markers and clock-period come back anyway; call-home carries Smart Licensing
# reporting; the trustpoints and the CPU policy are generated and needed by the box itself.
DEVICE_OWNED = re.compile(
    r"^(boot-start-marker|boot-end-marker|boot system |switch \d+ provision |license |service call-home"
    r"|call-home$|platform |crypto pki (trustpoint|certificate chain) (TP-self-signed-\d+|SLA-TrustPoint)$"
    r"|diagnostic bootup |memory free |redundancy$|transceiver type |control-plane$"
    r"|class-map match-any system-cpp|policy-map system-cpp-policy$|ntp clock-period "
    r"|crypto engine compliance )"
)
PHYSICAL = re.compile(
    r"^interface (GigabitEthernet|TenGigabitEthernet|TwentyFiveGigE|FortyGigabitEthernet|HundredGigE"
    r"|AppGigabitEthernet)\d"
)
# Sub-commands the device prints inside a stanza we do manage, whatever we send.
OWNED_CHILDREN: dict[str, re.Pattern[str]] = {"line con 0": re.compile(r"^ stopbits ")}
ACL = re.compile(r"^ip access-list (standard|extended) ")
# Hardening lines that are the 17.x default, which the box accepts but does not print: kept only when the
# running config shows them (a box that prints them), so neither a replace nor an audit sees a difference.
DEFAULTS_NOT_PRINTED = {"no service pad", "no service config"}
ETX = "\x03"  # the banner delimiter a replace file must carry (napalm-ios #23, scrapli_cfg #55, netutils #67)
XLAT = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"


def blocks(text: str) -> list[list[str]]:
    """Top-level stanzas, each as its lines; `!` separators and `end` dropped; a banner stays whole."""
    out: list[list[str]] = []
    banner = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if banner:
            out[-1].append(line)
            banner = not line.endswith("^C")
        elif not line or line == "end" or line.startswith("!"):
            continue
        elif line[0].isspace():
            if out:
                out[-1].append(line)
        else:
            out.append([line])
            banner = line.startswith("banner ") and line.endswith("^C")
    return out


VTY = re.compile(r"line vty (\d+) (\d+)")


def _ranges(head: str) -> tuple[int, int] | None:
    match = VTY.fullmatch(head) if head.startswith("line vty ") else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _split_vty(block: list[str], running_heads: list[str]) -> list[list[str]]:
    """`line vty 0 15` → the ranges the device already shows (0 4, 5 15), when they tile it exactly."""
    span = _ranges(block[0])
    if span is None:
        return [block]
    parts = sorted(r for h in running_heads if (r := _ranges(h)) and span[0] <= r[0] <= r[1] <= span[1])
    tiles = [span[0]] + [b + 1 for _, b in parts]
    if not parts or [a for a, _ in parts] != tiles[:-1] or parts[-1][1] != span[1] or len(parts) == 1:
        return [block]
    return [[f"line vty {a} {b}", *block[1:]] for a, b in parts]


def _number_acl(block: list[str]) -> list[str]:
    if not ACL.match(block[0]):
        return block
    out, seq = [block[0]], 0
    for line in block[1:]:
        first = line.split()[0] if line.split() else ""
        if first.isdigit():
            seq = int(first)
            out.append(line)
        else:
            seq += 10
            out.append(f" {seq} {line.strip()}")
    return out


def complete(candidate: str, running: str) -> str:
    """The candidate plus the device's own stanzas from `running`, written as the device writes it."""
    run = blocks(running)
    run_by_head = {b[0]: b for b in run}
    ours = blocks(candidate)
    heads = {b[0] for b in ours}
    running_heads = list(run_by_head)
    out: list[list[str]] = []
    for block in ours:
        owned = OWNED_CHILDREN.get(block[0])
        whole = block
        if owned and block[0] in run_by_head:
            extra = [c for c in run_by_head[block[0]][1:] if owned.match(c) and c not in block]
            whole = [block[0], *extra, *block[1:]]
        out += [_number_acl(b) for b in _split_vty(whole, running_heads)]
    shown = {b[0] for b in run}
    out = [b for b in out if b[0] not in DEFAULTS_NOT_PRINTED or b[0] in shown]
    kept = [b for b in run if b[0] not in heads and (DEVICE_OWNED.match(b[0]) or PHYSICAL.match(b[0]))]
    lines = [line for block in out + kept for line in [*block, "!"]]
    return "\n".join(lines) + "\nend\n"


def for_replace(text: str) -> str:
    """The file handed to `configure replace`: banners delimited by the ETX byte, not the two characters
    `^C` that show running-config prints. Read from a file, `^` would be the delimiter, the `C` part of the
    banner, and every replace would report the banner changed (napalm-ios #23)."""
    out, banner = [], False
    for line in text.split("\n"):
        opens = not banner and line.startswith("banner ") and line.endswith("^C")
        closes = banner and line.endswith("^C")
        out.append(line[:-2] + ETX if opens or closes else line)
        banner = opens or (banner and not closes)
    return "\n".join(out)


# --- reading the device's contextual diff -------------------------------------------------------------


def decode7(text: str) -> str:
    seed = int(text[:2])
    pairs = [text[i : i + 2] for i in range(2, len(text), 2)]
    return "".join(chr(int(p, 16) ^ ord(XLAT[(seed + i) % len(XLAT)])) for i, p in enumerate(pairs))


def _clear_form(line: str) -> str:
    """A line with its type-7 secret decoded, so `key 7 0822...` equals `key 0 <clear>`."""
    try:
        line = re.sub(r"\b(key|password) 7 (\S+)$", lambda m: f"{m.group(1)} 0 {decode7(m.group(2))}", line)
        return re.sub(
            r"^(ntp authentication-key \d+ \S+) (\S+) 7$",
            lambda m: f"{m.group(1)} {decode7(m.group(2))}",
            line,
        )
    except ValueError:  # not type 7 after all: compare as written
        return line


def quiet_diff(diff: str, snmp_users: dict[str, str]) -> str:
    """`show archive config differences` minus what differs only in form: a type-7 secret equal to the
    clear one sent, an SNMPv3 user the device has (it never prints them; their keys cannot be read back)."""
    items = []  # (depth, sign, text, context)
    stack: list[str] = []
    for line in diff.split("\n"):
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        body = line.strip()
        sign = body[0] if body[0] in "+-" else ""
        text = body[1:] if sign else body
        stack = [*stack[:depth], text]
        items.append((depth, sign, text, tuple(stack[:depth])))
    drop: set[int] = set()
    for i, (_, sign, text, context) in enumerate(items):
        user = re.match(r"snmp-server user (\S+) (\S+) v3 ", text)
        if sign == "+" and not context and user and snmp_users.get(user.group(1)) == user.group(2):
            drop.add(i)
        if sign != "-" or i in drop:
            continue
        for j, (_, other_sign, other, other_context) in enumerate(items):
            if j in drop or other_sign != "+" or other_context != context:
                continue
            if _clear_form(text) == _clear_form(other):
                drop |= {i, j}
                break
    kept = [item for i, item in enumerate(items) if i not in drop]
    return "\n".join(
        " " * depth + sign + text
        for n, (depth, sign, text, _) in enumerate(kept)
        if sign or _holds_change(kept, n, depth)
    )


def _holds_change(items: list[tuple[int, str, str, tuple[str, ...]]], n: int, depth: int) -> bool:
    """A context line is kept only while a signed line still sits under it."""
    for d, sign, _, _ in items[n + 1 :]:
        if d <= depth:
            return False
        if sign:
            return True
    return False
