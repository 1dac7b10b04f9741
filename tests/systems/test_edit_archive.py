"""The catalogue edit keeps the file, and the archive's tree digest sees any change (no database needed)."""

from __future__ import annotations

import difflib
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.systems.conftest import SAMPLE_CATALOGUE
from tests.systems.helpers import edited_sample
from wardnet.systems import archive
from wardnet.systems.catalogue import load_catalogue
from wardnet.systems.edit import EditError, retired_text, write_atomically
from wardnet.systems.models import Retired

RECORD = Retired(
    date=date(2026, 11, 15),
    archive="/srv/archive/dc/qlvb-sxd-cu/20261115T020000Z",
    manifest_sha256="1234567890123456789012345678901234567890123456789012345678901234",  # all digits
)


def test_retiring_changes_only_the_status_line_and_adds_the_record(tmp_path: Path) -> None:
    path = tmp_path / "systems.yml"
    shutil.copy(SAMPLE_CATALOGUE, path)
    before = path.read_text(encoding="utf-8")

    write_atomically(path, retired_text(path, "qlvb-sxd-cu", RECORD))

    after = path.read_text(encoding="utf-8")
    changes = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]
    assert changes == [
        "-     status: retire",
        "+     status: retired",
        "+     retired:",
        "+       date: 2026-11-15",
        "+       archive: /srv/archive/dc/qlvb-sxd-cu/20261115T020000Z",
        f'+       manifest_sha256: "{RECORD.manifest_sha256}"',
    ]
    system = load_catalogue(path).catalogue.get("qlvb-sxd-cu")
    assert system is not None and system.status == "retired" and system.retired == RECORD


def test_retiring_refuses_what_it_cannot_edit_safely(tmp_path: Path) -> None:
    with pytest.raises(EditError, match="expected `status: retire`"):
        retired_text(SAMPLE_CATALOGUE, "cong-dvc", RECORD)  # status keep
    flow = edited_sample(
        tmp_path, ("    status: retire\n    reason: Trùng", "    status: {retire: 1}\n    reason: Trùng")
    )
    with pytest.raises(EditError):
        retired_text(flow, "qlvb-sxd-cu", RECORD)
    with pytest.raises(EditError, match="no system"):
        retired_text(SAMPLE_CATALOGUE, "khong-co", RECORD)


def test_a_folder_and_its_tar_have_the_same_tree_digest(tmp_path: Path) -> None:
    folder = tmp_path / "srv" / "app" / "files"
    (folder / "a" / "b").mkdir(parents=True)
    (folder / "a" / "b" / "văn bản.pdf").write_bytes(os.urandom(5000))
    (folder / "empty").write_bytes(b"")
    (folder / "link").symlink_to("/etc/passwd")  # recorded as a link, never followed
    out = tmp_path / "data.tar.gz"

    archive.tar_folder(folder, out)

    on_disk = archive.tree_of_folder(folder)
    assert archive.tree_of_tar(out, archive.arc_root(folder)) == on_disk
    assert (on_disk.files, on_disk.bytes) == (2, 5000)
    (folder / "empty").write_bytes(b"x")
    assert archive.tree_of_folder(folder).digest != on_disk.digest
    (folder / "empty").write_bytes(b"")
    (folder / "a" / "new").mkdir()
    assert archive.tree_of_folder(folder).digest != on_disk.digest


def test_verify_sums_names_a_changed_file(tmp_path: Path) -> None:
    (tmp_path / "x.dump").write_bytes(b"dump")
    manifest = {"files": {"x.dump": {"sha256": archive.sha256_file(tmp_path / "x.dump"), "bytes": 4}}}
    digest = archive.write_manifest(tmp_path, manifest)
    archive.verify_sums(tmp_path, manifest, digest)
    assert (tmp_path / "SHA256SUMS").read_text().splitlines()[0].endswith("  x.dump")
    (tmp_path / "x.dump").write_bytes(b"dumq")
    with pytest.raises(archive.ArchiveError, match=r"x\.dump: SHA-256 differs"):
        archive.verify_sums(tmp_path, manifest, digest)
