"""An emulated FortiGate-201F on FortiOS 7.2: the CLI's config/edit/set/unset/delete/move/next/end, `show`
(values at their default hidden, secrets as ENC, subnets as address and mask, uuids), `show
full-configuration`, `get system status|global|console`, and the save modes: automatic, or revert with
`execute cfg save` / `execute cfg reload` and a timeout that reloads the saved config by itself."""

from __future__ import annotations

import base64
import copy
import hashlib
import ipaddress
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.vendor.cli_grammar import COMMAND_FAIL, forti_grammar

if TYPE_CHECKING:
    from tests.vendor.replay import ReplayServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vendor" / "fortios"
HEADER = (
    "#config-version=FG201F-7.02.06-FW-build1575-231003:opmode=0:vdom=0:user={user}\n"
    "#conf_file_ver=84233681092417\n#buildno=1575\n#global_vdom=1\n"
)
SECRETS = {"password", "passwd", "key", "secret", "psksecret", "auth-pwd", "priv-pwd", "api-key"}
UUID_TABLES = {
    "firewall address",
    "firewall addrgrp",
    "firewall address6",
    "firewall addrgrp6",
    "firewall policy",
}
QUOTE_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')
PARSE_ERROR = COMMAND_FAIL


@dataclass
class Obj:
    raw: str
    path: str  # for the defaults table: "system ntp/ntpserver[]" is an entry of a nested table
    settings: dict[str, str] = field(default_factory=dict)
    subs: dict[str, Obj] = field(default_factory=dict)
    entries: dict[str, Obj] = field(default_factory=dict)


def _bare(raw: str) -> str:
    return " ".join(t.strip('"') for t in QUOTE_TOKEN.findall(raw))


class FortiGate:
    def __init__(self, show: str, fixtures: Path = FIXTURES) -> None:
        self.lock = threading.RLock()
        self.fixtures = fixtures
        self.defaults: dict[str, dict[str, str]] = json.loads((fixtures / "defaults.json").read_text())
        self.tree = Obj("", "")
        self.refuse: dict[str, str] = {}  # regex on a typed line → the error the device prints
        self.commands: list[str] = []
        self.reboots = 0
        self.server: ReplayServer | None = None
        self.members: list[FortiGate] = []  # the cluster's secondaries, when this unit is an FGCP primary
        self.idle = 0.0  # seconds since the last input: the revert timeout is an idle timeout
        self.console: list[str] = []  # what the CLI printed on its own (the revert countdown)
        loader = FortiShell(self, "admin")
        for line in _logical(show):
            refused = loader.handle(line) if not line.startswith("#") else ""
            if refused:  # a recorded config the grammar refuses means the grammar is wrong
                raise ValueError(f"the replayed FortiGate refuses its own config: {line.strip()}\n{refused}")
        self.saved = copy.deepcopy(self.tree)
        self.dirty = False
        self.commands.clear()

    def attach(self, server: ReplayServer) -> None:
        self.server = server

    def shell(self, username: str) -> FortiShell:
        return FortiShell(self, username)

    def receive_file(self, path: str, data: bytes) -> str | None:
        return "scp is disabled"

    @property
    def hostname(self) -> str:
        return self.tree.subs["system global"].settings.get("hostname", '"FortiGate-201F"').strip('"')

    def setting(self, path: str, key: str) -> str:
        node = self.tree.subs.get(path)
        value = node.settings.get(key) if node else None
        return value if value is not None else self.defaults.get(path, {}).get(key, "")

    @property
    def mode(self) -> str:
        return self.setting("system global", "cfg-save")

    def block_ended(self, mode_before: str) -> None:
        """Leaving a top-level block applies it; in automatic mode (before or after) it is saved too."""
        if "automatic" in (mode_before, self.mode):
            self.saved, self.dirty = copy.deepcopy(self.tree), False
        else:
            self.dirty = True
        self.sync()
        if not self.dirty:
            for member in self.members:
                member.saved, member.dirty = copy.deepcopy(member.tree), False

    def reload(self) -> None:
        """`execute cfg reload`, or the revert timeout: back to the saved config, every session dropped."""
        self.tree, self.dirty = copy.deepcopy(self.saved), False
        self.reboots += 1
        for member in self.members:  # FD30912: every member reboots onto its saved config, none takes over
            member.tree, member.dirty = copy.deepcopy(member.saved), False
            member.reboots += 1
        if self.server:
            threading.Timer(0.05, self.server.drop_sessions).start()  # after the message is sent

    @property
    def ha_mode(self) -> str:
        return self.setting("system ha", "mode") or "standalone"

    def join(self, secondary: FortiGate) -> None:
        """Make `secondary` a member of this unit's cluster: it takes the primary's config (FGCP sync)."""
        self.members.append(secondary)
        self.sync()
        secondary.saved, secondary.dirty = copy.deepcopy(secondary.tree), False

    def sync(self) -> None:
        """FGCP: the primary's configuration goes to every member at once, saved or not (FD30912)."""
        for member in self.members:
            own = {k: member.tree.subs[k] for k in ("system ha",) if k in member.tree.subs}
            hostname = member.hostname
            member.tree = copy.deepcopy(self.tree)
            member.tree.subs.update(own)
            member.tree.subs["system global"].settings["hostname"] = f'"{hostname}"'
            member.dirty = self.dirty

    def touched(self) -> None:
        """Any input resets the idle clock of the revert timeout."""
        self.idle = 0.0

    def tick(self, seconds: float) -> None:
        """Time passes without input: the last 10 s are counted down, then the revert timeout fires."""
        with self.lock:
            if not (self.dirty and self.mode == "revert"):
                self.idle += seconds
                return
            timeout = int(self.setting("system global", "cfg-revert-timeout") or "600")
            before, self.idle = self.idle, self.idle + seconds
            for left in range(10, 0, -1):
                if before < timeout - left <= self.idle:
                    self.console.append(
                        f"System will reboot if no input is received in the next {left} seconds..."
                    )
            if self.idle >= timeout:
                self.reload()

    def expire_revert_timer(self) -> None:
        with self.lock:
            timeout = int(self.setting("system global", "cfg-revert-timeout") or "600")
            self.tick(timeout - self.idle)

    # --- output ---------------------------------------------------------------------------------------

    def render(self, obj: Obj, full: bool, depth: int = 0) -> list[str]:
        pad = "    " * depth
        settings = dict(obj.settings)
        defaults = self.defaults.get(obj.path, {})
        if full:
            settings |= {k: v for k, v in defaults.items() if k not in settings}
        else:
            settings = {k: v for k, v in settings.items() if defaults.get(k) != v}
        if "uuid" in settings:  # shown after the name of a policy, first otherwise
            uuid_line = settings.pop("uuid")
            items = list(settings.items())
            at = 1 if items and items[0][0] == "name" else 0
            settings = dict([*items[:at], ("uuid", uuid_line), *items[at:]])
        lines = [f"{pad}set {k} {v}" for k, v in settings.items()]
        for sub in obj.subs.values():
            lines += [f"{pad}config {sub.raw}", *self.render(sub, full, depth + 1), f"{pad}end"]
        for entry in obj.entries.values():
            lines += [f"{pad}edit {entry.raw}", *self.render(entry, full, depth + 1), f"{pad}next"]
        return lines

    def show(self, path: str, full: bool, user: str) -> str:
        blocks = (
            self.tree.subs if not path else {path: self.tree.subs[path]} if path in self.tree.subs else {}
        )
        if path and not blocks:
            return PARSE_ERROR.format(path.rsplit(maxsplit=1)[-1])
        if full and not path:  # full-configuration spells out blocks left wholly at their defaults
            blocks = blocks | {
                p: Obj(p, p) for p in self.defaults if p not in blocks and "[" not in p and "/" not in p
            }
            blocks.pop("_comment", None)
        lines = []
        for obj in blocks.values():
            lines += [f"config {obj.raw}", *self.render(obj, full, 1), "end"]
        return (HEADER.format(user=user) if not path else "") + "\n".join(lines) + "\n"


def _logical(text: str) -> list[str]:
    out: list[str] = []
    pending = ""
    for line in text.split("\n"):
        pending = f"{pending}\n{line}" if pending else line
        if pending.count('"') % 2 == 0:
            out.append(pending)
            pending = ""
    return out


def _enc(key: str, value: str) -> str:
    """FortiOS stores secrets encrypted and prints them so: stable per value here."""
    if value.startswith("ENC "):
        return value
    digest = base64.b64encode(hashlib.sha512(value.encode()).digest()).decode()
    return f"ENC SH2{digest[:60]}" if key == "password" else f"ENC {digest}{digest[:24]}"


def _device_value(key: str, value: str) -> str:
    if key in SECRETS:
        return _enc(key, value.strip('"'))
    words = []
    for token in QUOTE_TOKEN.findall(value):
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+/\d+", token):
            net = ipaddress.IPv4Interface(token)
            words += [str(net.ip), str(net.netmask)]
        else:
            words.append(token)
    return " ".join(words)


class FortiShell:
    def __init__(self, device: FortiGate, username: str) -> None:
        self.device = device
        self.username = username
        self.stack: list[Obj] = []  # config and edit frames, outermost first
        self.mode_before = ""

    def greeting(self) -> str:
        return ""

    def prompt(self) -> str:
        host = self.device.hostname
        if not self.stack:
            return f"{host} # "
        label = _bare(self.stack[-1].raw).split()[-1]
        return f"{host} ({label}) # "

    def continues(self, line: str) -> bool:
        return len(re.findall(r'(?<!\\)"', line)) % 2 == 1

    def handle(self, line: str) -> str | None:
        device = self.device
        device.commands.append(line)
        device.touched()
        for pattern, message in device.refuse.items():
            if re.search(pattern, line):
                return message + "\n"
        text, _, pipe = line.strip().partition(" | ")
        word, _, rest = text.partition(" ")
        if not text:
            return ""
        if word in ("config", "edit", "set", "unset", "delete", "move", "next", "end"):
            return self._config(word, rest)
        if text == "exit":
            return None
        if word == "show":
            full = rest.startswith("full-configuration")
            path = rest.removeprefix("full-configuration").strip()
            return _grep(device.show(path, full, self.username), pipe)
        if word == "get":
            return _grep(self._get(rest), pipe)
        if text == "execute cfg save":
            if device.mode == "automatic" or not device.dirty:
                return "no config to be saved.\n"
            device.saved, device.dirty = copy.deepcopy(device.tree), False
            for member in device.members:
                member.saved, member.dirty = copy.deepcopy(member.tree), False
            return "config saved.\n"
        if text == "execute cfg reload":
            if device.mode == "automatic" or not device.dirty:
                return "no config to be reloaded.\n"
            device.reload()
            return "configs reloaded. system will reboot.\n"
        return PARSE_ERROR.format(word)

    def _get(self, what: str) -> str:
        device = self.device
        if what == "system status":
            mode = device.ha_mode
            ha = "standalone" if mode == "standalone" else f"{mode}, primary"
            status = (device.fixtures / "get_system_status.txt").read_text()
            return status.format(hostname=device.hostname, ha_mode=ha)
        if what == "system performance status":
            return (device.fixtures / "get_system_performance_status.txt").read_text()
        if what in ("system global", "system console"):
            path = what
            node = device.tree.subs.get(path) or Obj(path, path)
            values = device.defaults.get(path, {}) | node.settings
            return "".join(f"{k:<24}: {v.strip(chr(34))}\n" for k, v in sorted(values.items()))
        return PARSE_ERROR.format(what.rsplit(maxsplit=1)[-1])

    def _open(self, rest: str) -> str:
        """`config NAME`: a block the grammar knows under the current frame, never inside a bare table."""
        stack, grammar = self.stack, forti_grammar()
        parent = stack[-1] if stack else self.device.tree
        name = _bare(rest)
        if stack and grammar.table(_grammar_path(parent)) and not parent.path.endswith("[]"):
            return COMMAND_FAIL.format("config")  # a table holds entries, not blocks
        known, stop = grammar.path(_grammar_path(parent) if stack else None, name)
        if known is None:
            return COMMAND_FAIL.format(stop)
        if not stack:
            self.mode_before = self.device.mode
        path = name if not stack else f"{parent.path}/{name}"
        stack.append(parent.subs.setdefault(name, Obj(rest, path)))
        return ""

    def _set(self, frame: Obj, rest: str) -> str:
        grammar = forti_grammar()
        key, _, value = rest.partition(" ")
        kind = grammar.field(_grammar_path(frame), key)
        if kind is None or not value:
            return COMMAND_FAIL.format(key if kind is None else "set")
        error = grammar.value_error(kind, value)
        if error:
            return error
        if frame.path == "system interface[]" and key == "member":
            taken = self._taken_ports(frame, value)
            if taken:
                return taken
        frame.settings[key] = _device_value(key, value)
        return ""

    def _taken_ports(self, frame: Obj, value: str) -> str:
        """A port belongs to one aggregate at a time: the factory `fortilink` aggregate holds x1/x2 on
        a 201F, so the core LAG can take them only once fortilink has let them go."""
        table = self.device.tree.subs["system interface"].entries
        wanted = {_bare(t) for t in QUOTE_TOKEN.findall(value)}
        for name, entry in table.items():
            held = {_bare(t) for t in QUOTE_TOKEN.findall(entry.settings.get("member", ""))}
            if entry is not frame and wanted & held:
                port = sorted(wanted & held)[0]
                return f"{port} is a member of {name}\nnode_check_object fail! for member {port}\n" + (
                    "Command fail. Return code -23\n"
                )
        return ""

    def _config(self, word: str, rest: str) -> str:
        stack = self.stack
        grammar = forti_grammar()
        if word == "config":
            return self._open(rest)
        if not stack:
            return COMMAND_FAIL.format(word)
        frame = stack[-1]
        table = grammar.table(_grammar_path(frame)) if not frame.path.endswith("[]") else None
        if word in ("edit", "delete", "move") and table is None:
            return COMMAND_FAIL.format(word)
        if word in ("set", "unset") and table is not None:
            return COMMAND_FAIL.format(word)  # fields belong to an entry, not to the table
        if word == "edit":
            name = _bare(rest)
            error = grammar.value_error(table or "string", rest)
            if error:
                return error
            if name not in frame.entries:
                entry = Obj(rest, frame.path + "[]")
                if frame.path in UUID_TABLES:
                    entry.settings["uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{frame.path}/{name}"))
                frame.entries[name] = entry
            stack.append(frame.entries[name])
            return ""
        if word == "set":
            return self._set(frame, rest)
        if word == "unset":
            if grammar.field(_grammar_path(frame), rest.strip()) is None:
                return COMMAND_FAIL.format(rest.strip())
            frame.settings.pop(rest.strip(), None)
            return ""
        if word == "delete":
            if frame.entries.pop(_bare(rest), None) is None:
                return "entry not found in datasource\nCommand fail. Return code -3\n"
            return ""
        if word == "move":
            match = re.fullmatch(r"(\S+) (before|after) (\S+)", rest)
            names = list(frame.entries)
            if not match or _bare(match.group(1)) not in names or _bare(match.group(3)) not in names:
                return "entry not found in datasource\nCommand fail. Return code -3\n"
            moving = frame.entries.pop(_bare(match.group(1)))
            names = list(frame.entries)
            at = names.index(_bare(match.group(3))) + (match.group(2) == "after")
            items = list(frame.entries.items())
            items.insert(at, (_bare(match.group(1)), moving))
            frame.entries = dict(items)
            return ""
        if word == "next":
            if frame.path.endswith("[]"):
                stack.pop()
            return ""
        # end: out of an entry and its table, or out of a block
        if frame.path.endswith("[]"):
            stack.pop()
        stack.pop()
        if not stack:
            self.device.block_ended(self.mode_before)
        return ""


def _grammar_path(obj: Obj) -> str:
    """The grammar's name for where a frame sits: entries share their table's fields."""
    return obj.path.replace("[]", "")


def _grep(output: str, pipe: str) -> str:
    match = re.fullmatch(r"grep( -i)? (.+)", pipe.strip())
    if not match:
        return output
    flags = re.I if match.group(1) else 0
    return "".join(line + "\n" for line in output.split("\n") if re.search(match.group(2), line, flags))
