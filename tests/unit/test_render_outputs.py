"""Clean outputs (issue 15): the output folder holds exactly what the last render produced."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BEN_THANH, ward_file
from wardnet.cli import main

CON_DAO = "26732"


def render(root: Path, out: Path, capsys: pytest.CaptureFixture[str], *codes: str) -> tuple[int, str]:
    args = ["render", "--inventory", str(root), "--out", str(out)]
    for code in codes:
        args += ["--site", code]
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name[0] != "."}


def test_a_removed_switch_leaves_no_file(inventory_copy: Callable[..., Path], tmp_path, capsys) -> None:
    root = inventory_copy(BEN_THANH, CON_DAO)
    out = tmp_path / "out"
    assert render(root, out, capsys)[0] == 0
    before = files(out)
    assert "26743-ben-thanh/hcm-26743-acc2.cfg" in before
    path = ward_file(root, BEN_THANH)
    text = path.read_text(encoding="utf-8").replace("  - {name: acc2, role: access, model: C9300-48P}\n", "")
    # fewer users too: four switches must still cover the ports, or the render gate refuses the site
    path.write_text(text.replace("concurrent_users: 500", "concurrent_users: 400"))
    code, text = render(root, out, capsys)
    assert code == 0
    assert f"removed: {out / '26743-ben-thanh/hcm-26743-acc2.cfg'}" in text and "1 removed" in text
    assert files(out) == before - {"26743-ben-thanh/hcm-26743-acc2.cfg"}


def test_a_renamed_ward_leaves_one_folder(inventory_copy: Callable[..., Path], tmp_path, capsys) -> None:
    root = inventory_copy(BEN_THANH, CON_DAO)
    out = tmp_path / "out"
    assert render(root, out, capsys, BEN_THANH)[0] == 0
    old = ward_file(root, BEN_THANH)
    old.write_text(old.read_text(encoding="utf-8").replace("name: Bến Thành", "name: Bến Thành Mới"))
    old.rename(old.with_name("26743-ben-thanh-moi.yml"))
    assert render(root, out, capsys, BEN_THANH)[0] == 0
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["26743-ben-thanh-moi"]


def test_rendering_one_site_keeps_the_others(inventory_copy: Callable[..., Path], tmp_path, capsys) -> None:
    root = inventory_copy(BEN_THANH, CON_DAO)
    out = tmp_path / "out"
    assert render(root, out, capsys)[0] == 0
    before = files(out)
    code, text = render(root, out, capsys, CON_DAO)
    assert code == 0 and "0 removed" in text
    assert files(out) == before


def test_a_folder_with_foreign_files_is_refused_and_untouched(
    inventory_copy: Callable[..., Path], tmp_path, capsys
) -> None:
    root = inventory_copy(BEN_THANH)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, text = render(root, out, capsys)
    assert code == 2 and "notes.txt" in text and "Traceback" not in text
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_out_that_is_a_file_is_refused(inventory_copy: Callable[..., Path], tmp_path, capsys) -> None:
    root = inventory_copy(BEN_THANH)
    out = tmp_path / "out"
    out.write_text("a file")
    code, text = render(root, out, capsys)
    assert code == 2 and "is a file" in text
    assert out.read_text() == "a file"
