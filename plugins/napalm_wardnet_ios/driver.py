"""WardnetIOSDriver: napalm `ios`, with a replace that a Catalyst accepts and a diff that settles.

napalm 5.2 `ios` already does the commit we want: `configure replace flash:<file> force revert trigger
error timer N`, `configure confirm`, `configure revert now`, `show archive config rollback timer`. What it
lacks is the fit between a rendered config and a real box (see wardnet/platforms/cisco_iosxe_candidate.py),
a guard against a candidate that removes what the next deploy needs (refused at load, so a dry run reports
it), and revert_in in seconds that are not whole minutes.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from napalm.base.exceptions import ReplaceConfigException
from napalm.ios.ios import IOSDriver

from wardnet.api import host_key_args
from wardnet.platforms import REDACTED, get_platform
from wardnet.platforms.cisco_iosxe_candidate import blocks, complete, for_replace, quiet_diff

IOSXE = get_platform("cisco_iosxe")

TIMER_MIN_S, TIMER_MAX_S = 60, 7200  # IOS counts the revert timer in minutes, 1 to 120
SNMP_USER_KEYS = re.compile(r"^(snmp-server user \S+ \S+ v3 auth \S+) \S+ (priv (?:aes \d+|3des|des)) \S+")


def _redact(line: str) -> str:
    """A diff line with its secret values replaced, whatever their form (never in a diff, DESIGN.md)."""
    text = line.lstrip(" ")
    sign = text[:1] if text[:1] in ("+", "-") else ""
    mark, text = line[: len(line) - len(text)] + sign, text[len(sign) :]
    text = SNMP_USER_KEYS.sub(rf"\1 {REDACTED} \2 {REDACTED}", text)
    return mark + IOSXE.redact_line(text)


class WardnetIOSDriver(IOSDriver):
    def __init__(
        self,
        hostname: str,
        username: str,
        password: str,
        timeout: int = 60,
        optional_args: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(hostname, username, password, timeout=timeout, optional_args=optional_args)
        # napalm hands these to Netmiko: RejectPolicy with the store loaded, never auto-add
        self.netmiko_optional_args.update(host_key_args((optional_args or {}).get("known_hosts")))
        self.candidate_text = ""

    def load_replace_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        text = Path(filename).read_text() if filename else config or ""
        running = self.get_config(retrieve="running")["running"]
        self.candidate_text = complete(text, running)
        self._refuse_self_lockout()  # before anything is copied: a dry run says so too
        super().load_replace_candidate(config=for_replace(self.candidate_text))

    def compare_config(self) -> str:
        diff = super().compare_config()
        if not self.config_replace or not diff:
            return diff
        quiet = quiet_diff(diff, self._snmp_users())
        return "\n".join(_redact(line) for line in quiet.split("\n")) if quiet else ""

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        if revert_in is not None:  # whole minutes, never shorter than asked
            revert_in = min(max(60 * math.ceil(revert_in / 60), TIMER_MIN_S), TIMER_MAX_S)
        super().commit_config(message=message, revert_in=revert_in)

    def _snmp_users(self) -> dict[str, str]:
        output = self._send_command("show snmp user")
        names = re.findall(r"^User name: (\S+)", output, flags=re.M)
        groups = re.findall(r"^Group-name: (\S+)", output, flags=re.M)
        return dict(zip(names, groups, strict=False))

    def _refuse_self_lockout(self) -> None:
        """A replace that drops the archive disables the revert timer of every later commit; one that drops
        `ip scp server enable` makes the next deploy unable to copy its candidate."""
        parts = blocks(self.candidate_text)
        heads = {b[0] for b in parts}
        missing = []
        if not any(b[0] == "archive" and any(x.strip().startswith("path ") for x in b[1:]) for b in parts):
            missing.append("archive / path flash:archive (the revert timer needs the archive)")
        if not self.inline_transfer and "ip scp server enable" not in heads:
            missing.append("ip scp server enable (the next deploy copies its candidate with SCP)")
        if missing:
            raise ReplaceConfigException(
                "refusing to commit a candidate without " + "; ".join(missing) + ": add it to the template"
            )
