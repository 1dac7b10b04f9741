"""Helpers of the systems tests: run `wardnet systems ...` through its own parser, edit catalogue copies."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.systems.conftest import SAMPLE_CATALOGUE, TODAY
from wardnet.systems.cli import register


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `wardnet systems ARGV...`, with a fixed day unless --today is given."""
    root = argparse.ArgumentParser(prog="wardnet")
    register(root.add_subparsers(dest="command", required=True))
    extra = [] if "--today" in argv else ["--today", TODAY]
    args = root.parse_args(["systems", *argv, *extra])
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def edited_sample(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the sample catalogue with each (old, new) replaced once; old must occur exactly once."""
    text = SAMPLE_CATALOGUE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in the sample"
        text = text.replace(old, new)
    path = tmp_path / "systems.yml"
    path.write_text(text, encoding="utf-8")
    return path
