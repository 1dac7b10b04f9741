"""FortiOS configuration as a tree, compared and turned into the CLI that makes the device match.
The one home of FortiOS's facts (secret keys, device-assigned keys, quoted multi-line values).

FortiOS has no `configure replace`: a replace is written as commands. Per top-level `config` block of the
candidate: `set` what differs, `unset` what the device has and the candidate does not, `delete` table
entries the candidate does not list, `move` policies back into order. Full scope: a block the candidate does
not name is emptied too (its entries deleted, its settings unset), so an added api-user, local user or SNMP
community is drift the audit reports and a replace removes. What the device owns by design (factory
objects, physical ports, certificates, FortiGuard data, default profiles) is listed with its reason in
fortios_owned.yml and left alone. `show` hides values left at their default, so the values of the keys the
candidate sets are read from `show full-configuration` when `show` lacks them.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from wardnet.platforms.base import REDACTED

# A value typed {password} in the FortiOS CLI Reference. A RADIUS server's backups have their own keys
# (`config user radius`: secret, secondary-secret, tertiary-secret, rsso-secret; FortiOS 6.4 CLI Reference),
# as do TACACS+ servers' (`config user tacacs+`: key, secondary-key, tertiary-key) and a phase 1's remote
# PSK (psksecret-remote): a real 6.2.3 `show` (tests/fixtures/public) carries `set secondary-secret ENC …`.
SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "key",
        "secret",
        "psksecret",
        "auth-pwd",
        "priv-pwd",
        "api-key",
        "secondary-secret",
        "tertiary-secret",
        "rsso-secret",
        "secondary-key",
        "tertiary-key",
        "psksecret-remote",
    }
)
VOLATILE_KEYS = frozenset({"uuid", "snmp-index"})  # the device assigns them
# Keys fixed when the object was made: neither compared when only the device has them nor unset.
FIXED_KEYS: dict[str, frozenset[str]] = {"system interface": frozenset({"type", "macaddr"})}
# The commit's own revert machinery: shown when left behind (a rollback reboots into it), but only the
# confirm step puts it back, never a replace in the middle of a commit that relies on it.
REVERT_KEYS = frozenset({"cfg-save", "cfg-revert-timeout"})
OWNED_FILE = Path(__file__).with_name("fortios_owned.yml")
ORDERED_TABLES = frozenset({"firewall policy", "firewall policy6", "firewall local-in-policy"})
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')
CIDR = re.compile(r"\d+\.\d+\.\d+\.\d+/\d+")
INDENT = "    "


@dataclass
class FortiObject:
    """A FortiOS `config` block or `edit` entry as the merge reads it: settings, nested blocks, entries.
    (Not a line tree: config lines as a tree are wardnet.tree.Node.)"""

    raw: str = ""  # the `config`/`edit` argument as the candidate writes it (pushed as written)
    settings: dict[str, str] = field(default_factory=dict)  # key → value as written
    subs: dict[str, FortiObject] = field(default_factory=dict)  # nested `config`, by canonical name
    entries: dict[str, FortiObject] = field(default_factory=dict)  # `edit` entries, by canonical name


def empty(node: FortiObject) -> bool:
    return not (node.settings or node.subs or node.entries)


@dataclass(frozen=True)
class EntryRule:
    names: frozenset[str]  # empty: any name
    where: tuple[tuple[str, str], ...]  # settings the entry carries (value as `show` prints it, unquoted)

    def matches(self, name: str, entry: FortiObject) -> bool:
        if self.names and name not in self.names:
            return False
        return all(name_of(entry.settings.get(key, "")) == value for key, value in self.where)


@dataclass(frozen=True)
class Owned:
    """What the device owns by design (fortios_owned.yml): left alone by the audit and a replace when the
    candidate does not name it."""

    blocks: tuple[str, ...] = ()  # fnmatch patterns on top-level block names
    entries: dict[str, tuple[EntryRule, ...]] = field(default_factory=dict)  # table → rules
    settings: dict[str, frozenset[str]] = field(default_factory=dict)  # singleton block → keys
    nested: frozenset[tuple[str, str]] = frozenset()  # (table, nested config name)

    def block(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.blocks)

    def entry(self, table: str, name: str, entry: FortiObject) -> bool:
        return any(rule.matches(name, entry) for rule in self.entries.get(table, ()))

    def setting(self, block: str, key: str) -> bool:
        return key in self.settings.get(block, frozenset())

    def sub(self, top: str, name: str) -> bool:
        return (top, name) in self.nested


@functools.cache
def owned() -> Owned:
    data = yaml.safe_load(OWNED_FILE.read_text())
    entries: dict[str, list[EntryRule]] = {}
    for item in data.get("entries", []):
        where = tuple((str(k), str(v)) for k, v in (item.get("where") or {}).items())
        rule = EntryRule(frozenset(str(n) for n in item.get("names", [])), where)
        entries.setdefault(item["table"], []).append(rule)
    return Owned(
        blocks=tuple(item["path"] for item in data.get("blocks", [])),
        entries={table: tuple(rules) for table, rules in entries.items()},
        settings={item["block"]: frozenset(item["keys"]) for item in data.get("settings", [])},
        nested=frozenset((item["table"], item["config"]) for item in data.get("nested", [])),
    )


def logical_lines(text: str) -> Iterator[str]:
    """Lines, a value in quotes that spans several (a banner) joined back into one."""
    pending: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not pending and "\\" not in line and line.count('"') % 2 == 0:
            yield line  # nothing open, no escape, quotes paired: the line as it is (most of 130k lines)
            continue
        pending.append(line)
        joined = "\n".join(pending)
        if len(re.findall(r'(?<!\\)"', joined)) % 2 == 0:
            yield joined
            pending = []
    if pending:
        yield "\n".join(pending)


@functools.lru_cache(maxsize=1 << 16)  # each `config`/`edit` argument of a fleet read once
def name_of(raw: str) -> str:
    return " ".join(t[1:-1] if t.startswith('"') else t for t in TOKEN.findall(raw))


def parse(text: str) -> FortiObject:
    root = FortiObject()
    stack = [root]
    for line in logical_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word, _, rest = stripped.partition(" ")
        if word == "config":
            stack.append(stack[-1].subs.setdefault(name_of(rest), FortiObject(rest)))
        elif word == "edit":
            stack.append(stack[-1].entries.setdefault(name_of(rest), FortiObject(rest)))
        elif word == "set":
            key, _, value = rest.partition(" ")
            stack[-1].settings[key] = value
        elif word in ("next", "end") and len(stack) > 1:
            stack.pop()
    return root


@functools.lru_cache(maxsize=1 << 16)  # a fleet's configs repeat most settings: each is made canonical once
def canonical(key: str, value: str) -> str:
    """A value as compared: quotes dropped, a.b.c.d/nn as address and mask (the device's form), a
    secret as one token (the device shows ENC blobs that cannot be compared with the clear value)."""
    if key in SECRET_KEYS:
        return REDACTED
    words: list[str] = []
    for token in TOKEN.findall(value):
        word = token[1:-1].replace('\\"', '"') if token.startswith('"') else token
        if CIDR.fullmatch(word):
            net = ipaddress.IPv4Interface(word)
            words += [str(net.ip), str(net.netmask)]
        else:
            words.append(word)
    return " ".join(f'"{w}"' if not w or re.search(r"\s", w) else w for w in words).replace("\n", "\\n")


def with_defaults(shown: FortiObject, full: FortiObject | None, candidate: FortiObject) -> FortiObject:
    """`show` completed from `show full-configuration` for the keys the candidate sets: `show` omits a
    value left at its default, so `set admintimeout 5` would otherwise never match."""
    if full is None:
        return shown
    out = FortiObject(shown.raw, dict(shown.settings))
    for key in candidate.settings:
        if key not in out.settings and key in full.settings:
            out.settings[key] = full.settings[key]
    for name in {**full.subs, **shown.subs}:
        base = shown.subs.get(name) or FortiObject(full.subs[name].raw)
        out.subs[name] = with_defaults(base, full.subs.get(name), candidate.subs.get(name, FortiObject()))
    for name, entry in shown.entries.items():
        candidate_entry = candidate.entries.get(name, FortiObject())
        out.entries[name] = with_defaults(entry, full.entries.get(name), candidate_entry)
    return out


# --- running, seen from the candidate -----------------------------------------------------------------


def _compared(top: str, key: str) -> bool:
    return key not in VOLATILE_KEYS and key not in FIXED_KEYS.get(top, frozenset())


def _removable(top: str, key: str) -> bool:
    return _compared(top, key) and key not in REVERT_KEYS


def view(run: FortiObject, cand: FortiObject, top: str, nested: bool, replace: bool = True) -> FortiObject:
    """The running node as it reads beside the candidate: the candidate's keys and entries first and in
    its order, then what only the device has (what a replace removes); what the device owns by design
    (fortios_owned.yml) and volatile keys left out."""
    mine = owned()
    out = FortiObject(run.raw)
    for key in cand.settings:
        if key in run.settings:
            out.settings[key] = run.settings[key]
    if replace:
        out.settings |= {
            k: v
            for k, v in run.settings.items()
            if k not in cand.settings and _compared(top, k) and (nested or not mine.setting(top, k))
        }
    for name, sub in cand.subs.items():
        if name in run.subs:
            out.subs[name] = view(run.subs[name], sub, top, True, replace)
    if replace:
        for name, sub in run.subs.items():
            if name not in cand.subs and not mine.sub(top, name):
                seen = view(sub, FortiObject(), top, True, replace)
                if not empty(seen):
                    out.subs[name] = seen
    order = (
        list(run.entries)
        if top in ORDERED_TABLES and not nested
        else [
            *[n for n in cand.entries if n in run.entries],
            *[n for n in run.entries if n not in cand.entries],
        ]
    )
    for name in order:
        if name in cand.entries:
            out.entries[name] = view(run.entries[name], cand.entries[name], top, True, replace)
        elif replace and (nested or not mine.entry(top, name, run.entries[name])):
            out.entries[name] = view(run.entries[name], FortiObject(), top, True, replace)
    return out


def unnamed(running: FortiObject, candidate: FortiObject) -> dict[str, FortiObject]:
    """The top-level blocks a full-scope replace also empties: on the device, not named by the candidate,
    not the device's own by design."""
    mine = owned()
    return {
        name: run for name, run in running.subs.items() if name not in candidate.subs and not mine.block(name)
    }


def render(node: FortiObject, depth: int = 0) -> list[str]:
    pad = INDENT * depth
    lines = [f"{pad}set {k} {canonical(k, v)}" for k, v in node.settings.items()]
    for name, sub in node.subs.items():
        lines += [f"{pad}config {name}", *render(sub, depth + 1), f"{pad}end"]
    for name, entry in node.entries.items():
        lines += [f'{pad}edit "{name}"', *render(entry, depth + 1), f"{pad}next"]
    return lines


def diff(running: FortiObject, candidate: FortiObject, replace: bool = True) -> str:
    """Unified diff per top-level block the candidate names (and, for a replace, per block it would empty),
    both sides normalised the same way."""
    out: list[str] = []
    pairs = [(name, running.subs.get(name, FortiObject()), cand) for name, cand in candidate.subs.items()]
    if replace:
        pairs += [(name, run, FortiObject(run.raw)) for name, run in unnamed(running, candidate).items()]
    for name, run_node, cand in pairs:
        run = view(run_node, cand, name, False, replace)
        if cand is not candidate.subs.get(name) and empty(run):
            continue
        out += difflib.unified_diff(
            render(run), render(cand), fromfile=f"running/{name}", tofile=f"candidate/{name}", lineterm=""
        )
    return "\n".join(out)


# --- the commands that make running match -------------------------------------------------------------


def _same(key: str, old: str, new: str) -> bool:
    return canonical(key, old) == canonical(key, new)


def _indent(lines: list[str]) -> list[str]:
    return [INDENT + line for line in lines]


def commands(run: FortiObject, cand: FortiObject, top: str, nested: bool, replace: bool = True) -> list[str]:
    """The lines inside one config context (without its `config`/`end`)."""
    mine = owned()
    out = [
        f"set {k} {v}"
        for k, v in cand.settings.items()
        if k not in run.settings or not _same(k, run.settings[k], v)
    ]
    if replace:
        out += [
            f"unset {k}"
            for k in run.settings
            if k not in cand.settings and _removable(top, k) and (nested or not mine.setting(top, k))
        ]
    for name, sub in cand.subs.items():
        inner = commands(run.subs.get(name, FortiObject()), sub, top, True, replace)
        if inner:
            out += [f"config {sub.raw}", *_indent(inner), "end"]
    if replace:
        for name, sub in run.subs.items():
            kept = name in cand.subs or mine.sub(top, name)
            inner = [] if kept else commands(sub, FortiObject(), top, True)
            if inner:
                out += [f"config {sub.raw}", *_indent(inner), "end"]
        out += [
            f"delete {e.raw}"
            for n, e in run.entries.items()
            if n not in cand.entries and (nested or not mine.entry(top, n, e))
        ]
    for name, entry in cand.entries.items():
        inner = commands(run.entries.get(name, FortiObject()), entry, top, True, replace)
        if name not in run.entries or inner:
            out += [f"edit {entry.raw}", *_indent(inner), "next"]
    if top in ORDERED_TABLES and not nested:
        out += _moves(run, cand, replace)
    return out


def _moves(run: FortiObject, cand: FortiObject, replace: bool) -> list[str]:
    """Policies are evaluated in table order, and a new one lands at the end, after the default deny."""
    kept = [n for n in run.entries if n in cand.entries or not replace]
    after = kept + [n for n in cand.entries if n not in run.entries]
    names = list(cand.entries)
    if [n for n in after if n in cand.entries] == names:
        return []
    raw = [cand.entries[n].raw for n in names]
    return [f"move {raw[i]} before {raw[i + 1]}" for i in range(len(names) - 2, -1, -1)]


def script(
    running: FortiObject,
    candidate: FortiObject,
    replace: bool = True,
    only: set[str] | None = None,
    *,
    full_scope: bool | None = None,
) -> list[list[str]]:
    """One command block per top-level `config` the candidate names and the device differs in; for a
    replace, then one per block the device has beyond it (full scope, unless `full_scope=False`: a partial
    candidate such as a rollback's kept blocks or the HA step). `only`: limit to these top lines
    (`config system api-user`). Table entries are deleted last, blocks in the reverse of the device's own
    order: `show` lists an object before what uses it (interfaces before policies), and FortiOS refuses to
    delete an entry still referenced."""
    pairs = [(name, running.subs.get(name, FortiObject()), cand) for name, cand in candidate.subs.items()]
    if replace if full_scope is None else full_scope:
        pairs += [(name, run, FortiObject(run.raw)) for name, run in unnamed(running, candidate).items()]
    order = {name: i for i, name in enumerate(running.subs)}
    blocks, removals = [], []
    for name, run, cand in pairs:
        head = f"config {cand.raw}"
        if only is not None and head not in only:
            continue
        inner = commands(run, cand, name, False, replace)
        deletes = [line for line in inner if line.startswith("delete ")]
        kept = [line for line in inner if not line.startswith("delete ")]
        if kept:
            blocks.append([head, *_indent(kept), "end"])
        if deletes:
            removals.append((order.get(name, len(order)), [head, *_indent(deletes), "end"]))
    return blocks + [block for _, block in sorted(removals, key=lambda r: -r[0])]
