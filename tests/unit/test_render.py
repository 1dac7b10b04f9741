"""Render: byte-identical, golden files for three kinds of site, strict about missing data."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest

from tests.conftest import INVENTORY, REPO
from wardnet.cli import main
from wardnet.inventory import Inventory
from wardnet.pipeline import designs, render_all
from wardnet.render import Renderer

GOLDEN = REPO / "tests" / "golden"
# A central ward, a rural commune, the island special zone.
GOLDEN_SITES = ["26743", "25777", "26732"]


def test_rerender_is_byte_identical_and_touches_nothing(tmp_path: Path, capsys) -> None:
    args = [
        "render",
        "--inventory",
        str(INVENTORY),
        "--out",
        str(tmp_path),
        *[arg for code in GOLDEN_SITES for arg in ("--site", code)],
    ]
    assert main(args) == 0
    first = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in first}
    assert main(args) == 0
    assert "0 files written" in capsys.readouterr().out.splitlines()[-1]
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == first
    assert {p: p.stat().st_mtime_ns for p in first} == stamps


@pytest.mark.parametrize("code", GOLDEN_SITES)
def test_golden_files(inventory: Inventory, code: str) -> None:
    # Read only: `make golden` (scripts/update_golden.py) is the one writer, so a run cannot bless itself.
    outputs = render_all(designs(inventory, [code]))
    folder = GOLDEN / outputs[0].site
    assert folder.is_dir(), f"no golden files for {code}; run `make golden` and review the diff"
    assert {p.name for p in folder.iterdir()} == {item.name for item in outputs}
    for item in outputs:
        assert item.text == (folder / item.name).read_text(encoding="utf-8"), (
            f"{folder / item.name} differs from the render; if intended, run `make golden`, review the diff"
        )


def test_every_golden_folder_is_tested() -> None:
    assert sorted(p.name.split("-", 1)[0] for p in GOLDEN.iterdir() if p.is_dir()) == sorted(GOLDEN_SITES)


def test_three_platforms_and_a_site_page(inventory: Inventory) -> None:
    outputs = render_all(designs(inventory, ["26743"]))
    names = sorted(item.name for item in outputs)
    assert names[0] == "README.md" and "hcm-26743-fw.conf" in names and "hcm-26743-acc5.cfg" in names
    page = next(item.text for item in outputs if item.name == "README.md")
    assert "| 50 | GUEST-WIFI | guest |" in page and "### hcm-26743-acc1" in page


def test_missing_data_fails_loudly(inventory: Inventory) -> None:
    config = designs(inventory, ["26743"])[0].devices["hcm-26743-acc1"]
    config = replace(config, ntp=SimpleNamespace())  # an NTP part without its values
    with pytest.raises(jinja2.UndefinedError):
        Renderer().device(config)


def test_data_is_never_evaluated_as_a_template(inventory: Inventory) -> None:
    config = replace(designs(inventory, ["26743"])[0].devices["hcm-26743-acc1"], hostname="{{ 7 * 7 }}")
    text = Renderer().device(config)
    assert "hostname {{ 7 * 7 }}" in text and "49" not in text.split("hostname", 1)[1].splitlines()[0]


def test_secrets_are_masked_in_every_rendered_file(inventory: Inventory) -> None:
    for item in render_all(designs(inventory, ["26743"])):
        for line in item.text.splitlines():
            if " key " in f" {line} " and "trusted-key" not in line and "authentication-key" not in line:
                assert "<<secret:" in line or line.split()[-1].isdigit(), line


def test_make_golden_writes_the_render_and_removes_stale_files(tmp_path: Path) -> None:
    # The updater is the only writer: run it into a scratch folder, never over tests/golden.
    folder = tmp_path / "26743-ben-thanh"
    folder.mkdir()
    (folder / "hcm-26743-acc9.cfg").write_text("left over from a removed switch\n")
    (folder / "hcm-26743-core.cfg").write_text("stale\n")
    script = REPO / "scripts" / "update_golden.py"
    done = subprocess.run(
        [sys.executable, str(script), "--golden", str(tmp_path), "--inventory", str(INVENTORY)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    committed = GOLDEN / "26743-ben-thanh"
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in committed.iterdir())
    for path in committed.iterdir():
        assert (folder / path.name).read_bytes() == path.read_bytes()
