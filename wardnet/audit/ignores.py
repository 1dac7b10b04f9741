"""Accepted drift: ignore rules in inventories/audit/ignore.yml, each with a reason and an expiry date.

A rule matches a finding by feature, by a regular expression on the line, or both, optionally limited to sites
and devices. An expired rule stops applying (its drift counts again) and is listed in the report, so an
exception never becomes permanent by being forgotten.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr, model_validator

from wardnet.audit.model import FEATURES, Drift, IgnoreRule
from wardnet.errors import InputError, InputProblem, display_path
from wardnet.inventory import Inventory, validate
from wardnet.models import FreeText, Identifier, Model, UnitCode
from wardnet.yamlsrc import read_yaml

IGNORE_FILE = "audit/ignore.yml"


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"is not a valid regular expression ({exc})") from None
    return value


def _feature(value: str) -> str:
    if value not in FEATURES:
        raise ValueError(f"unknown feature {value!r}: use one of {', '.join(FEATURES)}")
    return value


class IgnoreRuleSpec(Model):
    id: Identifier
    reason: FreeText
    expires: date
    feature: Annotated[StrictStr, AfterValidator(_feature)] = ""
    pattern: Annotated[StrictStr, Field(min_length=1, max_length=200), AfterValidator(_regex)] | None = None
    sites: tuple[UnitCode, ...] = ()
    devices: tuple[Annotated[StrictStr, Field(pattern=r"^[a-z0-9-]{3,63}$")], ...] = ()

    @model_validator(mode="after")
    def _scoped(self) -> IgnoreRuleSpec:
        if not self.feature and not self.pattern:
            raise ValueError("a rule needs a feature, a pattern or both: say what the rule accepts")
        return self


class IgnoreFile(Model):
    rules: tuple[IgnoreRuleSpec, ...] = ()


def load_ignores(inventory: Inventory, today: date) -> tuple[list[IgnoreRule], list[IgnoreRule]]:
    """(active rules, expired rules). A missing file means no rules; a bad one is an InputError."""
    path = inventory.root / IGNORE_FILE
    if not path.is_file():
        return [], []
    source = read_yaml(path)
    spec, problems = validate(source, IgnoreFile)
    problems += _cross_check(spec, inventory, path) if spec else []
    if problems:
        raise InputError(problems)
    active: list[IgnoreRule] = []
    expired: list[IgnoreRule] = []
    for index, rule in enumerate(spec.rules):
        line = source.line_of(("rules", index))
        made = IgnoreRule(
            id=rule.id,
            reason=rule.reason,
            expires=rule.expires.isoformat(),
            feature=rule.feature,
            pattern=rule.pattern or "",
            sites=tuple(rule.sites),
            devices=tuple(rule.devices),
            source=f"{display_path(path)}:{line}" if line else display_path(path),
        )
        (expired if rule.expires < today else active).append(made)
    return active, expired


def _cross_check(spec: IgnoreFile, inventory: Inventory, path: object) -> list[InputProblem]:
    shown = display_path(path)  # type: ignore[arg-type]
    problems = []
    seen: set[str] = set()
    for index, rule in enumerate(spec.rules):
        if rule.id in seen:
            problems.append(
                InputProblem(shown, f"rules.{index}.id", f"duplicate id {rule.id!r}", "rename it")
            )
        seen.add(rule.id)
        for code in rule.sites:
            if code not in inventory.sites:
                problems.append(
                    InputProblem(
                        shown, f"rules.{index}.sites", f"no site with code {code}", "use a known code"
                    )
                )
    return problems


def matching_rule(rules: list[IgnoreRule], site: str, device: str, finding: Drift) -> str:
    """The id of the first rule that accepts this finding on this device, '' if none."""
    for rule in rules:
        if rule.sites and site not in rule.sites:
            continue
        if rule.devices and device not in rule.devices:
            continue
        if rule.feature and rule.feature != finding.feature:
            continue
        if rule.pattern and not re.search(rule.pattern, finding.line):
            continue
        return rule.id
    return ""
