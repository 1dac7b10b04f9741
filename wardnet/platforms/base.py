"""What a platform is, in one class: the hier_config driver model (HConfigDriverBase + get_hconfig_driver).

The stages (render, check, deploy, audit) stay platform-blind: they ask the platform object for its names,
its parser and rule set, how to mask its secrets, which lines it writes on its own, which feature a line
belongs to, its device form, its remediation, its revert timer and its post-checks. A subclass overrides
only what differs from these defaults. Heavy imports (hier_config, the rule packs) happen inside methods,
so looking a platform up costs nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from wardnet.checks.expect import Expect, Violation

# Secret-bearing values the device shows in its own forms (hashes, type 7, FortiOS ENC blobs, FRR clear text)
# → one token, so the same line compares equal to the intended mask and no form of a secret is ever stored.
REDACTED = "<secret>"
ON_DEVICE = "<<secret:on_device>>"  # a value hidden from the rule pack, its type kept
PLACEHOLDER = re.compile(r'"?<<secret:[a-z0-9_]+>>"?')
# One cheap search per line decides whether the platform's patterns need to run at all.
MAY_HOLD_SECRET = re.compile(r"secret|password|passwd|key|community|-pwd")

Rules = tuple[tuple[re.Pattern[str], str], ...]
SecretForms = tuple[tuple[re.Pattern[str], str], ...]


def rules(*pairs: tuple[str, str]) -> Rules:
    """(regex, feature) pairs → compiled rules; the first match wins."""
    return tuple((re.compile(pattern), feature) for pattern, feature in pairs)


@dataclass(frozen=True)
class Texts:
    """A device's texts as collected (secret-masked): intended, running, FortiOS full configuration."""

    intended: str
    running: str
    defaults: str = ""


CLEANED_KEPT = 200_000  # distinct lines kept per platform (a few tens of MB at most)


def _each_known(known: dict[str, str], lines: list[str], compute: Callable[[str], str]) -> list[str]:
    """compute(line) for each line, from `known` where the line was met before (a pure function of the
    line: a fleet's lines are mostly known, one lookup each); at most CLEANED_KEPT lines are kept."""
    out = list(map(known.get, lines))
    if None in out:
        for number, seen in enumerate(out):
            if seen is None:
                if len(known) >= CLEANED_KEPT:
                    known.clear()
                out[number] = known[lines[number]] = compute(lines[number])
    return out  # type: ignore[return-value]  # every None was filled


class PlatformDriver:
    """One platform. Class attributes are data; methods are the behaviour the stages delegate to."""

    name: ClassVar[str]
    extension: ClassVar[str]  # rendered file: build/intended/<site>/<host>.<extension>
    ansible_network_os: ClassVar[str]
    napalm_driver: ClassVar[str]  # the drivers wardnet ships are in plugins/ and import this package
    roles: ClassVar[tuple[str, ...]]  # the device roles its template set renders
    # `wardnet check --config`: a file with no line starting with one of these is not this platform's config.
    config_marks: ClassVar[tuple[str, ...]]
    cis_prefix: ClassVar[str | None] = None  # the ids of its CIS benchmark's controls (None: no benchmark)

    # --- audit: what the device writes on its own, and how it shows secrets ------------------------------
    secret_forms: ClassVar[SecretForms] = ()
    volatile: ClassVar[re.Pattern[str] | None] = None  # whole lines the device writes on its own
    closer: ClassVar[re.Pattern[str] | None] = None  # block closers and comments: indentation says it
    not_shown: ClassVar[re.Pattern[str] | None] = None  # lines the device never shows: not comparable
    line_rules: ClassVar[Rules] = ()  # feature by the line's own text (tried first)
    top_rules: ClassVar[Rules] = ()  # feature by the line's top-level block
    # The device's secret forms with only the value hidden (type digit, ENC kept), for the rule pack: it
    # judges what the device stores (type 7, MD5), never the value itself.
    value_forms: ClassVar[SecretForms] = ()
    hidden_commands: ClassVar[tuple[str, ...]] = ()  # show commands for what the running config hides
    canonical_on_device: ClassVar[bool] = False  # the device's agent makes the intended config canonical
    reads_defaults: ClassVar[bool] = False  # `show` omits defaults: also read the full configuration
    # Rule findings that state what the platform itself lacks (a message prefix), not what a device runs:
    # `wardnet check --config` reports them; the nightly audit does not repeat them on every device.
    platform_gaps: ClassVar[str | None] = None

    # --- secrets --------------------------------------------------------------------------------------

    def redact_line(self, line: str) -> str:
        if "<<secret:" in line:
            line = PLACEHOLDER.sub(REDACTED, line)
        if not MAY_HOLD_SECRET.search(line):
            return line
        for pattern, replacement in self.secret_forms:
            line = pattern.sub(replacement, line)
        return line

    def rule_form(self, text: str) -> str:
        """A running config as the level-2 rules read it: secret values hidden, their form kept."""
        lines = []
        for raw in text.split("\n"):
            line = raw
            if MAY_HOLD_SECRET.search(line):
                for pattern, replacement in self.value_forms:
                    line = pattern.sub(replacement, line)
            lines.append(line)
        return "\n".join(lines)

    def redact(self, text: str) -> str:
        """Every line of a config with its secret values replaced (backups, reports)."""
        return "\n".join(_each_known(self._redacted, text.split("\n"), self.redact_line))

    @functools.cached_property
    def _redacted(self) -> dict[str, str]:
        """Lines already redacted (a pure function of the line)."""
        return {}

    # --- render ---------------------------------------------------------------------------------------

    def canonical_text(self, text: str) -> str:
        """The renderer's last step: the rendered text in the form the device reads back."""
        return text

    # --- check ----------------------------------------------------------------------------------------

    def evaluate(self, text: str, expect: Expect, role: str) -> list[Violation]:
        """The platform's level-2 rule set on its parsed text."""
        raise NotImplementedError

    def unread_layout(self, text: str) -> str:
        """Why the rule set cannot read this file's layout (`line N: …`), "" when it can."""
        return ""

    # --- audit: normalise -----------------------------------------------------------------------------

    @functools.cached_property
    def skip(self) -> re.Pattern[str]:
        """Blank, volatile, closer and not-shown lines as one pattern: one match per line."""
        parts = [r"\s*$"] + [
            f"(?:{p.pattern})" for p in (self.volatile, self.closer, self.not_shown) if p is not None
        ]
        return re.compile("|".join(parts))

    def logical_lines(self, text: str) -> list[str]:
        """The text's lines, before volatile lines are dropped (a platform may join or drop some)."""
        return text.replace("\r", "").splitlines()

    def tidy_line(self, line: str) -> str:
        """A kept line in its comparable form (before secrets are masked)."""
        return line

    def clean(self, text: str) -> list[str]:
        lines = _each_known(self._cleaned, self.logical_lines(text), self._clean_line)
        return list(filter(None, lines))  # "": a line not compared

    def _clean_line(self, raw: str) -> str:
        """One line's comparable form, "" for a line that is not compared (blank, volatile, closer)."""
        line = raw.rstrip()
        return "" if self.skip.match(line) else self.redact_line(self.tidy_line(line))

    @functools.cached_property
    def _cleaned(self) -> dict[str, str]:
        """Lines already cleaned (a pure function of the line): a fleet's configs repeat most of theirs."""
        return {}

    def normalise(self, text: str) -> list[str]:
        """Config text → its comparable lines, indentation kept."""
        return self.clean(text)

    def feature_top(self, path: tuple[str, ...], line: str) -> str:
        """The top-level block that decides a line's feature (path: ancestors, outermost first)."""
        return path[0] if path else line

    # --- audit: device form and remediation -----------------------------------------------------------

    def hidden_config(self, outputs: dict[str, str]) -> str:
        """The outputs of `hidden_commands` as lines appended to the running config (audit)."""
        return ""

    def device_forms(self, intended: str, running: str, defaults: str = "") -> tuple[str, str]:
        """(intended, running) ready for normalise and compare; texts must already be secret-masked."""
        return intended, running

    def remediation(self, texts: Texts, intended: list[str], running: list[str], tops: set[str]) -> str:
        """The commands that bring running back to intended, for the drifted top-level blocks `tops`."""
        return ""

    # --- deploy ---------------------------------------------------------------------------------------

    def revert_after(self, confirm_timeout: int) -> int:
        """When the device's own revert timer fires for a commit confirmed within confirm_timeout."""
        return confirm_timeout

    def post_checks(self, driver: Any, role: str, bgp_neighbors: tuple[str, ...], wait: float) -> list[str]:
        """What must hold after a commit, beyond management answering with the right hostname."""
        return []

    def site_checks(self, driver: Any, role: str, intended: str, wait: float) -> list[str]:
        """What a site transaction also verifies on every device before confirming any: the default route,
        trunks up with the designed VLANs. A platform without a way to read them returns []."""
        return []
