"""The compare engine: intended vs running, line by line within each block, grouped by feature.

Both texts are normalised, parsed into trees of lines, and compared block by block. Where order does not
matter (most of a config) children compare as multisets; where it does (nftables chains, ACLs) they compare
as sequences, so a rule moved above the final drop is drift. A missing and an extra leaf line in the same
block that share their keyword (`description …`, `set admintimeout …`, `port swp3 …`)
are one `changed` finding.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from wardnet.audit.features import feature_of
from wardnet.audit.ignores import matching_rule
from wardnet.audit.model import FEATURES, DeviceAudit, Drift, IgnoreRule, RuleFinding
from wardnet.audit.normalise import normalise, parse
from wardnet.canonical import SECTION_MARK, SECTIONS
from wardnet.platforms import Texts, get_platform
from wardnet.tree import Node

if TYPE_CHECKING:
    from wardnet.checks.expect import Expect

# Blocks whose children are a sequence: order changes behaviour.
ORDERED = re.compile(r"^(chain \S+ \{|ip access-list |ipv6 access-list |config firewall (policy|acl))")

Path = tuple[str, ...]


def _key_words(text: str) -> list[str]:
    return text.removeprefix("no ").split()


# Keywords followed by free text: the keyword alone names the setting.
FREE_TEXT = frozenset({"description", "hostname", "remark", "name", "alias", "comment", "comments"})


def _related(a: str, b: str) -> bool:
    """Same keyword: a two-word line or free text shares its first word, a longer one its first two."""
    wa, wb = _key_words(a), _key_words(b)
    need = 1 if min(len(wa), len(wb)) <= 2 or wa[0] in FREE_TEXT else 2
    return wa[:need] == wb[:need]


def _all_lines(node: Node, path: Path) -> Iterator[tuple[Path, str]]:
    yield path, node.text
    for child in node.children:
        yield from _all_lines(child, (*path, node.text))


class Comparison:
    """Collects (kind, path, intended, running) differences between two forests."""

    def __init__(self) -> None:
        self.found: list[tuple[str, Path, str, str]] = []

    def only_in(self, kind: str, node: Node, path: Path) -> None:
        for where, text in _all_lines(node, path):
            self.found.append((kind, where, text, "") if kind == "missing" else (kind, where, "", text))

    def leftovers(self, missing: list[Node], extra: list[Node], path: Path) -> None:
        """Pair a missing leaf with a related extra leaf as `changed`; the rest stay missing/extra."""
        pool = list(extra)
        for node in missing:
            leaf = not node.children
            partner = next((e for e in pool if leaf and not e.children and _related(node.text, e.text)), None)
            if partner is None:
                self.only_in("missing", node, path)
            else:
                pool.remove(partner)
                self.found.append(("changed", path, node.text, partner.text))
        for node in pool:
            self.only_in("extra", node, path)

    def blocks(self, intended: list[Node], running: list[Node], path: Path) -> None:
        if path and ORDERED.match(path[-1]):
            self.sequence(intended, running, path)
            return
        # by position, not identity: equal blocks are one shared tree (normalise.parse)
        available: dict[str, list[int]] = {}
        for i, node in enumerate(running):
            available.setdefault(node.text, []).append(i)
        missing = []
        for node in intended:
            twins = available.get(node.text)
            if twins:
                twin = running[twins.pop(0)]
                if twin.digest != node.digest:
                    self.blocks(node.children, twin.children, (*path, node.text))
            else:
                missing.append(node)
        extra = sorted(i for places in available.values() for i in places)
        self.leftovers(missing, [running[i] for i in extra], path)

    def sequence(self, intended: list[Node], running: list[Node], path: Path) -> None:
        a, b = [n.text for n in intended], [n.text for n in running]
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag == "equal":
                for x, y in zip(intended[i1:i2], running[j1:j2], strict=True):
                    if x.digest != y.digest:
                        self.blocks(x.children, y.children, (*path, x.text))
            else:
                self.leftovers(intended[i1:i2], running[j1:j2], path)


def _section(path: Path) -> str:
    return " > ".join(p.removeprefix(SECTION_MARK).removesuffix(" {") for p in path)


def findings(platform: str, intended: list[Node], running: list[Node]) -> list[Drift]:
    comparison = Comparison()
    comparison.blocks(intended, running, ())
    out = []
    for kind, path, want, have in comparison.found:
        line = want or have
        out.append(Drift(kind, feature_of(platform, path, line), _section(path), want, have))  # type: ignore[arg-type]
    return out


def features_of(platform: str, intended: list[Node]) -> list[str]:
    """The features the intended config configures, in report order."""
    found = set().union(*(_block_features(platform, root) for root in intended))
    return [f for f in FEATURES if f in found]


def _block_features(platform: str, root: Node) -> frozenset[str]:
    """The features of one top-level block, each distinct block classified once per process: a city's
    devices share most blocks (ports, lines, AAA), and a block's features depend on its lines only. Keyed
    by the block's line and its sealed digest (of every line under it)."""
    memo = (platform, root.text, root.digest)
    found = _FEATURES_OF.get(memo)
    if found is None:
        found = frozenset(feature_of(platform, path, text) for path, text in _all_lines(root, ()))
        if len(_FEATURES_OF) >= 1 << 16:
            _FEATURES_OF.clear()
        _FEATURES_OF[memo] = found
    return found


_FEATURES_OF: dict[tuple[str, str, int], frozenset[str]] = {}


def top_blocks(findings: list[Drift]) -> set[str]:
    """The top-level lines (blocks) that hold these findings: remediation is computed for them only."""
    tops = set()
    for f in findings:
        section = f.section.split(" > ") if f.section else []
        if section and section[0] in SECTIONS:
            section = section[1:]
        tops.update([section[0]] if section else [line for line in (f.intended, f.running) if line])
    return tops


def unified_diff(name: str, intended: list[str], running: list[str]) -> str:
    lines = difflib.unified_diff(intended, running, f"intended/{name}", f"running/{name}", lineterm="")
    return "".join(line + "\n" for line in lines)


def baseline_findings(
    running: str, platform: str, role: str, *, site: str, device: str, expect: Expect
) -> list[RuleFinding]:
    """The level-2 rule pack on what the device runs (the text `wardnet check` reads when rendered), less
    the platform's own known gaps (the white-box twin has no managed sshd/PAM/SNMP and no IPS: a fact of
    the platform, reported by `wardnet check --config`, not news about one device every night)."""
    from wardnet.checks.run import rendered_findings
    from wardnet.platforms import PLATFORMS

    driver = PLATFORMS.get(platform)
    gaps = driver.platform_gaps if driver else None
    found = rendered_findings(running, platform, role, site=site, device=device, expect=expect)
    return [
        RuleFinding(f.rule, f.severity, f.message, f.clause, f.fix)
        for f in found
        if not (gaps and f.message.startswith(gaps))
    ]


def audit_device(
    name: str,
    site: str,
    platform: str,
    role: str,
    *,
    intended: str,
    running: str,
    rules: list[IgnoreRule],
    defaults: str = "",
    expect: Expect | None = None,
    checked: str = "",
) -> DeviceAudit:
    """One device's audit. Both texts must already be secret-masked (collect does it); normalising masks
        secret-bearing values again by pattern, so hashes and encrypted forms never reach a report. With
        `expect` (the city baseline's figures), the level-2 rule pack also runs on the running config, read in
    `checked` (values hidden, their type kept: collect's rule form) when given."""
    driver = get_platform(platform)
    # Both configs in the device's own form first (the rules the deploy drivers use), so only drift remains.
    intended_form, running_form = driver.device_forms(intended, running, defaults)
    want, have = normalise(platform, intended_form), normalise(platform, running_form)
    want_tree = parse(want)
    found = [
        Drift(f.kind, f.feature, f.section, f.intended, f.running, matching_rule(rules, site, name, f))
        for f in (findings(platform, want_tree, parse(have)) if want != have else [])
    ]
    drifted = [f for f in found if not f.ignored_by]
    return DeviceAudit(
        name=name,
        site=site,
        platform=platform,
        role=role,
        status="drift" if drifted else "compliant",
        findings=found,
        features=features_of(platform, want_tree),
        diff=unified_diff(name, want, have) if found else "",
        remediation=(
            driver.remediation(Texts(intended, running, defaults), want, have, top_blocks(drifted))
            if drifted
            else ""
        ),
        baseline=(
            baseline_findings(checked or running, platform, role, site=site, device=name, expect=expect)
            if expect is not None
            else []
        ),
    )
