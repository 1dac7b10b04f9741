"""What a replayed CLI accepts: the commands and contexts in tests/vendor/grammar/*.yml, checked token by
token the way the device's parser does, so a misspelt keyword, a command in the wrong mode or a value out of
range is refused as the real box refuses it. The grammars are data; this module only reads them.

IOS patterns are space-separated tokens: a keyword, `a|b` (one of), `<type>` or `<int:LO-HI>` (a value),
`[token]` (optional), `<text>` (the rest of the line); `=> context` opens a sub-mode. FortiOS grammar maps a
config path to its fields and their value types, tables (`edit`) and nested `config` blocks.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

GRAMMARS = Path(__file__).resolve().parent / "grammar"


# --- values ---------------------------------------------------------------------------------------------


def _ipv4(word: str) -> bool:
    try:
        ipaddress.IPv4Address(word)
    except ValueError:
        return False
    return True


def _mask(word: str) -> bool:
    if not _ipv4(word):
        return False
    bits = int(ipaddress.IPv4Address(word))
    return (bits | (bits - 1)) & 0xFFFFFFFF == 0xFFFFFFFF if bits else True  # ones, then zeros


def _wildcard(word: str) -> bool:
    return _ipv4(word) and _mask(str(ipaddress.IPv4Address(~int(ipaddress.IPv4Address(word)) & 0xFFFFFFFF)))


def _int_in(word: str, low: int, high: int) -> bool:
    return bool(re.fullmatch(r"-?\d+", word)) and low <= int(word) <= high


def _vlans(word: str) -> bool:
    """A VLAN list as IOS takes it: 10,20,30-40, every id 1-4094, ranges low to high."""
    for part in word.split(","):
        low, _, high = part.partition("-")
        if not _int_in(low, 1, 4094) or (high and (not _int_in(high, 1, 4094) or int(high) < int(low))):
            return False
    return True


def _ports(word: str) -> bool:
    """A FortiOS port range: 80, 1812-1813, or dst:src."""
    for half in word.split(":"):
        low, _, high = half.partition("-")
        if not _int_in(low, 0, 65535) or (high and not _int_in(high, 0, 65535)):
            return False
    return True


VALUES = {
    "word": lambda w: True,
    "ipv4": _ipv4,
    "mask": _mask,
    "wildcard": _wildcard,
    "vlans": _vlans,
    "hex": lambda w: bool(re.fullmatch(r"[0-9A-Fa-f]+", w)),
    "prefix": lambda w: bool(re.fullmatch(r"\d+\.\d+\.\d+\.\d+/\d+", w)) and _network(w),
    "ports": _ports,
    "uuid": lambda w: bool(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", w)),
    "ipv6": lambda w: _parses(ipaddress.IPv6Address, w),
    "ipv6if": lambda w: "/" in w and _parses(ipaddress.IPv6Interface, w),  # address/length
    "ipv6net": lambda w: "/" in w and _parses(ipaddress.IPv6Network, w),
    "ip": lambda w: _ipv4(w) or _parses(ipaddress.IPv6Address, w),  # either family (a BGP neighbour)
}


def _parses(kind: type, word: str) -> bool:
    try:
        kind(word)
    except ValueError:
        return False
    return True


def _network(word: str) -> bool:
    try:
        ipaddress.IPv4Interface(word)
    except ValueError:
        return False
    return True


# --- IOS ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    words: frozenset[str]  # keywords it may be; empty for a value
    value: str = ""  # a VALUES name, "int" or "text"
    low: int = 0
    high: int = 0
    optional: bool = False

    def accepts(self, word: str) -> bool:
        if self.words:
            return word.lower() in self.words
        if self.value == "int":
            return _int_in(word, self.low, self.high)
        return VALUES[self.value](word)


@dataclass(frozen=True)
class Pattern:
    tokens: tuple[Token, ...]
    opens: str | None  # the sub-mode it enters


@dataclass(frozen=True)
class Verdict:
    """One line's fate: accepted (opening `opens`), or refused at `column` (None: incomplete)."""

    ok: bool
    opens: str | None = None
    column: int | None = 0
    mode: str = ""  # the mode the line was taken in (a sub-mode falls back to its parents)


def _token(text: str, types: dict[str, str]) -> list[Token]:
    optional = text.startswith("[") and text.endswith("]")
    text = text[1:-1] if optional else text
    if text in types:  # a named class of keywords or values, e.g. <level>
        return [Token(t.words, t.value, t.low, t.high, optional) for t in _token(types[text], types)]
    match = re.fullmatch(r"<int:(-?\d+)-(-?\d+)>", text)
    if match:
        return [Token(frozenset(), "int", int(match.group(1)), int(match.group(2)), optional)]
    if text.startswith("<") and text.endswith(">"):
        name = text[1:-1]
        if name != "text" and name not in VALUES:
            raise ValueError(f"unknown value type {text}")
        return [Token(frozenset(), name, optional=optional)]
    words = frozenset(w.lower() for w in text.split("|") if not w.startswith("<"))
    values = [w for w in text.split("|") if w.startswith("<")]  # e.g. <level>: a name or a number
    keywords = [Token(words, optional=optional)] if words else []
    return keywords + [_token(f"[{v}]" if optional else v, types)[0] for v in values]


class IosGrammar:
    def __init__(self, data: dict[str, Any]) -> None:
        types = data.get("types", {})
        self.parents: dict[str, str] = data.get("parents", {})
        self.raw: set[str] = set(data.get("raw", []))  # modes whose lines are data (certificate hex)
        self.prompts: dict[str, str] = data.get("prompts", {})
        self._seen: dict[tuple[str, str], Verdict] = {}
        self.modes: dict[str, list[Pattern]] = {}
        for mode, lines in data["modes"].items():
            patterns = []
            for line in lines:
                text, _, opens = line.partition(" => ")
                alternatives: list[list[Token]] = [[]]
                for word in text.split():  # `0|6|<int:...>` mixes keywords and a value: one pattern each
                    alternatives = [[*a, o] for a in alternatives for o in _token(word, types)]
                patterns += [Pattern(tuple(a), opens.strip() or None) for a in alternatives]
            self.modes[mode] = patterns
        # Patterns by their first keyword, so a line is walked only along the commands it can be.
        self.index: dict[str, dict[str, list[Pattern]]] = {}
        self.loose: dict[str, list[Pattern]] = {}
        for mode, patterns in self.modes.items():
            by_word: dict[str, list[Pattern]] = {}
            for pattern in patterns:
                first = pattern.tokens[0]
                if first.words and not first.optional:
                    for word in first.words:
                        by_word.setdefault(word, []).append(pattern)
                else:
                    self.loose.setdefault(mode, []).append(pattern)
            self.index[mode] = by_word

    def chain(self, mode: str) -> list[str]:
        """A sub-mode, then the modes IOS falls back to when a line is not one of its own."""
        out = [mode]
        while out[-1] in self.parents:
            out.append(self.parents[out[-1]])
        return out

    def check(self, mode: str, line: str) -> Verdict:
        key = (mode, line)
        if key not in self._seen:  # configs repeat most lines: port stanzas, VLANs, the baseline
            self._seen[key] = self._check(mode, line)
        return self._seen[key]

    def _check(self, mode: str, line: str) -> Verdict:
        words = [(m.start(), m.group()) for m in re.finditer(r"\S+", line)]
        best = Verdict(False, column=words[0][0] if words else 0)
        furthest = -1
        for each in self.chain(mode):
            if each in self.raw:
                return Verdict(True, mode=each)
            verdict, reached = self._in_mode(each, words, line)
            if verdict.ok:
                return verdict
            if reached > furthest:
                best, furthest = verdict, reached
        return best

    def _in_mode(self, mode: str, words: list[tuple[int, str]], line: str) -> tuple[Verdict, int]:
        texts = [w for _, w in words]
        negated = bool(texts) and texts[0] == "no"
        furthest, incomplete = 0, False
        for start in (1, 0) if negated else (0,):
            first = texts[start].lower() if start < len(texts) else ""
            for pattern in self.index[mode].get(first, []) + self.loose.get(mode, []):
                reached, full, partial = _walk(pattern.tokens, texts, start)
                # `no X` takes any leading part of a command: IOS needs only enough to name it
                if full or (start == 1 and partial and reached > 1):
                    return Verdict(True, None if start == 1 else pattern.opens, mode=mode), len(texts)
                incomplete |= partial and reached == len(texts)
                furthest = max(furthest, reached)
        if incomplete and furthest == len(texts):
            return Verdict(False, column=None, mode=mode), furthest
        column = words[furthest][0] if furthest < len(words) else len(line)
        return Verdict(False, column=column, mode=mode), furthest


def _walk(tokens: tuple[Token, ...], words: list[str], start: int) -> tuple[int, bool, bool]:
    """How far the words go along the pattern: (words matched at best, a full match, ran out of words)."""
    states, seen = [(0, start)], set()
    furthest, full, partial = start, False, False
    while states:
        p, w = states.pop()
        if (p, w) in seen:
            continue
        seen.add((p, w))
        furthest = max(furthest, w)
        if p == len(tokens):
            full |= w == len(words)
            continue
        if w == len(words):
            partial = True
        token = tokens[p]
        if token.optional:
            states.append((p + 1, w))
        if token.value == "text":
            if w < len(words):
                states.append((p + 1, len(words)))
        elif w < len(words) and token.accepts(words[w]):
            states.append((p + 1, w + 1))
    return furthest, full, partial and not full


@dataclass(frozen=True)
class Refused:
    line: str  # as given, indentation included
    parents: tuple[str, ...]
    column: int | None  # where IOS puts its ^ (None: "% Incomplete command.")
    at: tuple[int, int | None]  # block index, body line index (None: the head)


def ios_refusals(grammar: IosGrammar, blocks: list[Any]) -> list[Refused]:
    """Every line of a config (blocks as tests.vendor.ios_config parses them) the device would refuse;
    a block whose head is refused takes its body with it."""
    refused: list[Refused] = []
    for b, block in enumerate(blocks):
        head = grammar.check("global", block.head)
        if not head.ok:
            refused.append(Refused(block.head, (), head.column, (b, None)))
            continue
        if block.head.startswith("banner "):
            continue  # the body is the banner's text
        stack: list[tuple[int, str, str]] = [(0, head.opens or "", block.head)]
        for i, line in enumerate(block.body):
            if not line.strip() or line.strip().startswith("!"):
                continue
            depth = len(line) - len(line.lstrip())
            while len(stack) > 1 and stack[-1][0] >= depth:
                stack.pop()
            mode = stack[-1][1]
            if not mode:
                refused.append(Refused(line, tuple(s[2] for s in stack), 0, (b, i)))
                continue
            verdict = grammar.check(mode, line.strip())
            if not verdict.ok:
                column = None if verdict.column is None else verdict.column + depth
                refused.append(Refused(line, tuple(s[2] for s in stack), column, (b, i)))
            elif verdict.opens:
                stack.append((depth, verdict.opens, line.strip()))
    return refused


def ios_invalid(prompt_width: int, column: int | None) -> str:
    """What IOS prints under a refused line: a ^ under the offending word, or that it stops short."""
    if column is None:
        return "% Incomplete command.\n"
    return " " * (prompt_width + column) + "^\n% Invalid input detected at '^' marker.\n"


@cache
def ios_grammar() -> IosGrammar:
    return IosGrammar(yaml.safe_load((GRAMMARS / "ios.yml").read_text()))


# --- FortiOS --------------------------------------------------------------------------------------------

COMMAND_FAIL = "command parse error before '{}'\nCommand fail. Return code -61\n"
VALUE_FAIL = "value parse error before '{}'\nCommand fail. Return code -651\n"
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')


class FortiGrammar:
    def __init__(self, data: dict[str, Any]) -> None:
        self.types: dict[str, str] = data.get("types", {})
        self.paths: dict[str, dict[str, Any]] = data["paths"]

    def path(self, parent: str | None, name: str) -> tuple[str | None, str]:
        """The config path `config NAME` opens under `parent` (None: top level), or the word FortiOS
        stops at."""
        words = name.split()
        if parent is None:
            if name in self.paths:
                return name, ""
            known = [p.split() for p in self.paths if "/" not in p]
            depth = max((_common(words, k) for k in known), default=0)
            return None, words[min(depth, len(words) - 1)]
        if name in self.paths.get(parent, {}).get("config", []):
            return f"{parent}/{name}", ""
        return None, words[0]

    def table(self, path: str) -> str | None:
        """The key type of a table's entries (`edit`), None when the path is not a table."""
        return self.paths.get(path, {}).get("edit")

    def field(self, path: str, key: str) -> str | None:
        return self.paths.get(path, {}).get("set", {}).get(key)

    def value_error(self, kind: str, value: str) -> str | None:
        """None when FortiOS takes `value` for a field of this kind, else the error it prints."""
        kind = self.types.get(kind, kind)
        tokens = QUOTED.findall(value)
        bare = [t[1:-1] if t.startswith('"') and t.endswith('"') else t for t in tokens]
        if not tokens:
            return COMMAND_FAIL.format("set")
        if kind in ("words", "strings"):
            return None
        if kind == "password":  # ENC <stored form>, or the clear text
            ok = len(tokens) == 1 or (len(tokens) == 2 and tokens[0] == "ENC")
            return None if ok else VALUE_FAIL.format(tokens[-1])
        if kind == "ipmask":  # address and mask, or address/length
            pair = len(bare) == 2 and _ipv4(bare[0]) and _mask(bare[1])
            return None if pair or (len(bare) == 1 and _network(bare[0])) else VALUE_FAIL.format(tokens[0])
        if len(tokens) > 1 and not kind.startswith(("multi:", "list:")) and kind != "ports":
            return VALUE_FAIL.format(tokens[1])
        for token, word in zip(tokens, bare, strict=True):
            error = _value_error(kind, token, word)
            if error:
                return error
        return None


def _value_error(kind: str, token: str, word: str) -> str | None:
    kind = kind.removeprefix("list:")  # one or more values of the kind (rdnss, dhcp6-relay-ip)
    match = re.fullmatch(r"int:(\d+)-(\d+)", kind)
    if match:
        if not word.isdigit():
            return f"invalid unsigned integer value :{word}\n\n" + VALUE_FAIL.format(token)
        ok = int(match.group(1)) <= int(word) <= int(match.group(2))
    elif kind == "string":
        ok = True
    elif kind in VALUES:
        ok = VALUES[kind](word)
    else:  # one of the words (multi: one or more of them)
        ok = word in kind.removeprefix("multi:").split("|")
    return None if ok else VALUE_FAIL.format(token)


def _common(a: list[str], b: list[str]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


@cache
def forti_grammar() -> FortiGrammar:
    return FortiGrammar(yaml.safe_load((GRAMMARS / "fortios.yml").read_text()))
