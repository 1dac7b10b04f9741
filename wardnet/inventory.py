"""Load and validate the inventory: the city baseline plus one file per site.

All problems in all files are collected before anything is returned, so an engineer sees every mistake in
one run; nothing downstream ever sees unvalidated data.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from itertools import combinations
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from wardnet.baseline_rules import baseline_problems, city_problems
from wardnet.design.site import FIRST_SERVER_HOST, SERVERS_ZONE
from wardnet.errors import SECRET_FIELD, InputError, InputProblem, display_path, shown_value
from wardnet.models import Baseline, DeviceSpec, HardwareModel, SecretRef, Site
from wardnet.units import official_units
from wardnet.yamlsrc import Loc, YamlSource, read_yaml

BASELINE_FILE = Path("group_vars/all/baseline.yml")
SITES_DIR = Path("wards")
YAML_SUFFIXES = (".yml", ".yaml")
# What editors leave beside a file (vim swap, emacs backup and autosave, *~, merge leftovers): never read
# silently, never skipped silently; the engineer is told to finish the edit.
EDITOR_LEFTOVER = re.compile(r"(~|\.sw[a-p]|\.bak|\.orig|\.rej|\.tmp)$|^\.?#|^\.~lock\.")

Signature = tuple[tuple[str, int, int], ...]


def source_signature(root: Path) -> Signature:
    """(path, mtime, size) of the baseline and every ward file: what a cache of the loaded folder keys on."""
    entries = []
    for folder in (root / BASELINE_FILE.parent, root / SITES_DIR):
        try:
            with os.scandir(folder) as scan:
                for entry in scan:
                    if entry.name.endswith(YAML_SUFFIXES):
                        stat = entry.stat()
                        entries.append((entry.path, stat.st_mtime_ns, stat.st_size))
        except OSError:
            continue
    return tuple(sorted(entries))


@dataclass(frozen=True)
class SiteEntry:
    site: Site
    source: Path
    lines: YamlSource | None = None  # where each field was written, for errors found after loading

    def line_of(self, field: str) -> int | None:
        if self.lines is None:
            return None
        loc = tuple(int(p) if p.isdigit() else p for p in field.split(".") if p)
        return self.lines.line_of(loc)


@dataclass(frozen=True)
class Inventory:
    root: Path
    baseline: Baseline
    sites: dict[str, SiteEntry]  # by code, sorted

    def select(self, codes: list[str] | None) -> list[SiteEntry]:
        """Sites by code in inventory order; unknown codes are an input error."""
        if not codes:
            return list(self.sites.values())
        unknown = [c for c in codes if c not in self.sites]
        if unknown:
            raise InputError(
                [
                    InputProblem(
                        "--site", c, "no site with this code", _suggest(c, list(self.sites), "a known code")
                    )
                    for c in unknown
                ]
            )
        return [self.sites[c] for c in sorted(set(codes))]


def _suggest(word: str, choices: list[str], fallback: str) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else f"use {fallback}"


def _fields_of(model: type[BaseModel], loc: Loc) -> list[str]:
    """Allowed keys at loc in model, for 'did you mean' hints on unknown fields."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
    return [f.alias or name for name, f in getattr(current, "model_fields", {}).items()]


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _secret_position(model: type[BaseModel], loc: Loc) -> bool:
    """Whether loc is, or lies inside, a place for a secret: a field typed SecretRef or named like one."""
    if any(isinstance(part, str) and SECRET_FIELD.search(part) for part in loc):
        return True
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return False
        current = _model_in(field.annotation)
        if current is SecretRef:
            return True
    return False


def _fix_for(error: ErrorDetails, model: type[BaseModel], loc: Loc) -> tuple[str, str]:
    """Turn one pydantic error into (message, fix) that a network engineer can act on. A value in a secret
    position is never quoted: a password written in clear where {secret: NAME} belongs must not reach CI
    logs through the very message that refuses it."""
    kind = error["type"]
    field = str(loc[-1]) if loc else ""
    secret = _secret_position(model, loc)
    value = shown_value(error.get("input"), secret)
    if secret and kind in {"model_type", "dict_type", "model_attributes_type", "string_pattern_mismatch"}:
        return (
            "must be {secret: NAME}, naming a secret; the value written here is not shown",
            "write {secret: NAME}; deploy takes the value from WARDNET_SECRET_<NAME> or Ansible Vault",
        )
    if kind == "extra_forbidden":
        allowed = _fields_of(model, loc[:-1])
        return f"unknown field '{field}'", _suggest(field, allowed, "one of: " + ", ".join(allowed))
    if kind == "missing":
        return "required field is missing", f"add '{field}:' here"
    if kind == "string_type" and field == "code":
        return "must be a string", 'quote it: code: "26743" (5 digits, leading zeros kept)'
    if kind == "string_type":
        return "must be text", "quote the value"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"must be a whole number, got {value}", "write a number without quotes"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{value} is not allowed", f"use one of {expected}"
    if kind == "string_pattern_mismatch":
        return f"{value} has the wrong form", f"match {error['ctx']['pattern']}"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return error["msg"].lower(), "bring the value into range"
    if kind.startswith("ip_v4") or "network" in kind:
        return f"{value} is not a valid IP address/network", "e.g. 10.0.0.10, 10.0.1.0/24 or 2001:db8::/64"
    if kind == "wardnet_rule":
        return error["ctx"]["message"], error["ctx"]["fix"]
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, "), "edit the text to remove it"
    return error["msg"], "see the schema in README.md (Inventory)"


def validate(source: YamlSource, model: type[BaseModel]) -> tuple[Any, list[InputProblem]]:
    shown = display_path(source.path)
    if not isinstance(source.data, dict):
        return None, [InputProblem(shown, "", "must be a mapping of keys to values", "see README.md")]
    try:
        return model.model_validate(source.data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            loc = _strip_union_tags(loc)
            message, fix = _fix_for(error, model, loc)
            field = ".".join(str(p) for p in loc)
            problems.append(InputProblem(shown, field, message, fix, source.line_of(loc)))
        return None, _dedupe(problems)


def _strip_union_tags(loc: Loc) -> Loc:
    """Pydantic adds union member names (e.g. 'list[...]') to locations; engineers never typed those."""
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p == "NegatedZone")))


def _dedupe(problems: list[InputProblem]) -> list[InputProblem]:
    seen: dict[tuple[str, str], InputProblem] = {}
    for problem in problems:
        seen.setdefault((problem.field, problem.message), problem)
    return list(seen.values())


def load_inventory(root: Path) -> Inventory:
    """Read and validate everything under root; raise InputError listing every problem."""
    inventory, problems = load_partial(root)
    if problems:
        raise InputError(problems)
    assert inventory is not None
    return inventory


def load_partial(root: Path) -> tuple[Inventory | None, list[InputProblem]]:
    """Every problem, and the sites that have none of their own (None when the baseline is unusable).

    For tools that take one ward file at a time (the Ansible inventory plugin): a typo in one ward must be
    reported against that file alone, not against every other site of the city.
    """
    problems: list[InputProblem] = []
    baseline, source = _load_baseline(root, problems)
    sites = _load_sites(root, problems)
    if baseline is None or source is None:
        return None, problems
    problems += cross_check(baseline, sites, source)
    codes = {entry.site.code for entry in sites} | set(official_units())
    problems += city_problems(baseline, source, codes)
    bad_files = {problem.file for problem in problems}
    if display_path(root / BASELINE_FILE) in bad_files or str(BASELINE_FILE) in bad_files:
        return None, problems
    good = [entry for entry in sites if display_path(entry.source) not in bad_files]
    ordered = dict(sorted((entry.site.code, entry) for entry in good))
    return Inventory(root=root, baseline=baseline, sites=ordered), problems


def load_baseline(root: Path) -> Baseline:
    """The city baseline alone (what `wardnet check --config` compares a single file against)."""
    problems: list[InputProblem] = []
    baseline, _ = _load_baseline(root, problems)
    if baseline is None or problems:
        raise InputError(problems)
    return baseline


def _load_baseline(root: Path, problems: list[InputProblem]) -> tuple[Baseline | None, YamlSource | None]:
    path = root / BASELINE_FILE
    problems += _leftovers(path.parent, sites=False)
    if not os.path.lexists(path):
        problems.append(
            InputProblem(
                display_path(path), "", "baseline file not found", "point --inventory at inventories/"
            )
        )
        return None, None
    try:
        source = read_yaml(path, within=root)
    except InputError as exc:
        problems += exc.problems
        return None, None
    baseline, found = validate(source, Baseline)
    problems += found
    if baseline is not None:
        found = plan_problems(baseline, source) + baseline_problems(baseline, source)
        problems += found
        if found:
            return None, source
    return baseline, source


def _leftovers(folder: Path, *, sites: bool) -> list[InputProblem]:
    """Editor backups and swap files (and, among the site files, anything that is not one) are refused."""
    if not folder.is_dir():
        return []
    problems = []
    for entry in sorted(folder.iterdir()):
        if EDITOR_LEFTOVER.search(entry.name):
            problems.append(
                InputProblem(
                    display_path(entry),
                    "",
                    "an editor backup or swap file beside the inventory; wardnet reads none of them",
                    f"finish the edit (save and close the editor), then delete {entry.name}",
                )
            )
        elif sites and (entry.is_dir() or not entry.name.endswith(YAML_SUFFIXES)):
            problems.append(
                InputProblem(
                    display_path(entry),
                    "",
                    f"not a site file: {SITES_DIR}/ holds only <code>-<slug>.yml files",
                    f"move {entry.name} out of {SITES_DIR}/",
                )
            )
    return problems


def plan_problems(baseline: Baseline, source: YamlSource) -> list[InputProblem]:
    """The fixed places of the IP plan: one parking VLAN, every place inside the block, none overlapping."""
    shown = display_path(source.path)
    problems: list[InputProblem] = []
    block_size = 2 ** (32 - baseline.ip_plan.site_prefix)
    parking = [i for i, v in enumerate(baseline.vlans) if v.place is None]
    if len(parking) != 1:
        problems.append(
            InputProblem(
                shown,
                "vlans",
                f"needs exactly one VLAN without a place (the parking VLAN), has {len(parking)}",
                "give every addressed VLAN a place and leave only the parking VLAN without one",
                source.line_of(("vlans",)),
            )
        )
    regions: list[tuple[IPv4Network, str, Loc]] = [
        (baseline.ip_plan.infra_place, "ip_plan.infra_place", ("ip_plan", "infra_place"))
    ]
    regions += [
        (v.place, f"vlans.{i}.place", ("vlans", i, "place"))
        for i, v in enumerate(baseline.vlans)
        if v.place is not None
    ]
    for place, field, loc in regions:
        if int(place.broadcast_address) >= block_size:
            problems.append(
                InputProblem(
                    shown,
                    field,
                    f"{place} reaches beyond a /{baseline.ip_plan.site_prefix} site block",
                    f"places are relative to the block: keep them below {IPv4Address(block_size)}",
                    source.line_of(loc),
                )
            )
    for (a, field_a, _), (b, field_b, loc_b) in combinations(regions, 2):
        if a.overlaps(b):
            problems.append(
                InputProblem(
                    shown,
                    field_b,
                    f"{b} overlaps {a} ({field_a})",
                    "give each VLAN its own place; README.md (IP plan) lists the free ones",
                    source.line_of(loc_b),
                )
            )
    return problems


def _load_sites(root: Path, problems: list[InputProblem]) -> list[SiteEntry]:
    folder = root / SITES_DIR
    problems += _leftovers(folder, sites=True)
    files = sorted(
        path
        for path in (folder.glob("*.y*ml") if folder.is_dir() else [])
        if path.name.endswith(YAML_SUFFIXES) and not EDITOR_LEFTOVER.search(path.name)
    )
    if not files:
        problems.append(InputProblem(display_path(folder), "", "no site files found", "run `make wards`"))
    entries = []
    for path in files:
        try:
            source = read_yaml(path, within=root)
        except InputError as exc:
            problems += exc.problems
            continue
        site, found = validate(source, Site)
        problems += found
        if site is not None:
            expected = f"{site.code}-{site.slug}.yml"
            if path.name != expected:
                problems.append(
                    InputProblem(
                        display_path(path),
                        "code",
                        f"file name does not match code and name ({expected})",
                        f"rename the file to {expected}",
                        source.line_of(("code",)),
                    )
                )
            entries.append(SiteEntry(site, path, source))
    return entries


def cross_check(
    baseline: Baseline, sites: list[SiteEntry], source: YamlSource | None = None
) -> list[InputProblem]:
    """Rules that span entries or files: unique codes and server names, known models, matching roles."""
    problems: list[InputProblem] = []
    baseline_file = display_path(source.path) if source else str(BASELINE_FILE)

    def baseline_line(field: str) -> int | None:
        loc = tuple(int(p) if p.isdigit() else p for p in field.split("."))
        return source.line_of(loc) if source else None

    by_code: dict[str, Path] = {}
    for entry in sites:
        shown = display_path(entry.source)
        site = entry.site
        if site.code in by_code:
            problems.append(
                InputProblem(
                    shown,
                    "code",
                    f"code {site.code} is also used by {display_path(by_code[site.code])}",
                    "each official code belongs to exactly one site file",
                    entry.line_of("code"),
                )
            )
        by_code.setdefault(site.code, entry.source)
        for index, device in enumerate(site.devices):
            hardware = baseline.models.get(device.model)
            field = f"devices.{index}.model"
            if hardware is None:
                problems.append(
                    InputProblem(
                        shown,
                        field,
                        f"unknown model '{device.model}'",
                        _suggest(device.model, list(baseline.models), "a model from the baseline's models"),
                        entry.line_of(field),
                    )
                )
            elif hardware.role != device.role:
                problems.append(
                    InputProblem(
                        shown,
                        field,
                        f"{device.model} is a {hardware.role}, listed as {device.role}",
                        f"set role: {hardware.role} or pick a {device.role} model",
                        entry.line_of(field),
                    )
                )
            elif device.role == "firewall":
                problems += _firewall_units(entry, index, device, hardware, baseline)
        problems += _duplicate_names(
            entry, "devices", [d.name for d in site.devices], "give the new one the next free accN"
        )
        problems += _duplicate_names(
            entry, "servers", [s.name for s in site.servers], "give each server its own name (srv1, srv2)"
        )
        problems += _servers_fit(entry, baseline)
        for role in ("firewall", "core"):
            count = sum(1 for d in site.devices if d.role == role)
            if count != 1:
                problems.append(
                    InputProblem(
                        shown,
                        "devices",
                        f"needs exactly one {role} entry (HA pair/stack: members: 2), has {count}",
                        f"list one {role} device",
                        entry.line_of("devices"),
                    )
                )
    for role, model in baseline.whitebox_twin.models.items():
        twin_hardware = baseline.models.get(model)
        if twin_hardware is None or twin_hardware.role != role:
            problems.append(
                InputProblem(
                    baseline_file,
                    f"whitebox_twin.models.{role}",
                    f"'{model}' is not a {role} model of the catalogue",
                    _suggest(
                        model, [n for n, m in baseline.models.items() if m.role == role], f"a {role} model"
                    ),
                    baseline_line(f"whitebox_twin.models.{role}"),
                )
            )
    zones = {v.zone for v in baseline.vlans} | set(baseline.remote_zones)
    for index, rule in enumerate(baseline.policy):
        for side, names in (("from", rule.from_), ("to", rule.to)):
            for name in names:
                if name not in zones:
                    problems.append(
                        InputProblem(
                            baseline_file,
                            f"policy.{index}.{side}",
                            f"unknown zone '{name}'",
                            _suggest(name, sorted(zones), "a VLAN zone or a remote zone"),
                            baseline_line(f"policy.{index}.{side}"),
                        )
                    )
        for name in rule.services:
            if name not in baseline.services_catalogue:
                problems.append(
                    InputProblem(
                        baseline_file,
                        f"policy.{index}.services",
                        f"unknown service '{name}'",
                        _suggest(name, list(baseline.services_catalogue), "a name from services_catalogue"),
                        baseline_line(f"policy.{index}.services"),
                    )
                )
    return problems


MAX_FIREWALL_UNITS = 2  # one unit or an HA pair; switches stack up to DeviceSpec's 8 members


def _duplicate_names(entry: SiteEntry, kind: str, names: list[str], fix: str) -> list[InputProblem]:
    """Names are identities (hostnames, addresses and ports derive from them): each is listed once."""
    first: dict[str, int] = {}
    problems = []
    for index, name in enumerate(names):
        if name in first:
            field = f"{kind}.{index}.name"
            problems.append(
                InputProblem(
                    display_path(entry.source),
                    field,
                    f"{kind[:-1]} name '{name}' is also {kind}.{first[name]}",
                    f"each {kind[:-1]} keeps its own name for life; {fix}",
                    entry.line_of(field),
                )
            )
        first.setdefault(name, index)
    return problems


def _firewall_units(
    entry: SiteEntry, index: int, device: DeviceSpec, hardware: HardwareModel, baseline: Baseline
) -> list[InputProblem]:
    """A firewall is one unit or an HA pair, and a pair needs the heartbeat and LAN ports of one."""
    field = f"devices.{index}.members"
    problem = None
    if device.members > MAX_FIREWALL_UNITS:
        problem = (
            f"a firewall is one unit or an HA pair, not {device.members} members",
            "set members: 2 for an HA pair (or 1)",
        )
    elif device.members == MAX_FIREWALL_UNITS and (len(hardware.lan_ports) < 2 or not hardware.ha_ports):
        capable = [n for n, m in baseline.models.items() if _pair_capable(m)]
        problem = (
            f"{device.model} cannot be an HA pair: it has {len(hardware.lan_ports)} LAN port(s) and "
            f"{len(hardware.ha_ports)} HA port(s); a pair needs 2 LAN ports (one to each core member) "
            "and a heartbeat port",
            "set members: 1" + (f", or use {' or '.join(capable)}" if capable else ""),
        )
    if problem is None:
        return []
    return [InputProblem(display_path(entry.source), field, *problem, entry.line_of(field))]


def _pair_capable(model: HardwareModel) -> bool:
    return model.role == "firewall" and len(model.lan_ports) >= 2 and bool(model.ha_ports)


def _servers_fit(entry: SiteEntry, baseline: Baseline) -> list[InputProblem]:
    """srvN is host 9 + N of the servers VLAN: refuse names and counts the VLAN cannot address."""
    site = entry.site
    vlan = next((v for v in baseline.vlans if v.zone == SERVERS_ZONE and v.place is not None), None)
    if not site.servers or vlan is None or vlan.place is None:
        return []  # no servers VLAN is the baseline's problem, reported there
    shown = display_path(entry.source)
    hosts = vlan.place.num_addresses - 2
    last = hosts - FIRST_SERVER_HOST + 1  # the highest N whose srvN still has an address
    where = f"VLAN {vlan.id} {vlan.name} ({vlan.place})"
    problems = []
    if len(site.servers) > max(last, 0):
        problems.append(
            InputProblem(
                shown,
                "servers",
                f"{len(site.servers)} servers, but {where} addresses at most {max(last, 0)} "
                f"(srv1 to srv{last})",
                "list fewer servers, or give the servers VLAN a larger place in the baseline",
                entry.line_of("servers"),
            )
        )
    for index, server in enumerate(site.servers):
        number = int(server.name.removeprefix("srv"))
        host = FIRST_SERVER_HOST + number - 1
        if number < 1 or host > hosts:
            field = f"servers.{index}.name"
            problems.append(
                InputProblem(
                    shown,
                    field,
                    f"{server.name} would be host {host} of {where}, which has {hosts} hosts",
                    f"number servers from srv1 (at most srv{last})",
                    entry.line_of(field),
                )
            )
    return problems
