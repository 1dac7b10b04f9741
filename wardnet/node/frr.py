"""FRR: read `show running-config`, apply with frr-reload.py (computes and applies the difference)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from wardnet.canonical import frr_from_running

FRR_CONFIG = Path("/etc/frr/frr.conf")
FRR_RELOAD = "/usr/lib/frr/frr-reload.py"


def read_live() -> str:
    out = subprocess.run(["vtysh", "-c", "show running-config"], check=True, capture_output=True, text=True)
    return frr_from_running(out.stdout)


def check(section: str) -> None:
    """Refuse a section FRR would not parse: `vtysh -C` (dry run) reads it with every daemon's command
    grammar and changes nothing (frr-reload.py alone would skip an unknown line and apply the rest)."""
    import tempfile  # here: `show` does not need it

    with tempfile.NamedTemporaryFile("w", suffix=".conf") as handle:
        handle.write(section)
        handle.flush()
        done = subprocess.run(["vtysh", "-C", "-f", handle.name], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-800:]
        raise ValueError(f"FRR refused the frr section: {output}")


def apply(section: str, config: Path = FRR_CONFIG) -> str:
    """Write the integrated config (so a restart keeps it), then reload the running daemons from it."""
    config.write_text(section)
    done = subprocess.run([FRR_RELOAD, "--reload", str(config)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-800:]
        raise RuntimeError(f"frr-reload.py failed ({done.returncode}): {output}")
    return done.stdout
