"""Mutation testing of the core modules with mutmut: `make mutation` (not part of `make test`).

Each module is mutated in its own scratch copy of the repository (build/mutation/<name>/), against the
tests that are meant to catch its bugs, so one module's run never waits on the whole suite; `--jobs`
modules run side by side, one mutant at a time each (mutmut's stats and clean-test runs, one core each,
then overlap with another module's mutants). Prints the score per module (killed / mutants; a timeout
counts as killed, a mutant no selected test runs counts as survived), lists the survivors, and exits 1
when a module scores under its threshold. Raise a threshold when a module's score goes up; a survivor
that cannot be killed (an equivalent mutant) goes in EQUIVALENT with the reason. A module too large for
the time budget (the rule pack) runs a systematic sample of its mutants, said in the table; `--all` runs
every one."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# What the tests read (roles: the server templates test_servers_ipv6.py renders).
COPY = ["wardnet", "tests", "inventories", "plugins", "roles", "scripts", "pyproject.toml"]
# A mutant counts as killed only by a test seen failing (tests/mutation_order.py writes it to killed_by.txt)
# or by a timeout. mutmut's own reading (1 or 3: killed) also counts a child that never ran a test: pytest's
# "not found" for a test id (exit 4) raises in mutmut's forked child, which then exits 1. That made 189 of the
# rule pack's 235 IOS mutants look killed in one run (2026-12-06); such a run is an ERROR here, never a kill.
FAILED_TEST = {1, 3}  # a failing test, or pytest's internal error: killed only with a failed test recorded
TIMEOUT = {24, -24, 36, 152, 255}  # SIGXCPU after the CPU limit, or mutmut's wall-time limit
SURVIVED = {0, 5, 33}  # the tests passed, or none of them ran the mutated code


@dataclass(frozen=True)
class Module:
    paths: tuple[str, ...]  # the files mutated
    tests: tuple[str, ...]  # the tests meant to catch its bugs
    threshold: float  # the lowest score accepted (killed / mutants)
    # Only these functions (mutmut name globs, e.g. "wardnet.deploy.site.x__transaction__mutmut_*"): the
    # decisions of a file whose other code (dataclasses, I/O) has no fast test to meet. Empty: all of them.
    only: tuple[str, ...] = ()
    # Tests of the files above left out, each with the reason (printed with the run): whole-city tests whose
    # seconds every surviving mutant would pay, where a faster test asserts the same decision.
    deselect: tuple[tuple[str, str], ...] = ()
    timeout_multiplier: float = 4.0  # see _setup_cfg
    # Last digits of the mutant numbers run (a mutmut glob class, e.g. "[05]": every 5th mutant of each
    # function): a systematic sample of a module too large for the time budget. Empty: every mutant.
    sample: str = ""
    # The loader does not run this module's code: every mutant may reuse the inventory the clean run loaded.
    keep_inventory: bool = True
    cost: int = 0  # CPU seconds of its last run: the costliest start first, so the last to end are short

    def patterns(self) -> list[str]:
        """The mutmut name globs run: `only` (or every function of the files), each cut to the sample."""
        names = self.only or tuple(f"{path[:-3].replace('/', '.')}.*__mutmut_*" for path in self.paths)
        return [name + self.sample for name in names] if self.sample else list(names)


# test_plan_stable.py's whole-city properties: 5-7 s each (hypothesis over every ward, 30-40 examples whatever
# the profile says), 23 s of the design tests' 29 s. What they assert of the plan's decisions is also asserted
# on Ben Thanh by the literal-address tests kept (test_ben_thanh_*, test_500_to_900_*, test_infrastructure_*).
_STABLE = "tests/unit/test_plan_stable.py::"
_WHOLE_CITY = (
    (_STABLE + "test_changing_users_only_grows_pools_in_place", "every ward x 40 user pairs, 6.6 s"),
    (
        _STABLE + "test_removing_an_access_switch_removes_only_its_own_facts",
        "every ward x 30 switches, 5.5 s",
    ),
    (_STABLE + "test_every_site_has_its_own_ipv6_prefix_and_nothing_overlaps_inside_it", "every ward, 5.2 s"),
    (_STABLE + "test_a_ward_added_or_removed_moves_no_other_ward", "the whole city designed, 5.2 s"),
)

# test_checks.py's whole-city check: every rule on the city's 1,129 configs, 7 s (more under mutmut's
# tracing) that every surviving mutant of the rule pack would pay; each rule's decisions are asserted on
# Ben Thanh's configs by the tests kept (test_checks.py's *_rule_fires, test_rules_*.py).
_CITY_CHECK = (
    "tests/unit/test_checks.py::test_the_whole_committed_city_is_clean",
    "the whole city checked, 7 s",
)

MODULES = {
    "ipam": Module(
        ("wardnet/ipam.py",),
        ("tests/unit/test_plan_invariants.py", "tests/unit/test_ipam.py"),
        0.95,
        cost=150,  # guessed
        keep_inventory=False,  # the loader places each site's block with ipam.site_block
    ),  # 137 of 137, 264 s, 2026-12-05
    "sizing": Module(
        ("wardnet/sizing.py",),
        (
            "tests/unit/test_sizing.py",
            "tests/unit/test_plan_invariants.py",
            "tests/unit/test_design.py",
            "tests/unit/test_plan_stable.py",
        ),
        0.95,  # 107 of 107 (+2 equivalent), 166 s, 2026-12-06
        cost=400,  # guessed
        deselect=(
            *_WHOLE_CITY,
            (
                "tests/unit/test_plan_invariants.py::test_pools_hold_the_need_at_every_power_of_two_boundary",
                "6 s alone, 85 s under mutmut's tracing: each looping mutant of the binary search waited"
                " 6 min; its bug, a pool one too large, is killed by test_sizing.py's hand figures",
            ),
        ),
        timeout_multiplier=2.0,  # users_that_fit's binary search: a looping mutant waits the whole timeout
    ),
    "secrets": Module(
        ("wardnet/secrets.py",),
        (
            "tests/unit/test_secret_forms.py",
            "tests/unit/test_secrets_environment.py",
            "tests/unit/test_audit_vendor.py",
        ),
        0.95,
        cost=80,  # guessed
    ),  # 59 of 59 (+1 equivalent), 131 s, 2026-12-05
    # The plan's decisions: VLAN places and pools, management host numbers, the IPv6 mode, the DHCP pools
    # and the capacity figures (plan_site and plan_servers, mostly constructor arguments, are left out).
    "design": Module(
        ("wardnet/design/site.py", "wardnet/design/dhcp.py", "wardnet/design/capacity.py"),
        (
            "tests/unit/test_sizing.py",
            "tests/unit/test_design.py",
            "tests/unit/test_design_pools.py",
            "tests/unit/test_plan_stable.py",
        ),
        0.95,  # 193 of 200 (+2 equivalent), 683 s, 2026-12-05; the 7 survivors: test_design_pools since
        cost=300,  # guessed
        deselect=_WHOLE_CITY,
        only=(
            "wardnet.design.site.x_plan_vlans__mutmut_*",
            "wardnet.design.site.x_management_host__mutmut_*",
            "wardnet.design.site.x__ipv6_mode__mutmut_*",
            "wardnet.design.dhcp.x_client_pools__mutmut_*",
            "wardnet.design.capacity.x_capacity__mutmut_*",
        ),
    ),
    # The rule pack: every function of each platform's rule file (the rules register by `rule(name)` after
    # their definition, not as a decorator, since mutmut mutates no decorated function). Several thousand
    # mutants in all: a systematic sample of each function's mutants is run (`--all`: every one).
    "rules-ios": Module(
        ("wardnet/checks/rules_ios.py",),
        (
            "tests/unit/test_rules_findings.py",
            "tests/unit/test_rules_ios_acls.py",
            "tests/unit/test_rules_secret_words.py",
            "tests/unit/test_rules_planted.py",
            "tests/unit/test_rules_ipv6.py",
            "tests/unit/test_rules_nac.py",
            "tests/unit/test_rules_disguised.py",
            "tests/unit/test_checks.py",
            "tests/unit/test_check_replay.py",
            "tests/unit/test_rules_ios_edges.py",
        ),
        0.99,  # sample, 2026-12-06: 240 of 240 killed (+4 equivalent), 134 s wall, 111 s CPU, load 3
        cost=600,  # guessed
        deselect=(_CITY_CHECK,),
        sample="7",
    ),
    "rules-fortios": Module(
        ("wardnet/checks/rules_fortios.py", "wardnet/checks/rules_fortios_wifi.py"),
        (
            "tests/unit/test_rules_fortios_edges.py",
            "tests/unit/test_rules_findings.py",
            "tests/unit/test_rules_fortios_wifi.py",
            "tests/unit/test_rules_ipv6.py",
            "tests/unit/test_rules_disguised.py",
            "tests/unit/test_checks.py",
        ),
        0.98,  # sample, 2026-12-06: 195 of 197 killed (99%), 10 equivalent, 2 left: wildcard, no remote-auth
        cost=550,  # guessed
        deselect=(_CITY_CHECK,),
        sample="7",
    ),
    "rules-frr": Module(
        ("wardnet/checks/rules_frr.py",),
        (
            "tests/unit/test_rules_findings.py",
            "tests/unit/test_rules_ipv6.py",
            "tests/unit/test_rules_disguised.py",
            "tests/unit/test_audit_platform_gaps.py",
            "tests/unit/test_checks.py",
            "tests/unit/test_rules_frr_edges.py",
        ),
        0.95,  # sample, 2026-12-06: 67 of 67 killed (+1 equivalent), 60 s; 2026-12-05: 59 of 67
        cost=240,  # guessed
        deselect=(_CITY_CHECK,),
        sample="7",
    ),
    "rules-server": Module(
        ("wardnet/checks/rules_server.py",),
        (
            "tests/unit/test_audit_servers.py",
            "tests/unit/test_servers_ipv6.py",
            "tests/unit/test_rules_server_edges.py",
        ),
        0.95,  # sample, 2026-12-06: 70 of 70 killed (+4 equivalent), 33 s; 2026-12-05: 52 of 73
        cost=250,  # guessed
        deselect=(
            (
                "tests/unit/test_audit_servers.py::test_the_callback_records_changed_tasks_with_their_diff_and_the_state",
                "an Ansible run of the audit callback, 6.3 s, no rule in it",
            ),
        ),
        sample="7",
    ),
    # The compare engine (multiset and sequence blocks, leftovers paired by keyword) and the tree parser.
    "audit": Module(
        ("wardnet/audit/compare.py", "wardnet/audit/normalise.py"),
        (
            "tests/unit/test_audit_pairing.py",
            "tests/unit/test_audit_order.py",
            "tests/unit/test_audit_compare.py",
        ),
        0.95,
        cost=200,  # guessed
        only=(
            "wardnet.audit.compare.x__key_words__mutmut_*",
            "wardnet.audit.compare.x__related__mutmut_*",
            "wardnet.audit.compare.x__all_lines__mutmut_*",
            "wardnet.audit.compare.xǁComparisonǁ*",
            "wardnet.audit.compare.x__section__mutmut_*",
            "wardnet.audit.normalise.x_parse__mutmut_*",
        ),
    ),  # 191 of 193 (+6 equivalent), 2026-12-05: see README
    # What decides commit, confirm, roll back, skip, failed (NOT_SENT) and the exit code.
    "deploy": Module(
        ("wardnet/deploy/site.py", "wardnet/deploy/run.py"),
        ("tests/unit/test_deploy_decisions.py",),
        0.95,
        cost=150,  # guessed
        only=(
            "wardnet.deploy.site.x_commit_order__mutmut_*",
            "wardnet.deploy.site.x__transaction__mutmut_*",
            "wardnet.deploy.site.x__commit_all__mutmut_*",
            "wardnet.deploy.site.x__confirm_all__mutmut_*",
            "wardnet.deploy.site.x__roll_back_all__mutmut_*",
            "wardnet.deploy.run.x_exit_code__mutmut_*",
        ),
    ),  # 292 of 292 (+3 equivalent), 299 s, 2026-12-05
}
# Survivors that no test can kill, by mutmut name, with the reason (checked by hand with `mutmut show`).
EQUIVALENT: dict[str, str] = {
    # Differs only where a VLAN's place holds more than a million users (a share under 0.1 %), and there the
    # answer is the search's own cap either way: no ward comes near it.
    "wardnet.sizing.x_users_that_fit__mutmut_6": "the binary search's cap 1,000,000 -> 1,000,001",
    # For low < high, (low + high + 2) // 2 still lies in (low, high]: the search takes other steps to the
    # same last count that fits (any middle in that range does; it must only never equal low).
    "wardnet.sizing.x_users_that_fit__mutmut_12": "middle = (low + high + 1) // 2 -> (low + high + 2) // 2",
    # `vlan.ipv6 == "slaac" or serves`: when the VLAN asks for SLAAC both branches give "slaac", so the first
    # test only saves the second; a mutant that never matches it changes no answer.
    "wardnet.design.site.x__ipv6_mode__mutmut_13": '== "slaac" -> == "XXslaacXX" (the test is redundant)',
    "wardnet.design.site.x__ipv6_mode__mutmut_14": '== "slaac" -> == "SLAAC" (the test is redundant)',
    # PLACEHOLDER only matches text holding "<<secret:": the `in` test is a fast path, the answer is the same.
    "wardnet.secrets.x_redact_line__mutmut_5": "the '<<secret:' fast path skipped (`or True`)",
    # `how` is only ever read by `if not how`: None and "" are both false.
    "wardnet.deploy.site.x__roll_back_all__mutmut_41": 'how = "" -> None before the rollback',
    "wardnet.deploy.site.x__roll_back_all__mutmut_49": 'how = "" -> None when the rollback raises',
    # lstrip takes a set of characters: "XX; XX" strips X, ";" and " ", and the wait's message starts "; the".
    "wardnet.deploy.site.x__roll_back_all__mutmut_61": 'lstrip("; ") -> lstrip("XX; XX")',
    # SequenceMatcher reads autojunk for its truth: None is False.
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_4": "autojunk=False -> autojunk=None",
    # autojunk (difflib's default, True) only takes as junk a line over 1 % of a block of 200 or more:
    # in a swap next to such a line it names the other of the two lines as moved; the number and kinds of
    # findings stayed the same over 3,000 random 200-260-line ACLs with repeated remarks (swaps, deletions,
    # insertions), so no verdict changes.
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_8": "autojunk=False -> difflib's default (True)",
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_9": "autojunk=False -> autojunk=True",
    # An ICMPv6 keyword the rule does not know gives the sentinel type -1 (-2 here): no type is negative, so
    # either matches no type the rule asks about.
    "wardnet.checks.rules_ios.x__icmp6_match__mutmut_47": "unknown ICMPv6 keyword's type -1 -> -2",
    # per_body with no children computes the answer instead of taking the kept one: the same answer, unkept.
    "wardnet.checks.rules_ios.x_acl6_problems__mutmut_7": "per_body(acl.children) -> per_body(None): no memo",
    # A line's text is stripped: one starting "ipv6 traffic-filter " has a third word, so > 2 and >= 2 agree.
    "wardnet.checks.rules_ios.x_icmpv6__mutmut_17": "len(words) > 2 -> >= 2 on 'ipv6 traffic-filter X'",
    # per_bodies gives one answer per port: both lists have the same length, so strict never fires.
    "wardnet.checks.rules_ios.x_services_and_ports__mutmut_37": "zip(strict=True) -> strict=None",
    # normalise.parse reads `block` only for its truth and sets `depth` with the block's first line, before
    # either is read: their initial values (and the emptied block's) are never seen.
    "wardnet.audit.normalise.x_parse__mutmut_3": "block: list[str] = [] -> None (only read as `if block`)",
    "wardnet.audit.normalise.x_parse__mutmut_20": "emptied block = [] -> None (only read as `if block`)",
    "wardnet.audit.normalise.x_parse__mutmut_4": "depth = 0 -> None (set before it is read)",
    "wardnet.audit.normalise.x_parse__mutmut_5": "depth = 0 -> 1 (set before it is read)",
    # zip over an `equal` opcode: both ranges have the same length, so strict never fires.
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_15": "zip(strict=True) -> strict=None",
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_18": "zip(strict=True) -> no strict",
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_19": "zip(strict=True) -> strict=False",
    # A default only compared with a value it can never equal: `value(key, d) != "accept"` (or `== "disable"`,
    # `== "md5"`, `not in ("a-p", "a-a")`) is the same for "deny", "DENY", "" and None, so an unset key gives
    # the same verdict whatever the default.
    "wardnet.checks.rules_fortios.x__flows6__mutmut_77": 'action "deny" -> "DENY" (!= "accept")',
    "wardnet.checks.rules_fortios.x_flows__mutmut_87": 'action "deny" -> None (!= "accept")',
    "wardnet.checks.rules_fortios.x_icmpv6__mutmut_27": 'action "deny" -> "DENY" (!= "accept")',
    "wardnet.checks.rules_fortios.x_flows__mutmut_17": 'status "enable" -> "" (!= "disable")',
    "wardnet.checks.rules_fortios.x_management__mutmut_217": 'status "enable" -> "XXenableXX"',
    "wardnet.checks.rules_fortios.x_snmp_and_ha__mutmut_37": 'status "enable" -> None (!= "disable")',
    "wardnet.checks.rules_fortios.x_snmp_and_ha__mutmut_77": 'auth-proto "sha" -> "SHA" (!= "md5")',
    "wardnet.checks.rules_fortios.x_snmp_and_ha__mutmut_117": 'HA mode "standalone" -> "" (not a-p/a-a)',
    "wardnet.checks.rules_fortios.x_management__mutmut_277": 'status "enable" -> None (== "disable")',
    # Every caller passes a non-empty value list (`and v`, `.get(...)` tested first): for one value,
    # "/".join([v]) is v, so `len > 1` and `len >= 1` give the same text.
    "wardnet.checks.rules_fortios.x__network__mutmut_7": "len(values) > 1 -> >= 1 (one value: the same)",
    # A FortiOS port range is `low[-high][:srclow[-srchigh]]`, one colon at most (FortiOS 7.2 CLI Reference,
    # config firewall service custom, tcp-portrange): its first colon is its last, so split and rsplit agree.
    "wardnet.checks.rules_fortios.x__ranges__mutmut_7": 'split(":", 1) -> rsplit(":", 1) (one colon at most)',
    # The first piece of a split is the same whatever the number of splits.
    "wardnet.checks.rules_server.x__input_chain__mutmut_27": 'split("\\n\\t}", 1)[0] -> split("\\n\\t}")[0]',
    # number() reads "0" and "XX0XX" alike as 0 (the default it is given): an unset pwquality minclass.
    "wardnet.checks.rules_server.x_lockout_and_passwords__mutmut_107": 'unset minclass "0" -> "XX0XX"',
    # A missing forwarding file read as "XXXX" instead of "": neither holds a target="...".
    "wardnet.checks.rules_server.x_logging_and_time__mutmut_7": 'missing forwarding file "" -> "XXXX"',
    # number() reads "0" and "XX0XX" alike as 0 (the default it is given): an unset ClientAliveInterval.
    "wardnet.checks.rules_server.x_ssh_daemon__mutmut_107": 'unset ClientAliveInterval "0" -> "XX0XX"',
    # Only a base chain has a `type` line, and only input and forward with policy drop are judged (any other
    # policy is the finding): `type ... hook ...; policy drop;` holds no word accept, jump or goto, and the
    # kernel refuses a jump to a base chain, so reading the type line as a rule adds nothing.
    "wardnet.checks.rules_frr.x_accepts__mutmut_7": "the chain's `type` line skipped -> read as a rule",
}


def _setup_cfg(module: Module) -> str:
    lines = [
        "[mutmut]",
        "source_paths=wardnet/",
        "only_mutate=" + "\n\t".join(module.paths),
        "pytest_add_cli_args_test_selection="
        + "\n\t".join([*module.tests, *(f"--deselect={test}" for test, _ in module.deselect)]),
        # Plain asserts and no traceback: a killed mutant needs the failure, not pytest's diff of two large
        # structures (seconds of CPU each, enough to hit the timeout and waste it).
        # tests.mutation_order runs a mutant's tests fastest first, so most mutants die in a cheap test.
        "pytest_add_cli_args=-q\n\t-x\n\t-p\n\tno:cacheprovider\n\t-p\n\ttests.mutation_order"
        "\n\t--assert=plain\n\t--tb=no",
        # A mutant that loops is stopped after 4 x (the module's multiplier) (its tests' measured time
        # + 15 s) of wall time (twice that of CPU). mutmut measures only the tests' calls, not their
        # fixtures, collection or the fork's start: 4 s there timed out 6 surviving audit mutants whose 26
        # tests (1.3 s of calls) took 22-32 s at load 15, and a timeout counts as killed. Every looping
        # mutant costs the whole wait (mutmut's own 15 x (time + 1 s) cost half an hour on one of sizing).
        f"timeout_multiplier={module.timeout_multiplier}",
        "timeout_constant=15.0",
        "also_copy=" + "\n\t".join(f"{name}/" for name in COPY if (REPO / name).is_dir()),
    ]
    return "\n".join(lines) + "\n"


def prepare(name: str, module: Module, workdir: Path) -> Path:
    """A fresh copy of what the tests read, with mutmut's settings for this module only."""
    root = workdir / name
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis")
    for item in COPY:
        source = REPO / item
        if source.is_dir():
            shutil.copytree(source, root / item, ignore=ignore)
        else:
            shutil.copy(source, root / item)
    (root / "setup.cfg").write_text(_setup_cfg(module))
    return root


def results(root: Path, module: Module) -> dict[str, int | None]:
    """mutant name → exit code of its test run (None: not run), from mutmut's own record."""
    codes: dict[str, int | None] = {}
    for path in module.paths:
        meta = root / "mutants" / f"{path}.meta"
        if meta.is_file():
            codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def failed_tests(root: Path) -> dict[str, str]:
    """mutant name → the test seen failing on it (tests/mutation_order.py's killed_by.txt)."""
    killed_by = root / "mutants" / "killed_by.txt"
    lines = killed_by.read_text(encoding="utf-8").splitlines() if killed_by.is_file() else []
    return dict(line.split(" ", 1) for line in lines)


@dataclass(frozen=True)
class Score:
    killed: int
    survivors: list[str]
    errors: list[str]  # exited as if killed, but no test failed on them: their tests never ran

    @property
    def counted(self) -> int:
        return self.killed + len(self.survivors) + len(self.errors)


def score(codes: dict[str, int | None], failed: dict[str, str]) -> Score:
    """Killed: a test failed on it, or it timed out. Equivalent mutants and those never run are left out."""
    killed, survivors, errors = 0, [], []
    for name, code in sorted(codes.items()):
        if code in TIMEOUT or (code in FAILED_TEST and name in failed):
            killed += 1
        elif code is None or name in EQUIVALENT:
            continue
        elif code in SURVIVED:
            survivors.append(name)
        else:
            errors.append(name)  # exited as if killed (or oddly) with no test seen failing
    return Score(killed, survivors, errors)


@dataclass
class Running:
    name: str
    module: Module
    root: Path
    process: subprocess.Popen[bytes]
    started: float


def _start(name: str, module: Module, workdir: Path, mutmut: Path) -> Running:
    root = prepare(name, module, workdir)
    env = {**os.environ, "WARDNET_HYPOTHESIS_PROFILE": "mutation"}  # no shrinking per mutant
    if module.keep_inventory:
        env["WARDNET_KEEP_INVENTORY"] = "1"  # tests/conftest.py: one load, shared by the forked mutants
    # One mutmut child per module: --jobs modules run side by side, so the stats and clean-test runs that
    # mutmut makes alone (one core) before forking overlap with another module's mutants.
    process = subprocess.Popen(
        [str(mutmut), "run", "--max-children", "1", *module.patterns()],
        cwd=root,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    return Running(name, module, root, process, time.monotonic())


def killers(root: Path, failed: dict[str, str]) -> str:
    """Kills per test file (the test that failed first on each mutant), and the tests that reached a
    mutated function but killed nothing, with their measured time: candidates to leave out when a module's
    run is too slow."""
    kills = Counter(test.split("::")[0].rsplit("/", 1)[-1] for test in failed.values())
    stats_file = root / "mutants" / "mutmut-stats.json"
    stats = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
    reached = set().union(*map(set, stats.get("tests_by_mangled_function_name", {}).values()))
    idle = reached - set(failed.values())
    seconds = sum(stats.get("duration_by_test", {}).get(test, 0.0) for test in idle)
    files = ", ".join(f"{name} {count}" for name, count in kills.most_common())
    return f"kills by file: {files or 'none'}; {len(idle)} tests reached it and killed none ({seconds:.1f} s)"


def _report(done: Running, cpu: float, mutmut: Path) -> tuple[int, int, float, float, bool]:
    """Print the module's survivors and errors; (counted, killed, score, wall, failed)."""
    module = done.module
    failed = failed_tests(done.root)
    result = score(results(done.root, module), failed)
    value = result.killed / result.counted if result.counted else 0.0
    wall = time.monotonic() - done.started
    stopped = done.process.returncode != 0 or not result.counted  # mutmut stopped (a clean test failed, say)
    said = f"; mutmut exited {done.process.returncode}" if stopped else ""
    print(
        f"== {done.name}: {result.killed} of {result.counted} killed in {wall:.0f} s ({cpu:.0f} s CPU){said}",
        flush=True,
    )
    print(f"   {killers(done.root, failed)}", flush=True)
    for survivor in result.survivors:
        print(f"   survived: {survivor} (see: cd {done.root} && {mutmut} show {survivor})", flush=True)
    notes = _session_notes(done.root)
    for error in result.errors:
        why = notes.get(error, "no failed test recorded")
        print(f"   ERROR (its tests did not run: {why}): {error}", flush=True)
    low = stopped or bool(result.errors) or value < module.threshold
    return result.counted, result.killed, value, wall, low


def _session_notes(root: Path) -> dict[str, str]:
    """mutant → how its pytest session ended when no test failed (tests/mutation_order.py's sessions.txt)."""
    notes = root / "mutants" / "sessions.txt"
    lines = notes.read_text(encoding="utf-8").splitlines() if notes.is_file() else []
    return dict(line.split(" ", 1) for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="default: all")
    # Two modules at a time, one mutant each: the 2 cores the issue budgets (--jobs 1 on a shared machine).
    parser.add_argument("--jobs", type=int, default=2, help="modules run side by side")
    parser.add_argument("--all", action="store_true", help="every mutant of a sampled module (slow)")
    parser.add_argument("--workdir", type=Path, default=REPO / "build" / "mutation")
    args = parser.parse_args(argv)
    mutmut = Path(sys.executable).parent / "mutmut"
    chosen = sorted(args.module or MODULES, key=lambda name: -MODULES[name].cost)
    waiting = [(n, replace(MODULES[n], sample="") if args.all else MODULES[n]) for n in chosen]
    for name, module in waiting:
        sampled = f", mutants numbered *{module.sample}" if module.sample else ""
        print(f"== {name}: {', '.join(module.paths)}{sampled} against {', '.join(module.tests)}", flush=True)
        for test, reason in module.deselect:
            print(f"   excluded: {test} ({reason})", flush=True)
    started = time.monotonic()
    rows: dict[str, tuple[int, int, float, float, bool, float, float]] = {}
    running: dict[int, Running] = {}
    while waiting or running:
        while waiting and len(running) < args.jobs:
            name, module = waiting.pop(0)
            job = _start(name, module, args.workdir, mutmut)
            running[job.process.pid] = job
        pid, status, usage = os.wait4(-1, 0)  # the module's whole tree: mutmut and every mutant it waited for
        if pid in running:
            done = running.pop(pid)
            done.process.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            rows[done.name] = (*_report(done, cpu, mutmut), cpu, os.getloadavg()[1])
    # load: the machine's 5-minute load average when the module ended (2 cores: above 2, others share them).
    columns = f"{'mutants':>9}{'killed':>8}{'score':>8}{'threshold':>11}{'time':>8}{'CPU':>8}{'load':>6}"
    print(f"\n{'module':<15}{columns}")
    for name in sorted(chosen):
        counted, killed, value, wall, low, cpu, load = rows[name]
        flag = "  BELOW THRESHOLD" if low else ""
        sample = "  (sample)" if MODULES[name].sample and not args.all else ""
        threshold = MODULES[name].threshold
        figures = f"{counted:>9}{killed:>8}{value:>8.0%}{threshold:>11.0%}{wall:>7.0f}s{cpu:>7.0f}s"
        print(f"{name:<15}{figures}{load:>6.1f}{flag}{sample}")
    wall, cpu = time.monotonic() - started, sum(row[5] for row in rows.values())
    print(f"{'total':<51}{wall:>7.0f}s{cpu:>7.0f}s{os.getloadavg()[1]:>6.1f}  (wall: the whole run)")
    return 1 if any(row[4] for row in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
