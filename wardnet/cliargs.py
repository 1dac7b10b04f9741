"""Path arguments checked before any work starts: a typo in --out must not cost a whole render, nor end in
a traceback after the work is done."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from wardnet.errors import InputError, InputProblem, display_path


def _problem(option: str, path: Path, message: str, fix: str) -> InputProblem:
    return InputProblem(display_path(path), option, message, fix)


def _nearest_existing(path: Path) -> Path:
    current = path.absolute()
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _writable_folder(folder: Path) -> bool:
    """Writable by this process: root passes os.access everywhere, so a probe file is made and removed."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".wardnet-probe-")
    except OSError:  # read-only mount, a pseudo file system such as /proc, a full disk
        return False
    os.close(handle)
    os.unlink(name)
    return True


def _creatable(option: str, path: Path, what: str) -> list[InputProblem]:
    """The folder that would hold path exists as a writable folder (or can be made in one)."""
    base = _nearest_existing(path.parent if what == "file" else path)
    if not base.is_dir():
        message = f"cannot be created: {display_path(base)} is not a folder"
        return [_problem(option, path, message, f"give {option} a path made of folders")]
    if not _writable_folder(base):
        return [
            _problem(
                option,
                path,
                f"cannot be written: {display_path(base)} is not writable",
                f"give {option} a {what} where you can write",
            )
        ]
    return []


def _inventory_problems(path: Path) -> list[InputProblem]:
    if not path.exists():
        return [_problem("--inventory", path, "no such folder", "point --inventory at inventories/")]
    if not path.is_dir():
        return [_problem("--inventory", path, "is not a folder", "point --inventory at inventories/")]
    return []


def _out_folder_problems(path: Path) -> list[InputProblem]:
    if path.exists() and not path.is_dir():
        return [_problem("--out", path, "is a file, not a folder", "give --out a folder path")]
    return _creatable("--out", path, "folder")


def _output_file_problems(path: Path) -> list[InputProblem]:
    if path.is_dir():
        return [_problem("--output", path, "is a folder, not a file", "give --output a file path")]
    if path.exists() and not path.is_file():
        return [_problem("--output", path, "is not a regular file", "give --output a file path")]
    if path.exists() and not os.access(path, os.W_OK):
        return [_problem("--output", path, "cannot be written", "choose a file you can write")]
    return _creatable("--output", path, "file")


def require_paths(
    *, inventory: Path | None = None, out: Path | None = None, output: Path | None = None
) -> None:
    """Raise InputError naming every bad path argument at once."""
    problems = []
    if inventory is not None:
        problems += _inventory_problems(inventory)
    if out is not None:
        problems += _out_folder_problems(out)
    if inventory is not None and out is not None and out.resolve().is_relative_to(inventory.resolve()):
        message = "is inside the inventory: rendered files would be read back as inventory"
        problems.append(_problem("--out", out, message, "render outside --inventory, e.g. build/intended"))
    if output is not None:
        problems += _output_file_problems(output)
    if problems:
        raise InputError(problems)
