"""FortinetDriver: the NAPALM interface over Netmiko's `fortinet` SSH class.

A standalone unit commits with FortiOS's own mechanism: `set cfg-save revert` with `cfg-revert-timeout`,
then the changes (in memory, not saved); confirm is `execute cfg save`, rollback `execute cfg reload` (the
box restarts on the saved config). When the timeout passes unconfirmed, the device does the same by itself.

An FGCP cluster never uses revert mode: Fortinet KB FD30912 ("Technical Tip: cfg-save revert",
https://community.fortinet.com/t5/FortiGate/Technical-Tip-Configuration-revert-option/ta-p/191106) says the
change is synchronised to every member before it is saved and, unconfirmed, *all members reboot* onto the
old config with none taking over: a missed confirm would be a site outage. On a cluster the commit is
instead a config-diff commit with a scripted rollback: before the change, the `show full-configuration`
blocks it touches are kept (the backup); the change is applied and saved normally (automatic), the
cluster synchronises it as any admin change; rollback pushes the diff from the running config back to the
kept blocks - `set`/`unset`/`delete` only, no reload, no reboot (FortiOS Administration Guide 7.2, "HA
cluster config sync": changes made on the primary are synchronised incrementally to the secondaries). A
missed confirm leaves the change in place - seen by the next audit - instead of rebooting the pair; when
the session is cut, the deploy host reconnects (the reserved `ha-mgmt-interfaces` are outside any data
change) and rolls back itself.

HA bring-up is its own step: when the candidate turns a standalone unit into a cluster member, `system ha`
is left out of the (revert-protected) commit and pushed alone after the confirm, so forming the cluster
(which renegotiates the heartbeat and can cut the session) never shares a commit with anything else.
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import Any

from napalm.base import NetworkDriver
from napalm.base.exceptions import (
    CommitConfirmException,
    CommitError,
    ConnectionException,
    MergeConfigException,
    ReplaceConfigException,
)
from netmiko import ConnectHandler

from wardnet.api import host_key_args
from wardnet.platforms import get_platform
from wardnet.platforms.fortios_config import REVERT_KEYS, FortiObject, diff, parse, script, with_defaults

FORTIOS = get_platform("fortios")  # secret forms: the one copy wardnet's audit also reads

ERROR = re.compile(
    r"command parse error|Command fail|node_check_object fail|value parse error|entry not found"
    r"|Unknown action|MUST be set|object check operator error"
)
REVERT_MIN_S = 10  # FortiOS refuses a shorter cfg-revert-timeout
READ_TIMEOUT_S = 120  # `show full-configuration` of a loaded box is several MB


class FortinetDriver(NetworkDriver):
    platform = "fortios"

    def __init__(
        self,
        hostname: str,
        username: str,
        password: str,
        timeout: int = 60,
        optional_args: dict[str, Any] | None = None,
    ) -> None:
        self.hostname = hostname
        self.username = username
        self.password = password
        self.timeout = timeout
        self.optional_args = optional_args or {}
        self.device: Any = None
        self.candidate: str | None = None
        self.replace = True
        self._pending = False
        self._previous = ""  # running config before the last commit, for rollback after a confirm
        self._undo = FortiObject()  # cluster: the full-configuration blocks the pending commit changes
        self._ha_step: FortiObject | None = None  # HA bring-up, pushed alone after the confirm
        self.device_timer = True  # False on a cluster: nothing reverts on the device by itself

    # --- session --------------------------------------------------------------------------------------

    def open(self) -> None:
        key_file = self.optional_args.get("key_file")
        try:
            self.device = ConnectHandler(
                device_type="fortinet",
                host=self.hostname,
                username=self.username,
                password=self.password or None,
                port=int(self.optional_args.get("port", 22)),
                use_keys=bool(key_file),
                key_file=key_file,
                ssh_config_file=self.optional_args.get("ssh_config_file"),
                allow_agent=False,
                conn_timeout=self.timeout,
                auth_timeout=self.timeout,
                banner_timeout=self.timeout,
                timeout=self.timeout,
                **host_key_args(self.optional_args.get("known_hosts")),  # never auto-add
            )
        except Exception as exc:  # netmiko raises several unrelated types; NAPALM wants one
            raise ConnectionException(f"cannot connect to {self.hostname}: {type(exc).__name__}") from exc

    def close(self) -> None:
        if self.device is not None:
            with contextlib.suppress(Exception):  # after a reload the session is already gone
                self.device.disconnect()
        self.device = None

    def is_alive(self) -> dict[str, bool]:
        return {"is_alive": bool(self.device and self.device.is_alive())}

    def _prompt(self) -> str:
        """The prompt at a line start, at top level or in a block: `show` prints the hostname too."""
        return rf"(?:^|\n){re.escape(self.device.base_prompt.strip())}(?: \([^)\n]*\))? [#$] ?$"

    def _run(self, command: str, read_timeout: float = 30) -> str:
        return self.device.send_command(command, expect_string=self._prompt(), read_timeout=read_timeout)

    def cli(self, commands: list[str], encoding: str = "text") -> dict[str, str]:
        return {command: self._run(command) for command in commands}

    # --- getters --------------------------------------------------------------------------------------

    def get_facts(self) -> dict[str, Any]:
        status = dict(re.findall(r"^([\w -]+?)\s*:\s*(.*?)\s*$", self._run("get system status"), flags=re.M))
        model, _, version = status.get("Version", "").partition(" ")
        uptime = self._run("get system performance status | grep Uptime")
        hostname = status.get("Hostname", "")
        return {
            "uptime": float(_seconds(uptime)),
            "vendor": "Fortinet",
            "os_version": version,
            "serial_number": status.get("Serial-Number", ""),
            "model": model,
            "hostname": hostname,
            "fqdn": hostname,
            "interface_list": list(
                parse(self._run("show system interface")).subs.get("system interface", FortiObject()).entries
            ),
        }

    def get_config(
        self, retrieve: str = "all", full: bool = False, sanitized: bool = False, format: str = "text"
    ) -> dict[str, str]:
        """running: `show`, or `show full-configuration` (every default spelt out: the backup to restore
        on another firmware). FortiOS keeps no separate startup config."""
        configs = {"running": "", "startup": "", "candidate": ""}
        if retrieve in ("running", "all"):
            command = "show full-configuration" if full else "show"
            configs["running"] = self._run(command, read_timeout=READ_TIMEOUT_S).strip() + "\n"
        if retrieve in ("candidate", "all"):
            configs["candidate"] = self.candidate or ""
        if sanitized:
            configs = {k: FORTIOS.redact(v) for k, v in configs.items()}
        return configs

    # --- candidate ------------------------------------------------------------------------------------

    def load_replace_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        self._load(filename, config, replace=True)

    def load_merge_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        self._load(filename, config, replace=False)

    def _load(self, filename: str | None, config: str | None, replace: bool) -> None:
        text = Path(filename).read_text() if filename else config
        if not text or not parse(text).subs:
            error = ReplaceConfigException if replace else MergeConfigException
            raise error("the candidate holds no `config` block")
        self.candidate, self.replace = text, replace

    def discard_config(self) -> None:
        self.candidate = None

    def _running(self, candidate: FortiObject | None = None) -> tuple[FortiObject, str]:
        shown, full = self._shown_and_full()
        return with_defaults(parse(shown), full, candidate or parse(self.candidate or "")), shown

    def _shown_and_full(self) -> tuple[str, FortiObject]:
        shown = self._run("show", read_timeout=READ_TIMEOUT_S)
        return shown, parse(self._run("show full-configuration", read_timeout=READ_TIMEOUT_S))

    def _ha_mode(self) -> str:
        """`Current HA mode` of `get system status`: `standalone`, or `a-p, primary` in a cluster."""
        found = re.search(r"^Current HA mode:\s*(.+?)\s*$", self._run("get system status"), flags=re.M)
        return found.group(1) if found else "standalone"

    def compare_config(self) -> str:
        if self.candidate is None:
            return ""
        running, _ = self._running()
        return diff(running, parse(self.candidate), self.replace)

    # --- commit ---------------------------------------------------------------------------------------

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        if message:
            raise NotImplementedError("FortiOS keeps no commit message")
        if self.candidate is None:
            raise CommitError("no candidate loaded")
        if self.has_pending_commit():
            raise CommitError("a commit is already waiting for confirmation")
        candidate = parse(self.candidate)
        self.device_timer = self._ha_mode() == "standalone"
        if not self.device_timer:
            self._commit_cluster(candidate, revert_in is not None)
            return
        ha = candidate.subs.get("system ha")
        if revert_in is not None and ha is not None and ha.settings.get("mode", "standalone") != "standalone":
            del candidate.subs["system ha"]  # bring-up is its own step, after the confirm
            self._ha_step = FortiObject(subs={"system ha": ha})
        shown, full = self._shown_and_full()
        running, self._previous = with_defaults(parse(shown), full, candidate), shown
        blocks = script(running, candidate, self.replace)
        if revert_in is not None:
            self._push(
                [
                    "config system global",
                    "    set cfg-save revert",
                    f"    set cfg-revert-timeout {max(int(revert_in), REVERT_MIN_S)}",
                    "end",
                ]
            )
            self._pending = True
        errors = [line for block in blocks for line in self._push(block)]
        if errors:
            reverted = self._reload() if self._pending else ""
            raise CommitError("the device refused: " + "; ".join(errors[:5]) + reverted)
        self.candidate = None

    def _commit_cluster(self, candidate: FortiObject, confirmed: bool) -> None:
        """Config-diff commit on an FGCP cluster: keep what the change touches, apply, never revert mode."""
        shown, full = self._shown_and_full()
        self._previous = shown
        running = with_defaults(parse(shown), full, candidate)
        self._undo = FortiObject(
            subs={name: full.subs.get(name, FortiObject(sub.raw)) for name, sub in candidate.subs.items()}
        )
        if "system global" in self._undo.subs:  # the rollback never switches revert mode back on
            undo = self._undo.subs["system global"]
            undo.settings = {k: v for k, v in undo.settings.items() if k not in REVERT_KEYS}
        blocks = script(running, candidate, self.replace)
        if running.subs.get("system global", FortiObject()).settings.get("cfg-save") == "revert":
            blocks.insert(0, ["config system global", "    set cfg-save automatic", "end"])
        self._pending = confirmed
        errors = [line for block in blocks for line in self._push(block)]
        if errors:
            undone = self._restore() if confirmed else ""
            raise CommitError("the device refused: " + "; ".join(errors[:5]) + undone)
        self.candidate = None

    def _restore(self) -> str:
        """Scripted rollback on a cluster: the diff from running back to the kept blocks, no reload."""
        if not self.is_alive()["is_alive"]:
            self.open()
        shown, full = self._shown_and_full()
        blocks = script(with_defaults(parse(shown), full, self._undo), self._undo, True, full_scope=False)
        errors = [line for block in blocks for line in self._push(block)]
        self._pending = False
        if errors:
            raise CommitError("the rollback was refused: " + "; ".join(errors[:5]))
        return "; rolled back by config diff (cluster: no reload)"

    def _push(self, lines: list[str]) -> list[str]:
        """Paste one block and read to the top-level prompt (no parenthesis) that follows its `end`; the
        prompt may carry a new hostname. Returns the device's complaints, secrets redacted."""
        self.device.write_channel("\n".join(lines) + "\n")
        output = self.device.read_until_pattern(
            pattern=r"\n[^\n(]*[^\n( ] [#$] ?$", read_timeout=max(30, len(lines) / 10)
        )
        prompt = output.rstrip().rsplit("\n", 1)[-1].rstrip("#$ ")
        if prompt:  # a new hostname changes the prompt; find_prompt() would cost a quarter second a block
            self.device.base_prompt = prompt
        return [FORTIOS.redact_line(line.strip()) for line in output.split("\n") if ERROR.search(line)]

    def has_pending_commit(self) -> bool:
        if not self._pending:
            return False
        if not self.device_timer:  # a cluster's pending commit lives here, not on the device
            return True
        mode = self._run("get system global | grep cfg-save")
        self._pending = "revert" in mode
        return self._pending

    def confirm_commit(self) -> None:
        if not self.has_pending_commit():
            raise CommitConfirmException("no commit waiting for confirmation")
        if not self.device_timer:  # saved already (automatic): confirming drops the rollback
            self._pending, self._undo = False, FortiObject()
            return
        saved = self._run("execute cfg save")
        if "config saved" not in saved and "no config to be saved" not in saved:
            raise CommitConfirmException(f"execute cfg save answered: {saved.strip()[:200]}")
        # Back to automatic saves: an operator's later change must not be reverted behind their back.
        self._push(
            ["config system global", "    set cfg-save automatic", "    unset cfg-revert-timeout", "end"]
        )
        self._pending = False
        if self._ha_step is not None:  # HA bring-up, alone, once the rest is confirmed and saved
            step, self._ha_step = self._ha_step, None
            blocks = script(self._running(step)[0], step, full_scope=False)  # only `system ha`
            errors = [line for block in blocks for line in self._push(block)]
            if errors:
                raise CommitError("HA bring-up refused: " + "; ".join(errors[:5]))

    def rollback(self) -> None:
        if self._pending and not self.device_timer:
            self._restore()
            return
        if self.has_pending_commit():
            self._reload()
            return
        if not self._previous:
            raise CommitError("nothing to roll back to")
        self.candidate, self.replace = self._previous, True
        self.commit_config()

    def _reload(self) -> str:
        """`execute cfg reload`: the unit restarts on its saved config and drops every session."""
        self.device.write_channel("execute cfg reload\n")
        deadline = time.monotonic() + 10
        output = ""
        with contextlib.suppress(Exception):
            while time.monotonic() < deadline and "reboot" not in output:
                output += self.device.read_channel()
                if "(y/n)" in output:
                    self.device.write_channel("y\n")
                    output = output.replace("(y/n)", "")
                time.sleep(0.05)
        self._pending = False
        self.close()
        return "; the unit reloads its saved config" if "reboot" in output else ""


def _seconds(uptime: str) -> int:
    units = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}
    found = re.findall(r"(\d+)\s+(day|hour|minute|second)s?", uptime)
    return sum(int(n) * units[u] for n, u in found) if found else -1
