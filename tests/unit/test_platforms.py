"""The platform registry is the one home of what a platform is, and the package layering holds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import wardnet
import wardnet.api
from wardnet.audit.normalise import normalise
from wardnet.checks import rules_fortios, rules_fortios_wifi, rules_frr, rules_ios, rules_server
from wardnet.models import PLATFORM_ROLES, Platforms
from wardnet.platforms import NAMES, PLATFORMS, get_platform
from wardnet.platforms import fortios_config as fortios_tree
from wardnet.resources import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wardnet"


def _sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if ".venv" not in p.parts)


def test_every_platform_has_a_template_set_and_nothing_else_does() -> None:
    with_device_template = {p.parent.name for p in TEMPLATES.glob("*/device.j2")}
    assert set(NAMES) == with_device_template


def test_the_inventory_accepts_exactly_the_registered_platforms() -> None:
    # every registered name is accepted in exactly the roles it renders, and refused in the others
    for name in NAMES:
        for role in ("firewall", "core", "access"):
            chosen = {"firewall": "frr", "core": "frr", "access": "frr"} | {role: name}
            if role in PLATFORM_ROLES[name]:
                assert getattr(Platforms(**chosen), role) == name
            else:
                with pytest.raises(ValidationError, match=f"cannot be a {role}"):
                    Platforms(**chosen)
    assert PLATFORM_ROLES["fortios"] == ("firewall",) and set(PLATFORM_ROLES["frr"]) == {
        "firewall",
        "core",
        "access",
    }
    with pytest.raises(ValidationError, match="firewall"):
        Platforms(firewall="arista_eos", core="frr", access="frr")


def test_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="cisco_iosxe, fortios, frr"):
        get_platform("junos")


def test_no_platform_branches_outside_the_platforms_package() -> None:
    branch = re.compile(r"platform\s*(==|!=)|platform in \(")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _sources(PACKAGE)
        if "platforms" not in path.relative_to(PACKAGE).parts[:1]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if branch.search(line)
    ]
    assert offenders == []


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def test_the_package_never_imports_the_drivers() -> None:
    offenders = [
        (str(path.relative_to(ROOT)), module)
        for path in _sources(PACKAGE)
        for module in _imports(path)
        if module.split(".")[0] in {"plugins", "napalm_fortinet", "napalm_frr", "napalm_wardnet_ios"}
    ]
    assert offenders == []


# wardnet's public surface: the package root, the API types, the platform registry and the platform homes
# (the NAPALM drivers use their platform's module, where their code moved to).
PUBLIC = re.compile(r"^wardnet(\.api|\.platforms(\.\w+)?)?$")


def _imported_names(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every `from wardnet... import name`, at any depth (Ansible modules import late)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "wardnet"
        for alias in node.names
    ]


@pytest.mark.parametrize("folder", ["plugins", "benchmarks"])
def test_plugins_and_benchmarks_use_only_the_public_api(folder: str) -> None:
    used = {
        (str(path.relative_to(ROOT)), module)
        for path in _sources(ROOT / folder)
        for module in _imports(path)
        if module.split(".")[0] == "wardnet"
    }
    assert used, "the scan found no wardnet import at all"
    assert {(p, m) for p, m in used if not PUBLIC.match(m)} == set()
    # ... and from the package root and wardnet.api only the names they export
    exported = {"wardnet": set(wardnet.__all__), "wardnet.api": set(wardnet.api.__all__)}
    names = [
        (str(path.relative_to(ROOT)), module, name)
        for path in _sources(ROOT / folder)
        for module, name in _imported_names(path)
    ]
    assert names
    assert [(p, m, n) for p, m, n in names if m in exported and n not in exported[m]] == []


def test_every_public_name_resolves() -> None:
    for name in wardnet.__all__:
        assert getattr(wardnet, name) is not None, name
    assert sorted(wardnet.api.__all__) == sorted([*wardnet.api._TYPES, "render_device", "set_lab_workers"])
    for name in wardnet.api.__all__:
        assert getattr(wardnet.api, name) is not None, name
    with pytest.raises(AttributeError):
        _ = wardnet.render_everything  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("seconds", "fires"), [(10, 60), (60, 60), (61, 120), (120, 120), (121, 180), (7200, 7200)]
)
def test_ios_counts_its_revert_timer_in_whole_minutes(seconds: int, fires: int) -> None:
    assert get_platform("cisco_iosxe").revert_after(seconds) == fires
    assert get_platform("fortios").revert_after(seconds) == seconds
    assert get_platform("frr").revert_after(seconds) == seconds


@pytest.mark.parametrize("key", sorted(fortios_tree.SECRET_KEYS))
def test_fortios_secret_keys_are_masked_by_the_audit_too(key: str) -> None:
    """One list of FortiOS secret keys: what the driver compares as a secret, normalise masks."""
    line = f"        set {key} ENC AbCdEf0123=="
    assert get_platform("fortios").redact_line(line) == f"        set {key} <secret>"
    assert fortios_tree.canonical(key, "ENC AbCdEf0123==") == "<secret>"


@pytest.mark.parametrize("key", sorted(fortios_tree.VOLATILE_KEYS))
def test_fortios_device_assigned_keys_are_not_compared(key: str) -> None:
    lines = ["config system interface", '    edit "port1"', f"        set {key} 7", '        set alias "lan"']
    want = ["config system interface", '    edit "port1"', '        set alias "lan"']
    assert normalise("fortios", "\n".join([*lines, "    next", "end"])) == want


def test_fortios_quoted_values_over_several_lines_are_one_line_everywhere() -> None:
    text = 'config system global\n    set pre-login-banner "line one\nline two"\n    set hostname "fw"\nend\n'
    banner = 'set pre-login-banner "line one\\nline two"'
    assert normalise("fortios", text) == ["config system global", f"    {banner}", '    set hostname "fw"']
    settings = fortios_tree.parse(text).subs["system global"].settings
    assert settings["pre-login-banner"] == '"line one\nline two"'


def test_secrets_of_an_unknown_platform_lose_only_their_masks() -> None:
    from wardnet.secrets import redact_line

    assert redact_line("linux", 'key "<<secret:ntp_key>>" password 7 0822') == "key <secret> password 7 0822"
    assert "password <secret>" in redact_line("frr", " neighbor 10.0.0.1 password s3cret")


def test_each_platform_classifies_its_own_lines() -> None:
    from wardnet.audit.features import feature_of

    assert feature_of("cisco_iosxe", ("interface Gi1/0/1",), "switchport access vlan 20") == "vlans"
    assert feature_of("cisco_iosxe", ("interface Gi1/0/1",), "switchport voice vlan 40") == "vlans"
    # 802.1X/MAB drift is an access-control finding (critical), not an interface detail (issue 17)
    assert feature_of("cisco_iosxe", ("interface Gi1/0/1",), "access-session closed") == "aaa"
    assert feature_of("cisco_iosxe", ("interface Gi1/0/1",), "mab") == "aaa"
    assert feature_of("cisco_iosxe", ("interface Gi1/0/1",), "storm-control action trap") == "interfaces"
    assert feature_of("cisco_iosxe", ("policy-map type control subscriber WARDNET-DOT1X-MAB",), "x") == "aaa"
    assert feature_of("cisco_iosxe", (), "dot1x system-auth-control") == "aaa"
    assert feature_of("fortios", (), "config firewall policy") == "firewall"
    assert feature_of("frr", ("!== frr", "router bgp 4200026743"), " neighbor 10.0.0.1 remote-as 65000") == (
        "routing"
    )
    assert feature_of("frr", ("!== nftables",), "table inet wardnet {") == "firewall"
    assert {p.name for p in PLATFORMS.values()} == set(NAMES)


def test_platform_feature_rules_name_only_known_features() -> None:
    """A platform's feature rules can only point at a feature the reports rank (audit.model.FEATURES)."""
    from wardnet.audit.model import FEATURES

    named = {feature for p in PLATFORMS.values() for _, feature in (*p.line_rules, *p.top_rules)}
    assert named and named <= set(FEATURES) - {"other"}


def test_every_public_name_is_the_callable_it_promises_even_after_the_subpackages_load() -> None:
    """`wardnet.audit` is also a subpackage: once imported, a public function of that name would be the
    module (what the Ansible modules once called). Every public name must stay what __all__ promises."""
    import importlib

    import wardnet

    for package in ("wardnet.audit.cli", "wardnet.deploy.cli", "wardnet.checks.run", "wardnet.systems.cli"):
        importlib.import_module(package)
    for name in wardnet.__all__:
        value = getattr(wardnet, name)
        assert callable(value) and not isinstance(value, type(wardnet)), name


def test_every_rule_is_a_plain_function_so_make_mutation_mutates_it() -> None:
    # mutmut mutates no decorated function: a rule registered as `@rule` would drop out of `make mutation`
    # (not run by it: there every mutated function is decorated by mutmut's trampoline).
    registered = {
        (rule.__module__, rule.__name__)
        for ruleset in (rules_ios, rules_fortios, rules_frr, rules_server)
        for rule in ruleset.RULES.rules
    }
    assert len(registered) == 42
    for module in (rules_ios, rules_fortios, rules_fortios_wifi, rules_frr, rules_server):
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        defined = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for name in sorted(name for owner, name in registered if owner == module.__name__):
            assert defined[name].decorator_list == [], f"{module.__name__}.{name} is decorated"
