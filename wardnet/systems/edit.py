"""Mark a system retired in the catalogue file, changing only its status line and adding its record.

Everything else in the file (comments, order, quoting, flow mappings) stays byte for byte. The new text is
parsed and validated before it replaces the file, and every other system must read back unchanged.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import yaml
from pydantic import ValidationError

from wardnet.systems.models import Catalogue, Retired
from wardnet.yamlsrc import read_yaml

STATUS_LINE = re.compile(r"^(?P<indent>[ ]*(?:-[ ]+)?)status:(?P<space>[ ]*)retire(?P<rest>[ ]*(?:#.*)?)$")
PLAIN = re.compile(r"^[A-Za-z0-9/._-]+$")


class EditError(Exception):
    """The catalogue cannot be changed safely; the file is left as it was."""


def _scalar(value: str) -> str:
    return value if PLAIN.match(value) else json.dumps(value, ensure_ascii=False)


def retired_text(path: Path, system_id: str, record: Retired) -> str:
    """The catalogue's text with system_id marked retired; raise EditError if that cannot be done safely."""
    source = read_yaml(path)
    text = path.read_text(encoding="utf-8")
    try:
        before = Catalogue.model_validate(source.data)
    except ValidationError:
        raise EditError(f"{path}: the catalogue is no longer valid; run `wardnet systems check`") from None
    index = next((i for i, s in enumerate(before.systems) if s.id == system_id), None)
    if index is None:
        raise EditError(f"{path}: no system {system_id}")
    line_no = source.lines.get(("systems", index, "status"), 0)
    lines = text.splitlines(keepends=True)
    body = lines[line_no - 1].rstrip("\r\n") if line_no else ""
    match = STATUS_LINE.match(body)
    if match is None or ("systems", index, "retired") in source.lines:
        raise EditError(
            f"{path}:{line_no}: expected `status: retire` on a line of its own for {system_id} "
            "(block style) and no retired record yet"
        )
    ending = lines[line_no - 1][len(body) :] or "\n"
    pad = " " * len(match["indent"])
    lines[line_no - 1] = f"{match['indent']}status:{match['space']}retired{match['rest']}{ending}"
    record_lines = [
        f"{pad}retired:",
        f"{pad}  date: {record.date.isoformat()}",
        f"{pad}  archive: {_scalar(record.archive)}",
        f'{pad}  manifest_sha256: "{record.manifest_sha256}"',  # quoted: all digits would read as a number
    ]
    lines[line_no:line_no] = [f"{line}{ending}" for line in record_lines]
    new_text = "".join(lines)
    _same_but_retired(new_text, before, index, record, path)
    return new_text


def _same_but_retired(text: str, before: Catalogue, index: int, record: Retired, path: Path) -> None:
    try:
        after = Catalogue.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise EditError(
            f"{path}: the edited catalogue would not be valid ({exc.__class__.__name__})"
        ) from None
    expected = before.systems[index].model_copy(update={"status": "retired", "retired": record})
    others_same = [s for i, s in enumerate(after.systems) if i != index] == [
        s for i, s in enumerate(before.systems) if i != index
    ]
    top_same = after.model_dump(exclude={"systems"}) == before.model_dump(exclude={"systems"})
    if after.systems[index] != expected or not others_same or not top_same:
        raise EditError(f"{path}: the edit would change more than the retired system's status and record")


def write_atomically(path: Path, text: str) -> None:
    """Replace the file in one rename, keeping its permissions; a crash leaves the old or the new file."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
