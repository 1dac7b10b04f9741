"""FortiOS (FortiGate): deployed by napalm `fortinet` (a replace written as commands), audited per block."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from wardnet.platforms import fortios_config as tree
from wardnet.platforms.base import ON_DEVICE, REDACTED, PlatformDriver, Texts, rules

if TYPE_CHECKING:
    from wardnet.checks.expect import Expect, Violation


def _alternatives(words: frozenset[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words))


# A line of the CLI's own structure: inside a quoted value it means the quote was never closed.
STRUCTURE = re.compile(r'\s*(?:config [a-z0-9-]+(?: [a-z0-9-]+)*|edit (?:"[^"]*"|\d+)|end|next)$')


def _unbalanced_quote(text: str) -> str:
    """A quoted value may span lines (a banner, a certificate), but FortiOS writes a quote inside a value as
    `\\"`, so one that runs over a `config`/`edit`/`next`/`end` line was never closed: a hand edit (the public
    6.2.3 sample has `set service ""HTTPS" "HTTP"`), which would hide every block up to the next quote."""
    number = 1
    for line in tree.logical_lines(text.replace("\r", "")):
        parts = line.split("\n")
        for offset, part in enumerate(parts[1:], start=1):
            if STRUCTURE.match(part):
                return (
                    f"line {number}: the quote opened here is still open at line {number + offset} "
                    f"(`{part.strip()}`), so the blocks between would go unread; FortiOS writes a quote "
                    'inside a value as \\", fix the value'
                )
        number += len(parts)
    return ""


def _blocks(node: tree.FortiObject) -> str:
    lines = []
    for sub in node.subs.values():
        lines += [f"config {sub.raw}", *tree.render(sub, 1), "end"]
    return "".join(line + "\n" for line in lines)


class FortiOS(PlatformDriver):
    name = "fortios"
    extension = "conf"
    config_marks = ("config ",)
    cis_prefix = "CIS-FGT-"
    roles = ("firewall",)
    ansible_network_os = "fortinet.fortios.fortios"
    napalm_driver = "fortinet"

    secret_forms = ((re.compile(rf"^(\s*set (?:{_alternatives(tree.SECRET_KEYS)})) .*$"), rf"\1 {REDACTED}"),)
    value_forms = (
        (re.compile(rf"^(\s*set (?:{_alternatives(tree.SECRET_KEYS)}) ENC) \S+$"), rf"\1 {ON_DEVICE}"),
    )
    volatile = re.compile(rf"^\s*(#\w[\w-]*=|set (?:{_alternatives(tree.VOLATILE_KEYS)}) )")
    closer = re.compile(r"^\s*(next|end)$")
    top_rules = rules(
        (r"^config (system admin|system api-user|system accprofile|user |system password-policy)", "aaa"),
        (r"^config (system global|system replacemsg admin|system interface-admin)", "management"),
        (r"^config (firewall |ips |antivirus |webfilter |application )", "firewall"),
        (r"^config log ", "logging"),
        (r"^config system ntp", "ntp"),
        (r"^config system snmp", "snmp"),
        (r"^config (router |system gre-tunnel)", "routing"),
        (r"^config system dhcp ", "dhcp"),
        (r"^config system (interface|switch-interface|zone)", "interfaces"),
    )
    reads_defaults = True

    def evaluate(self, text: str, expect: Expect, role: str) -> list[Violation]:
        from wardnet.checks.parse import parse_fortios
        from wardnet.checks.rules_fortios import RULES

        return RULES.evaluate(parse_fortios(text), expect, role)

    def unread_layout(self, text: str) -> str:
        """A top-level `config global` is printed by a multi-VDOM FortiGate only: its settings then sit under
        `config global` and each VDOM's under `config vdom` / `edit NAME` (a real FortiOS 6.2.3 `show`,
        tests/fixtures/public/fortigate-vm64_fortios-6.2.3_show_1.conf), where the rules, reading one VDOM
        as wardnet renders it, would miss every policy."""
        for number, line in enumerate(text.splitlines(), start=1):
            if line.rstrip() == "config global":
                return (
                    f"line {number}: `config global` makes this a multi-VDOM FortiOS config; the rule pack "
                    "reads one VDOM's config as wardnet renders it (its policies would go unread): check the "
                    "output of `config vdom` / `edit NAME` / `show` for each VDOM"
                )
        return _unbalanced_quote(text)

    def logical_lines(self, text: str) -> list[str]:
        """A value in quotes over several lines (a banner) is one line, its breaks written `\\n`."""
        return [line.replace("\n", "\\n") for line in tree.logical_lines(text.replace("\r", ""))]

    def device_forms(self, intended: str, running: str, defaults: str = "") -> tuple[str, str]:
        """Every `config` block on the device, both sides as the driver renders them: the blocks the
        intended config names, then those it does not (full scope), less what the device owns by design
        (fortios_owned.yml) — exactly what a replace would change."""
        candidate, seen = self._trees(Texts(intended, running, defaults))
        subs = {
            name: tree.view(seen.subs.get(name, tree.FortiObject(sub.raw)), sub, name, False)
            for name, sub in candidate.subs.items()
        }
        for name, run in tree.unnamed(seen, candidate).items():
            extra = tree.view(run, tree.FortiObject(run.raw), name, False)
            if not tree.empty(extra):
                subs[name] = extra
        return _blocks(candidate), _blocks(tree.FortiObject(seen.raw, subs=subs))

    def remediation(self, texts: Texts, intended: list[str], running: list[str], tops: set[str]) -> str:
        """FortiOS has no replace: the set/unset/delete/move commands the deploy driver itself would send
        (hier_config cannot delete a table entry), for the drifted `config` blocks only — those the
        intended config names and those it does not (emptied: entries deleted, settings unset)."""
        candidate, seen = self._trees(texts)
        blocks = tree.script(seen, candidate, only=tops)
        return "".join(line + "\n" for block in blocks for line in block)

    def _trees(self, texts: Texts) -> tuple[tree.FortiObject, tree.FortiObject]:
        """(candidate, running completed from the defaults) as trees, secrets masked. The audit asks for a
        device's device forms and then its remediation: the last device's trees are kept for the second
        (read only: every consumer builds new objects)."""
        last = self._last
        if last is not None and last[0] == texts:
            return last[1]
        candidate = tree.parse(self.redact(texts.intended))
        shown = tree.parse(self.redact(texts.running))
        full = tree.parse(texts.defaults) if texts.defaults else None
        trees = candidate, tree.with_defaults(shown, full, candidate)
        self._last = (texts, trees)
        return trees

    _last: tuple[Texts, tuple[tree.FortiObject, tree.FortiObject]] | None = None
