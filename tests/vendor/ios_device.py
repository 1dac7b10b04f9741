"""An emulated Catalyst 9300X stack on IOS-XE 17.9, enough for NAPALM ios: show commands from recorded
output, files on flash (SCP), `configure replace ... revert trigger error timer N`, `configure confirm`,
`configure revert now`, `show archive config differences`, `file prompt quiet`."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.vendor.cli_grammar import ios_grammar, ios_invalid, ios_refusals
from tests.vendor.ios_config import (
    PHYSICAL,
    VTY_FACTORY,
    Block,
    contextual_diff,
    device_form,
    parse,
    render,
    shown,
    tree,
)

if TYPE_CHECKING:
    from tests.vendor.replay import ReplayServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vendor" / "ios"
FLASH_TOTAL, FLASH_FREE = 11353194496, 8916172800
CLOCK = "10:15:02 ICT Mon Apr 1 2024"  # the recorded box's clock: fixed, so outputs are stable
INVALID = "                ^\n% Invalid input detected at '^' marker.\n"  # an exec command it does not know


@dataclass
class Pending:
    previous: list[Block]
    user: str
    minutes: int


class IosDevice:
    def __init__(self, running: str, fixtures: Path = FIXTURES) -> None:
        self.lock = threading.RLock()
        self.fixtures = fixtures
        self.snmp_users: dict[str, str] = {}
        self.snmp_protocols: dict[str, tuple[str, str]] = {}  # name → (auth, priv) as `show snmp user` says
        refused = ios_refusals(ios_grammar(), parse(running, shown=True))
        if refused:  # a recorded config the grammar refuses means the grammar is wrong
            raise ValueError(f"the replayed Catalyst refuses its own config: {refused[0].line.strip()}")
        self.running = device_form(parse(running, shown=True), self.snmp_users, self.snmp_protocols)
        self.startup = render(shown(self.running))
        self.flash: dict[str, bytes] = {}
        self.pending: Pending | None = None
        self.changed_by = "admin"
        self.commands: list[str] = []  # every command typed, for the tests to read
        self.server: ReplayServer | None = None

    def attach(self, server: ReplayServer) -> None:
        self.server = server

    def shell(self, username: str) -> IosShell:
        return IosShell(self, username)

    def receive_file(self, path: str, data: bytes) -> str | None:
        if not path.startswith("flash:"):
            return f"scp: {path}: No such file or directory"
        self.flash[_flash_path(path)] = data
        return None

    # --- state --------------------------------------------------------------------------------------

    @property
    def hostname(self) -> str:
        return next((b.head.split()[1] for b in self.running if b.head.startswith("hostname ")), "Switch")

    def running_text(self) -> str:
        body = render(shown(self.running)) + "\nend\n"
        return (
            f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n!\n"
            f"! Last configuration change at {CLOCK} by {self.changed_by}\n"
            f"! NVRAM config last updated at {CLOCK} by {self.changed_by}\n!\n{body}"
        )

    def has(self, head: str) -> Block | None:
        return next((b for b in self.running if b.head == head), None)

    def expire_revert_timer(self) -> None:
        """The rollback timer runs out: the device puts its previous config back by itself."""
        with self.lock:
            if self.pending:
                self.running, self.pending = self.pending.previous, None

    def replace(self, path: str, user: str, revert_on_error: bool, minutes: int | None) -> str:
        data = self.flash.get(_flash_path(path))
        if data is None:
            return f"%Error opening {path} (No such file or directory)\n"
        users = dict(self.snmp_users)
        given = parse(data.decode())
        # A line the parser refuses is a failed command, listed as typed (under its block's head).
        refusals = ios_refusals(ios_grammar(), given)
        refused = ["\n".join([*r.parents, r.line]) for r in refusals]
        candidate = device_form(_without(given, {r.at for r in refusals}), users, self.snmp_protocols)
        heads = {b.head for b in candidate}
        # What a Catalyst cannot negate: a physical port, a provisioned stack member (config guide,
        # "Restrictions for Configuration Replace"). Each one is a failed command.
        failed = [
            b.head
            for b in self.running
            if (PHYSICAL.match(b.head) or b.head.startswith("switch ")) and b.head not in heads
        ]
        # A line range 17.9 always has (vty 0-31) cannot go: a replace without it leaves its factory lines.
        candidate += [
            Block(b.head, list(VTY_FACTORY))
            for b in self.running
            if b.head.startswith("line vty ") and b.head not in heads
        ]
        # Leaving VTP server mode in the same replace: the VLANs the first pass wrote went to vlan.dat, the
        # second pass finds them missing from the running config and applies them again.
        passes = 2 if _vtp_left(self.running, candidate) and any(_is_vlan(b) for b in candidate) else 1
        warnings = "Setting device to VTP Transparent mode for VLANS.\n" if passes > 1 else ""
        report = f"{warnings}Total number of passes: {passes}\nRollback Done\n"
        if failed or refused:
            lines = "\n".join(
                [*refused, *(f"{h}\nno {h}" if h.startswith("interface") else f"no {h}" for h in failed)]
            )
            report += (
                "\nThe following commands are failed to apply to the IOS image.\n********\n"
                f"{lines}\n********\n"
            )
            if revert_on_error:
                return report + (
                    "Rollback aborted due to error. Reverting back to original configuration...\n"
                    "Total number of passes: 1\nRollback Done\n"
                    "The original configuration has been successfully restored.\n"
                )
            # The port stays, stripped of its sub-commands; the member stays as it was.
            candidate += [
                Block(b.head) if b.head.startswith("interface") else b
                for b in self.running
                if b.head in failed
            ]
        previous = self.running
        self.running, self.snmp_users, self.changed_by = candidate, users, user
        if minutes:
            self.pending = Pending(previous, user, minutes)
        return report


def _transparent(blocks: list[Block]) -> bool:
    return any(b.head in ("vtp mode transparent", "vtp mode off") for b in blocks)


def _vtp_left(before: list[Block], after: list[Block]) -> bool:
    """The replace takes the box out of VTP server mode (VLANs hidden) into transparent or off."""
    return not _transparent(before) and _transparent(after)


def _is_vlan(block: Block) -> bool:
    return re.fullmatch(r"vlan [\d,-]+", block.head) is not None


def _without(blocks: list[Block], refused: set[tuple[int, int | None]]) -> list[Block]:
    """The config as applied: a refused head drops its block, a refused sub-command its line."""
    return [
        Block(block.head, [line for i, line in enumerate(block.body) if (b, i) not in refused])
        for b, block in enumerate(blocks)
        if (b, None) not in refused
    ]


def _flash_path(path: str) -> str:
    return "flash:/" + path.removeprefix("flash:").lstrip("/")


class IosShell:
    def __init__(self, device: IosDevice, username: str) -> None:
        self.device = device
        self.username = username
        self.config_mode = False
        self.mode = "global"  # the configuration sub-mode the session is in
        self.block: Block | None = None  # the block that sub-mode edits
        self.question: str | None = None  # a copy waiting for "Destination filename [...]?"
        self.confirm: tuple[str, bool, int | None] | None = None  # a replace without `force`, asking

    def greeting(self) -> str:
        return "\n"

    def prompt(self) -> str:
        if not self.config_mode:
            return f"{self.device.hostname}#"
        mode = ios_grammar().prompts.get(self.mode, f"config-{self.mode}")
        return f"{self.device.hostname}({mode})#"

    def continues(self, line: str) -> bool:
        return False

    def handle(self, line: str) -> str | None:
        self.device.commands.append(line)
        if self.question is not None:
            source, self.question = self.question, None
            return self._copy(source, line.strip() or "")
        if self.confirm is not None:
            (path, revert, minutes), self.confirm = self.confirm, None
            if line.strip().lower() not in ("y", "yes"):
                return ""  # IOS's answer is [no]: nothing is replaced
            return self.device.replace(path, self.username, revert, minutes)
        if self.config_mode:
            return self._configure(line.strip())
        command, _, pipe = line.strip().partition(" | ")
        output = self._exec(command)
        if output is None:
            return None
        include = re.match(r"(?:include|inc|i) (.+)", pipe)
        if include:
            output = "\n".join(x for x in output.split("\n") if re.search(include.group(1), x)) + "\n"
        return output

    def _configure(self, line: str) -> str:
        device = self.device
        if line == "end" or (line == "exit" and self.block is None):
            self.config_mode, self.mode, self.block = False, "global", None
            return ""
        if line == "exit":
            self.mode, self.block = "global", None
            return ""
        if not line:
            return ""
        verdict = ios_grammar().check(self.mode, line)
        if not verdict.ok:
            return ios_invalid(len(self.prompt()), verdict.column)
        negated = line.startswith("no ")
        if verdict.mode == "global" or self.block is None:  # IOS leaves a sub-mode for a global command
            self.mode, self.block = "global", None
            if negated:
                device.running = [b for b in device.running if b.head != line[3:]]
                return ""
            block = device.has(line)
            if block is None:
                block = Block(line)
                device.running.append(block)
            if verdict.opens:
                self.mode, self.block = verdict.opens, block
            return ""
        if negated:
            self.block.body = [b for b in self.block.body if b.strip() != line[3:]]
        elif f" {line}" not in self.block.body:
            self.block.body.append(f" {line}")
        if verdict.opens:
            self.mode = verdict.opens
        return ""

    def _exec(self, command: str) -> str | None:
        device = self.device
        words = command.split()
        if not words or re.fullmatch(r"terminal (width|length) \d+|enable|terminal no monitor", command):
            return ""
        if command in ("exit", "logout", "quit"):
            return None
        if command in ("configure terminal", "conf t"):
            self.config_mode = True
            return "Enter configuration commands, one per line.  End with CNTL/Z.\n"
        if command == "show version":
            return (device.fixtures / "show_version.txt").read_text().format(hostname=device.hostname)
        if command == "show hosts":
            return self._show_hosts()
        if command == "show ip interface brief":
            return self._ip_brief()
        if command == "show running-config":
            return device.running_text()
        if command == "show startup-config":
            return f"Using {len(device.startup)} out of 2097152 bytes\n!\n{device.startup}\nend\n"
        if command == "show archive":
            return self._show_archive()
        if command == "show archive config rollback timer":
            pending = device.pending
            if pending is None:
                return "%No Rollback Confirmed Change pending\n"
            return (
                f"Time configured(or Reset): {CLOCK}\nTimer type: Revert timer\n"
                f"Timer value: {pending.minutes} min\nUser: {pending.user}\n"
            )
        match = re.fullmatch(r"show archive config differences (\S+) (\S+)", command)
        if match:
            return self._differences(match.group(1), match.group(2))
        if command == "show snmp user":  # format: ntc-templates tests/cisco_ios/show_snmp_user/*.raw
            protocols = device.snmp_protocols
            return "".join(
                f"\nUser name: {name}\nEngine ID: 800000090300A0B1C2D3E4F5\nstorage-type: nonvolatile\t "
                f"active\nAuthentication Protocol: {protocols.get(name, ('SHA', ''))[0]}\n"
                f"Privacy Protocol: {protocols.get(name, ('', 'AES256'))[1]}\nGroup-name: {group}\n"
                for name, group in device.snmp_users.items()
            )
        if words[0] == "dir":
            return self._dir(words[1] if len(words) > 1 else "flash:")
        match = re.fullmatch(r"verify /md5 (\S+)", command)
        if match:
            return self._md5(match.group(1))
        match = re.fullmatch(r"copy (\S+) (\S+)", command)
        if match:
            if "file prompt quiet" in {b.head for b in device.running}:
                return self._copy(match.group(1), match.group(2))
            self.question = match.group(1)
            return f"Destination filename [{match.group(2).rsplit('/', 1)[-1]}]? "
        match = re.fullmatch(
            r"configure replace (\S+)( force)?( revert trigger error)?(?: timer (\d+)| time (\d+))?", command
        )
        if match:
            minutes = match.group(4) or match.group(5)
            args = (match.group(1), bool(match.group(3)), int(minutes) if minutes else None)
            if not match.group(2):  # without `force` IOS asks first, and [no] is the default
                self.confirm = args
                return (
                    "This will apply all necessary additions and deletions\nto replace the current running "
                    "configuration with the\ncontents of the specified configuration file, which is\n"
                    "assumed to be a complete configuration, not a\npartial configuration. Enter Y if you "
                    "are sure you want to proceed. ? [no]: "
                )
            return device.replace(args[0], self.username, args[1], args[2])
        if command == "configure confirm":
            if device.pending is None:
                return "%No Rollback Confirmed Change pending\n"
            device.pending = None
            return ""
        if command == "configure revert now":
            if device.pending is None:
                return "%No Rollback Confirmed Change pending\n"
            device.running, device.pending = device.pending.previous, None
            return "Total number of passes: 1\nRollback Done\n"
        if command in ("write mem", "write memory", "copy running-config startup-config"):
            device.startup = render(shown(device.running))
            return "Building configuration...\n[OK]\n"
        return INVALID

    def _copy(self, source: str, destination: str) -> str:
        device = self.device
        if source == "running-config":
            data = (render(shown(device.running)) + "\nend\n").encode()
        elif source == "null:":
            data = b""
        elif _flash_path(source) in device.flash:
            data = device.flash[_flash_path(source)]
        else:
            return f"%Error opening {source} (No such file or directory)\n"
        if destination == "running-config":  # a merge: each refused line is reported, the rest applied
            given = parse(data.decode())
            refusals = ios_refusals(ios_grammar(), given)
            applied = _without(given, {r.at for r in refusals})
            device.running += [b for b in device_form(applied, device.snmp_users, device.snmp_protocols)]
            errors = "".join(f"{r.line}\n{ios_invalid(0, r.column)}" for r in refusals)
            return errors + f"{len(data)} bytes copied in 0.121 secs ({len(data) * 8} bytes/sec)\n"
        else:
            device.flash[_flash_path(destination)] = data
        return f"{len(data)} bytes copied in 0.121 secs ({len(data) * 8} bytes/sec)\n"

    def _differences(self, base: str, new: str) -> str:
        device = self.device
        sides = []
        for path in (base, new):
            if path in ("system:running-config", "system:/running-config"):
                sides.append(shown(device.running))
            elif _flash_path(path) in device.flash:
                sides.append(parse(device.flash[_flash_path(path)].decode()))  # read as a replace reads it
            else:
                return f"%Error opening {path} (No such file or directory)\n"
        lines = contextual_diff(tree(sides[0]), tree(sides[1]))
        if not lines:
            return "!Contextual Config Diffs:\n!No changes were found\n"
        return "!Contextual Config Diffs:\n" + "\n".join(lines) + "\n"

    def _show_archive(self) -> str:
        archive = self.device.has("archive")
        if archive is None or not any(b.strip().startswith("path ") for b in archive.body):
            return "Archive feature not enabled\n"
        return (
            "The maximum archive configurations allowed is 14.\n"
            "The next archive file will be named flash:archive-Apr--1-10-15-02.117-ICT-2\n"
            " Archive #  Name\n   1        flash:archive-Jan--8-09-58-41.873-ICT-0\n"
            "   2        flash:archive-Jan--8-10-02-13.402-ICT-1 <- Most Recent\n"
        )

    def _dir(self, path: str) -> str:
        files = self.device.flash
        if path in ("flash:", "flash:/"):
            rows = "".join(
                f"{475137 + i:>7}  -rw-{len(data):>17}  Apr 1 2024 10:15:02 +07:00  {name[7:]}\n"
                for i, (name, data) in enumerate(sorted(files.items()))
            )
            return f"Directory of flash:/\n\n{rows}\n{FLASH_TOTAL} bytes total ({FLASH_FREE} bytes free)\n"
        data = files.get(_flash_path(path))
        if data is None:
            return f"%Error opening {path} (No such file or directory)\n"
        name = path.rsplit("/", 1)[-1]
        return (
            f"Directory of {path}\n\n 475137  -rw-{len(data):>17}  Apr 1 2024 10:15:02 +07:00  {name}\n\n"
            f"{FLASH_TOTAL} bytes total ({FLASH_FREE} bytes free)\n"
        )

    def _md5(self, path: str) -> str:
        data = self.device.flash.get(_flash_path(path))
        if data is None:
            return f"%Error opening {path} (No such file or directory)\n"
        digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
        return f"{'.' * 23}MD5 of {path} Done!\nverify /md5 ({path}) = {digest}\n"

    def _show_hosts(self) -> str:
        heads = [b.head for b in self.device.running]
        domain = next((h.split()[-1] for h in heads if h.startswith("ip domain name ")), None)
        servers = ", ".join(h.split()[-1] for h in heads if h.startswith("ip name-server "))
        return (
            ("Default domain is " + domain if domain else "Default domain is not set")
            + "\nName/address lookup uses domain service\n"
            + (f"Name servers are {servers}\n" if servers else "Name servers are 255.255.255.255\n")
            + "\nCodes: UN - unknown, EX - expired, OK - OK, ?? - revalidate\n"
            "       temp - temporary, perm - permanent\n       NA - Not Applicable None - Not defined\n\n"
            "Host                      Port  Flags      Age Type   Address(es)\n"
        )

    def _ip_brief(self) -> str:
        rows = ["Interface              IP-Address      OK? Method Status                Protocol"]
        for block in self.device.running:
            if not block.head.startswith("interface "):
                continue
            address = next((b.split()[2] for b in block.body if b.startswith(" ip address ")), "unassigned")
            down = " shutdown" in block.body
            status = "administratively down down    " if down else "up                    up      "
            name = block.head.split()[1]
            method = "NVRAM" if address != "unassigned" else "unset"
            rows.append(f"{name:<22} {address:<15} YES {method:<6} {status}")
        return "\n".join(rows) + "\n"
