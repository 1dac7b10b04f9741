"""The render output folder: holds exactly what the last render produced, never a stale or foreign file.

A manifest (`.wardnet-manifest`) lists every file wardnet wrote there. A render writes the files whose bytes
changed and removes the files of the rendered sites that it no longer produces (a removed switch, a renamed
ward's old folder), so a deploy or an engineer can never pick a stale config. Files wardnet did not write are
never removed: a folder holding any is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from wardnet.errors import InputError, InputProblem, display_path

MANIFEST = ".wardnet-manifest"
SITE_FOLDER = re.compile(r"^(\d{5})-[a-z0-9-]+$")


class Output(Protocol):
    @property
    def site(self) -> str: ...  # folder, <code>-<slug>

    @property
    def name(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass
class SyncResult:
    written: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def _known_files(out: Path) -> set[str]:
    """What wardnet wrote here before: the manifest, or (folders from before manifests) site folders only."""
    manifest = out / MANIFEST
    if manifest.is_file():
        return {line for line in manifest.read_text(encoding="utf-8").splitlines() if line}
    if not out.exists():
        return set()
    if not out.is_dir():
        raise _refuse(out, "is a file, not a folder", "give --out a folder path")
    known = set()
    for entry in sorted(out.iterdir()):
        if not (entry.is_dir() and SITE_FOLDER.match(entry.name)):
            raise _refuse(out, f"holds {entry.name}, which wardnet did not write", "use an empty folder")
        known |= {p.relative_to(out).as_posix() for p in entry.rglob("*") if p.is_file()}
    return known


def _refuse(out: Path, message: str, fix: str) -> InputError:
    return InputError([InputProblem(display_path(out), "--out", message, fix)])


def _site_code(relative: str) -> str | None:
    match = SITE_FOLDER.match(relative.split("/", 1)[0])
    return match.group(1) if match else None


def sync(outputs: list[Output], out: Path, codes: set[str] | None = None) -> SyncResult:
    """Write outputs into out; remove what the rendered sites (all when codes is None) no longer produce."""
    known = _known_files(out)
    produced = {f"{item.site}/{item.name}": item for item in outputs}
    rendered_codes = {c for c in (_site_code(p) for p in produced) if c} | (codes or set())
    stale = sorted(p for p in known - set(produced) if codes is None or _site_code(p) in rendered_codes)
    result = SyncResult()
    out.mkdir(parents=True, exist_ok=True)
    for relative, item in produced.items():
        path = out / relative
        data = item.text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            result.unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
        result.written += 1
    for relative in stale:
        path = out / relative
        if path.is_file():
            path.unlink()
            result.removed.append(relative)
        if path.parent != out and path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()
    listing = "".join(f"{p}\n" for p in sorted((known - set(stale)) | set(produced)))
    manifest = out / MANIFEST
    if (
        not manifest.is_file() or manifest.read_text(encoding="utf-8") != listing
    ):  # an idle run touches nothing
        temporary = out / (MANIFEST + ".tmp")
        temporary.write_text(listing, encoding="utf-8")
        temporary.replace(manifest)
    return result
