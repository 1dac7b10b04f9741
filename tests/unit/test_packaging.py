"""A plain `pip install .` carries every file the package reads: each non-Python file under wardnet/ is
named by a package-data pattern in pyproject.toml (templates, rule data, the lab's scripts)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_data_file_of_the_package_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["wardnet"]
    package = ROOT / "wardnet"
    data = [
        path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]
    assert any(name.startswith("templates/") for name in data) and "checks/level2.yml" in data
    # setuptools globs do not cross folders with `*`: match part by part, as it does.
    missed = [
        name
        for name in data
        if not any(
            len(name.split("/")) == len(p.split("/"))
            and all(fnmatch.fnmatchcase(a, b) for a, b in zip(name.split("/"), p.split("/"), strict=True))
            for p in patterns
        )
    ]
    assert missed == []
