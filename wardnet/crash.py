"""What a bug looks like to the user: one line on stderr and the full traceback in STATE/logs/.

CI reads exit 1 as "findings" and 2 as "bad input"; an unexpected exception is neither, so the caller
exits 3. Known secret values (WARDNET_SECRET_*, WARDNET_PASSWORD) are masked in the line and the log,
since an exception message can quote whatever it failed on.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

SECRET_ENV = ("WARDNET_PASSWORD",)
SECRET_PREFIX = "WARDNET_SECRET_"
MAX_LINE = 300


def _known_secrets() -> dict[str, str]:
    """Name → value of every secret this process could have been handed (values of 4+ characters)."""
    found = {
        name.removeprefix(SECRET_PREFIX).lower(): value
        for name, value in os.environ.items()
        if (name.startswith(SECRET_PREFIX) or name in SECRET_ENV) and len(value) >= 4
    }
    return found


def _mask_known(text: str) -> str:
    for name, value in sorted(_known_secrets().items(), key=lambda item: -len(item[1])):
        text = text.replace(value, f"<<secret:{name}>>")
    return text


def _log_dir() -> Path:
    from wardnet.state import state_dir

    return state_dir() / "logs"


def _write_log(text: str) -> Path:
    """STATE/logs/crash-<UTC stamp>-<pid>.log; the temp folder when STATE is not writable."""
    name = f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}.log"
    for folder in (_log_dir(), Path(tempfile.gettempdir()) / "wardnet-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # tracebacks may quote data
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except OSError:
            continue
    return Path("(no writable log folder)")


def report_crash(exc: BaseException) -> str:
    """Log the traceback and return the one line to print."""
    details = "".join(traceback.format_exception(exc))
    command = " ".join(sys.argv)
    path = _write_log(_mask_known(f"wardnet internal error\ncommand: {command}\n\n{details}"))
    message = " ".join(str(exc).split())
    if len(message) > MAX_LINE:
        message = message[:MAX_LINE] + "…"
    return _mask_known(f"internal error: {type(exc).__name__}: {message} — details in {path}")
