"""`wardnet plan diff` against a real git history, and the same section in `wardnet check`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, ward_file
from wardnet.cli import main


@pytest.fixture
def repo(inventory_copy: Callable[..., Path]) -> Path:
    """A git repository holding a two-site inventory, committed."""
    root = inventory_copy(BEN_THANH, "26732")
    top = root.parent

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(top), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "inventory")
    return root


def plan_diff(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["plan", "diff", "--inventory", str(root), *extra])
    return code, capsys.readouterr().out


def test_a_clean_tree_has_no_plan_change(repo: Path, capsys) -> None:
    assert plan_diff(repo, capsys, "--fail-on-move") == (
        0,
        "no plan change between HEAD and the working tree\n",
    )


def test_growth_and_new_switches_are_not_moves(repo: Path, capsys) -> None:
    path = ward_file(repo, BEN_THANH)
    text = path.read_text(encoding="utf-8").replace("concurrent_users: 500", "concurrent_users: 900")
    path.write_text(
        text.replace(
            "  - {name: acc5, role: access, model: C9300-48P}\n",
            "  - {name: acc5, role: access, model: C9300-48P}\n"
            "  - {name: acc6, role: access, model: C9300-48P}\n",
        )
    )
    code, out = plan_diff(repo, capsys, "--fail-on-move")
    assert code == 0
    assert "+26743 vlan 20 STAFF subnet = 10.65.52.0/23   # grown" in out
    assert "+hcm-26743-acc6 management = 10.65.55.16" in out
    assert "+26743 vlan 40 VOICE subnet = 10.65.48.0/24   # grown" in out  # 72 phones x 2 > 117 (/25 pool)
    assert out.splitlines()[-1].startswith("0 moved, 8 grown, ")


def test_moving_a_vlan_place_fails_with_fail_on_move(repo: Path, capsys) -> None:
    baseline = repo / "group_vars/all/baseline.yml"
    baseline.write_text(
        baseline.read_text(encoding="utf-8").replace("place: 0.0.7.64/27}", "place: 0.0.7.192/27}")
    )  # SERVERS to a free place (0.0.0.0/24, the old target, is VOICE's since issue 17)
    code, out = plan_diff(repo, capsys, "--fail-on-move")
    assert code == 1
    assert "-26743 vlan 60 SERVERS subnet = 10.65.55.64/27" in out
    assert "+26743 vlan 60 SERVERS subnet = 10.65.55.192/27   # moved" in out
    assert "+26732 vlan 60 SERVERS" in out  # every site moves: the reviewer sees the whole blast radius
    assert plan_diff(repo, capsys)[0] == 0  # without --fail-on-move it only reports


def test_check_shows_what_an_uncommitted_edit_moves(repo: Path, capsys) -> None:
    path = ward_file(repo, BEN_THANH)
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - {name: acc2, role: access, model: C9300-48P}\n", "")
    )
    assert main(["check", "--inventory", str(repo), "--site", BEN_THANH]) == 1  # CAP-PORTS: one switch short
    err = capsys.readouterr().err
    assert "-hcm-26743-acc2 management = 10.65.55.12   # removed" in err


def test_an_unknown_ref_is_refused(repo: Path, capsys) -> None:
    code = main(["plan", "diff", "--inventory", str(repo), "--against", "no-such-ref"])
    assert code == 2 and "no-such-ref" in capsys.readouterr().err
