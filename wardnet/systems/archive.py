"""Archive files of a decommission: data folders as tar.gz, SHA-256 sums, the manifest, the archive store.

A folder and its tar.gz are compared through a tree digest: the SHA-256 of one sorted line per entry
(folder, file with its own SHA-256 and size, symbolic link with its target), so the same content gives the
same digest whether read from disk or from the archive.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


class ArchiveError(Exception):
    """An archive file is missing, unreadable or differs from what the manifest says."""


@dataclass(frozen=True)
class Tree:
    digest: str
    files: int
    bytes: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sha256_stream(stream: Any) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _tree(lines: list[tuple[str, str]], files: int, size: int) -> Tree:
    text = "".join(f"{line}\n" for _, line in sorted(lines))
    return Tree(hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest(), files, size)


def tree_of_folder(root: Path) -> Tree:
    """The tree digest of a folder on disk (symbolic links are recorded, never followed)."""
    lines: list[tuple[str, str]] = []
    files = size = 0
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in dirnames + filenames:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                lines.append((rel, f"L {rel} -> {os.readlink(path)}"))
            elif path.is_dir():
                lines.append((rel, f"D {rel}"))
            elif path.is_file():
                length = path.stat().st_size
                lines.append((rel, f"F {rel} {sha256_file(path)} {length}"))
                files, size = files + 1, size + length
            else:
                raise ArchiveError(f"{path} is neither a file, a folder nor a link (socket, device?)")
    return _tree(lines, files, size)


def tree_of_tar(archive: Path, arc_root: str) -> Tree:
    """The tree digest of the folder stored under arc_root in a tar.gz, read back from the archive."""
    lines: list[tuple[str, str]] = []
    files = size = 0
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.name == arc_root:
                    continue
                if not member.name.startswith(arc_root + "/"):
                    raise ArchiveError(f"{archive.name}: unexpected entry {member.name}")
                rel = member.name[len(arc_root) + 1 :]
                if member.issym():
                    lines.append((rel, f"L {rel} -> {member.linkname}"))
                elif member.isdir():
                    lines.append((rel, f"D {rel}"))
                elif member.isfile():
                    stream = tar.extractfile(member)
                    assert stream is not None
                    lines.append((rel, f"F {rel} {_sha256_stream(stream)} {member.size}"))
                    files, size = files + 1, size + member.size
                else:
                    raise ArchiveError(f"{archive.name}: unexpected entry type for {member.name}")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"{archive.name} cannot be read back: {exc}") from None
    return _tree(lines, files, size)


def arc_root(folder: Path) -> str:
    """The path of a folder inside its tar.gz: its absolute path without the leading slash, as tar does."""
    return folder.as_posix().lstrip("/")


def tar_folder(folder: Path, out: Path) -> None:
    with tarfile.open(out, "w:gz") as tar:
        tar.add(folder, arcname=arc_root(folder), recursive=True)


def write_manifest(folder: Path, manifest: dict[str, Any]) -> str:
    """manifest.json and SHA256SUMS (for `sha256sum -c`) in folder; returns the manifest's own SHA-256."""
    path = folder / MANIFEST
    path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    sums: dict[str, str] = {name: manifest["files"][name]["sha256"] for name in sorted(manifest["files"])}
    sums[MANIFEST] = sha256_file(path)
    (folder / SUMS).write_text(
        "".join(f"{digest}  {name}\n" for name, digest in sums.items()), encoding="utf-8"
    )
    return sums[MANIFEST]


def verify_sums(folder: Path, manifest: dict[str, Any], manifest_sha256: str) -> None:
    """Every file of the manifest is in folder with its recorded SHA-256 and size, else ArchiveError."""
    problems = []
    if not (folder / MANIFEST).is_file() or sha256_file(folder / MANIFEST) != manifest_sha256:
        problems.append(f"{MANIFEST} differs from the one written")
    for name, entry in sorted(manifest["files"].items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size != entry["bytes"] or sha256_file(path) != entry["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest")
    if problems:
        raise ArchiveError(f"{folder}: " + "; ".join(problems))


def copy_to_store(staging: Path, target: Path) -> None:
    """Copy every file of the staging folder into target (created; must not exist yet)."""
    target.mkdir(parents=True, exist_ok=False)
    for path in sorted(staging.iterdir()):
        shutil.copy2(path, target / path.name)
        with (target / path.name).open("rb") as handle:
            os.fsync(handle.fileno())
