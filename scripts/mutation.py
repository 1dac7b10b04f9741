"""Mutation testing of the core modules with mutmut: `make mutation` (not part of `make test`).

Each module is mutated in its own scratch copy of the repository (build/mutation/<name>/), against the
tests that are meant to catch its bugs, so one module's run never waits on the whole suite. Prints the
score per module (killed / mutants; a timeout counts as killed, a mutant no selected test runs counts as
survived), lists the survivors, and exits 1 when a module scores under its threshold. Raise a threshold
when a module's score goes up; a survivor that cannot be killed (an equivalent mutant) goes in EQUIVALENT
with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPY = ["wardnet", "tests", "inventories", "plugins", "scripts", "pyproject.toml"]
KILLED = {1, 3, 24, -24, 36, 152, 255}  # a failing test, pytest's internal error, or a timeout
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

MODULES = {
    "ipam": Module(
        ("wardnet/ipam.py",), ("tests/unit/test_plan_invariants.py", "tests/unit/test_ipam.py"), 0.95
    ),  # 137 of 137, 264 s, 2026-12-05
    "sizing": Module(
        ("wardnet/sizing.py",),
        (
            "tests/unit/test_sizing.py",
            "tests/unit/test_plan_invariants.py",
            "tests/unit/test_design.py",
            "tests/unit/test_plan_stable.py",
        ),
        0.70,
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
        deselect=_WHOLE_CITY,
        only=(
            "wardnet.design.site.x_plan_vlans__mutmut_*",
            "wardnet.design.site.x_management_host__mutmut_*",
            "wardnet.design.site.x__ipv6_mode__mutmut_*",
            "wardnet.design.dhcp.x_client_pools__mutmut_*",
            "wardnet.design.capacity.x_capacity__mutmut_*",
        ),
    ),
    # The rule pack: the rules themselves are decorated (@rule) and mutmut 3 leaves decorated functions alone,
    # so the helper that decides every secret finding (type 7, type 5, clear text) is what is mutated.
    "rules-ios": Module(
        ("wardnet/checks/rules_ios.py",),
        ("tests/unit/test_rules_secret_words.py", "tests/unit/test_rules_planted.py"),
        0.95,
        only=("wardnet.checks.rules_ios.x__secret_problem__mutmut_*",),
    ),  # 95 of 95, 442 s, 2026-12-05
    # The compare engine (multiset and sequence blocks, leftovers paired by keyword) and the tree parser.
    "audit": Module(
        ("wardnet/audit/compare.py", "wardnet/audit/normalise.py"),
        (
            "tests/unit/test_audit_pairing.py",
            "tests/unit/test_audit_order.py",
            "tests/unit/test_audit_compare.py",
        ),
        0.95,
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
    # zip over an `equal` opcode: both ranges have the same length, so strict never fires.
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_15": "zip(strict=True) -> strict=None",
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_18": "zip(strict=True) -> no strict",
    "wardnet.audit.compare.xǁComparisonǁsequence__mutmut_19": "zip(strict=True) -> strict=False",
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


def score(codes: dict[str, int | None]) -> tuple[int, int, list[str]]:
    """(killed, counted, survivors): equivalent mutants and those never run are left out of the count."""
    killed = [n for n, c in codes.items() if c in KILLED]
    survivors = sorted(n for n, c in codes.items() if c in SURVIVED and n not in EQUIVALENT)
    return len(killed), len(killed) + len(survivors), survivors


def _children_cpu() -> float:
    """CPU seconds of the finished children (mutmut and its mutants): what the run costs whatever the load;
    with --jobs 2 on an idle 2-core machine the wall time is about half of it."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="default: all")
    # Two children: one a core of the 2 the issue budgets (--jobs 1 on a machine others need).
    parser.add_argument("--jobs", type=int, default=2, help="mutmut --max-children")
    parser.add_argument("--workdir", type=Path, default=REPO / "build" / "mutation")
    args = parser.parse_args(argv)
    mutmut = Path(sys.executable).parent / "mutmut"
    failed = False
    rows = []
    for name in args.module or sorted(MODULES):
        module = MODULES[name]
        root = prepare(name, module, args.workdir)
        print(f"== {name}: mutating {', '.join(module.paths)} against {', '.join(module.tests)}", flush=True)
        for test, reason in module.deselect:
            print(f"   excluded: {test} ({reason})", flush=True)
        started, cpu = time.monotonic(), _children_cpu()
        subprocess.run(
            [str(mutmut), "run", "--max-children", str(args.jobs), *module.only],
            cwd=root,
            check=False,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "WARDNET_HYPOTHESIS_PROFILE": "mutation"},  # no shrinking per mutant
        )
        killed, counted, survivors = score(results(root, module))
        value = killed / counted if counted else 0.0
        low = value < module.threshold
        failed |= low
        spent = (time.monotonic() - started, _children_cpu() - cpu, os.getloadavg()[1])
        rows.append((name, counted, killed, value, module.threshold, *spent, low))
        for survivor in survivors:
            print(f"   survived: {survivor} (see: cd {root} && {mutmut} show {survivor})")
    # load: the machine's 5-minute load average when the module ended (2 cores: above 2, others share them).
    columns = f"{'mutants':>9}{'killed':>8}{'score':>8}{'threshold':>11}{'time':>8}{'CPU':>8}{'load':>6}"
    print(f"\n{'module':<15}{columns}")
    for name, counted, killed, value, threshold, seconds, cpu_seconds, load, low in rows:
        flag = "  BELOW THRESHOLD" if low else ""
        figures = (
            f"{counted:>9}{killed:>8}{value:>8.0%}{threshold:>11.0%}{seconds:>7.0f}s{cpu_seconds:>7.0f}s"
        )
        print(f"{name:<15}{figures}{load:>6.1f}{flag}")
    wall, cpu = sum(row[5] for row in rows), sum(row[6] for row in rows)
    print(f"{'total':<51}{wall:>7.0f}s{cpu:>7.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
