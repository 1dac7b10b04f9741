"""Issue 22: render refuses a site whose check has critical/high findings unless --force, and path arguments
are checked before any work starts (exit 2, nothing written, no traceback)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, INVENTORY, REPO, ward_file
from tests.unit.test_inventory_tools import tool_env
from wardnet.cli import main

CON_DAO = "26732"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, text


@pytest.fixture
def too_small(inventory_copy: Callable[..., Path]) -> Path:
    """Bến Thành designed for 10 users: valid input, but CAP-USERS (high) in its check."""
    root = inventory_copy(BEN_THANH, CON_DAO)
    path = ward_file(root, BEN_THANH)
    path.write_text(
        path.read_text(encoding="utf-8").replace("concurrent_users: 500", "concurrent_users: 10"),
        encoding="utf-8",
    )
    return root


def test_render_refuses_a_site_with_high_findings(too_small: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code, text = run(["render", "--inventory", str(too_small), "--out", str(out)], capsys)
    assert code == 2
    assert not out.exists()
    assert "CAP-USERS" in text and "26743" in text
    assert "refused" in text and "nothing was written" in text and "--force" in text


def test_render_force_writes_and_says_so(too_small: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code, text = run(["render", "--inventory", str(too_small), "--out", str(out), "--force"], capsys)
    assert code == 0
    assert (out / "26743-ben-thanh" / "hcm-26743-core.cfg").is_file()
    assert "warning: --force" in text and "26743" in text


def test_render_gate_is_per_selected_site(too_small: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code, text = run(["render", "--inventory", str(too_small), "--out", str(out), "--site", CON_DAO], capsys)
    assert code == 0, text
    assert (out / "26732-con-dao").is_dir() and not (out / "26743-ben-thanh").exists()


def test_out_is_an_existing_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "file"
    target.write_text("keep me", encoding="utf-8")
    code, text = run(["render", "--inventory", str(INVENTORY), "--out", str(target)], capsys)
    assert code == 2 and "--out: is a file, not a folder" in text
    assert target.read_text(encoding="utf-8") == "keep me"


def test_out_below_a_file(tmp_path: Path, capsys) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    code, text = run(
        ["render", "--inventory", str(INVENTORY), "--out", str(tmp_path / "file" / "out")], capsys
    )
    assert code == 2 and "cannot be created" in text and "is not a folder" in text


def test_out_in_an_unwritable_place(capsys) -> None:
    code, text = run(["render", "--inventory", str(INVENTORY), "--out", "/proc/wardnet-out"], capsys)
    assert code == 2 and "--out: cannot be written: /proc is not writable" in text


def test_paths_are_checked_before_any_work(
    inventory_copy: Callable[..., Path], tmp_path: Path, capsys
) -> None:
    root = inventory_copy(BEN_THANH)
    path = ward_file(root, BEN_THANH)
    path.write_text(
        path.read_text(encoding="utf-8").replace("type: ward", "type: district"), encoding="utf-8"
    )
    (tmp_path / "file").write_text("", encoding="utf-8")
    code, text = run(["render", "--inventory", str(root), "--out", str(tmp_path / "file")], capsys)
    assert code == 2 and "--out" in text
    assert "district" not in text, "the inventory must not be read before the paths are known to be usable"


def test_inventory_that_is_not_a_folder(tmp_path: Path, capsys) -> None:
    code, text = run(
        ["render", "--inventory", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and "--inventory: no such folder" in text
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("where", ["folder", "proc"])
def test_check_output_that_cannot_be_a_file(tmp_path: Path, capsys, where: str) -> None:
    output = str(tmp_path) if where == "folder" else "/proc/wardnet-check.json"
    code, text = run(
        ["check", "--inventory", str(INVENTORY), "--site", BEN_THANH, "--output", output], capsys
    )
    assert code == 2
    assert ("--output: is a folder, not a file" if where == "folder" else "cannot be written") in text


def test_out_inside_the_inventory(inventory_copy: Callable[..., Path], capsys) -> None:
    root = inventory_copy(BEN_THANH)
    code, text = run(["render", "--inventory", str(root), "--out", str(root / "wards" / "out")], capsys)
    assert code == 2 and "--out: is inside the inventory" in text
    assert not (root / "wards" / "out").exists()


def _render_playbook(inventory: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ansible-playbook", "playbooks/render.yml", "-e", f"inventory_path={inventory}", "-e", f"out={out}",
         "-e", f"site={BEN_THANH}", *extra],
        cwd=REPO, env=tool_env(), check=False, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.slow
def test_the_render_playbook_has_the_same_gate(too_small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    refused = _render_playbook(too_small, out)
    assert refused.returncode == 2, refused.stdout + refused.stderr  # ansible-playbook: a task failed
    assert "refused: 1 site(s) have critical or high check findings (26743)" in refused.stdout
    assert "CAP-USERS" in refused.stdout and "force=true" in refused.stdout
    assert not out.exists()

    forced = _render_playbook(too_small, out, "-e", "force=true")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    warning = "force: rendering site(s) with critical or high check findings: 26743"
    assert warning in forced.stdout + forced.stderr
    assert (out / "26743-ben-thanh" / "hcm-26743-core.cfg").is_file()
