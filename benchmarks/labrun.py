"""What the lab benchmarks share: a lab of their own (scratch folder, namespace prefix, state folder), the
machine's namespaces to themselves, and every `wardnet lab` / `wardnet deploy` call a whole process timed
by benchmarks/measure.py, exactly as a user types it.

Only one lab may run on a machine at a time (two would share its 2 cores and skew both): a benchmark
refuses to start while any network namespace exists (exit 75, EX_TEMPFAIL: try again later).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import BIN, Run, timed
from wardnet.api import LabSshFiles

BUSY = 75  # EX_TEMPFAIL
DEFAULT_PREFIX = "wb-"

# `wardnet` with its lab booting one node at a time: the same CLI, the same process shape, one knob turned
# (wardnet.api.set_lab_workers; the CLI has no option for it). Used only for a self-peer, labelled as such.
SERIAL_WARDNET = (
    "import sys\n"
    "from wardnet.api import set_lab_workers\n"
    "set_lab_workers(1)\n"
    "from wardnet.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


class LabBusyError(Exception):
    pass


def namespaces() -> list[str]:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in listed.splitlines() if line.strip()]


def require_idle_lab(present: list[str]) -> None:
    """Refuse while another lab (anyone's) has namespaces up: its daemons would share our cores."""
    if present:
        shown = ", ".join(present[:3]) + (f" and {len(present) - 3} more" if len(present) > 3 else "")
        raise LabBusyError(f"another lab is up ({len(present)} namespaces: {shown}); try again later")


def site_args(codes: list[str]) -> list[str]:
    return [word for code in codes for word in ("--site", code)]


def wardnet(*words: str) -> list[str]:
    return [str(BIN / "wardnet"), *words]


def serial_wardnet(*words: str) -> list[str]:
    return [str(BIN / "python"), "-c", SERIAL_WARDNET, *words]


@dataclass(frozen=True)
class LabEnv:
    """One benchmark's own lab: WARDNET_LAB_DIR, WARDNET_LAB_PREFIX and WARDNET_STATE_DIR under `scratch`."""

    scratch: Path
    prefix: str = DEFAULT_PREFIX

    @property
    def lab_dir(self) -> Path:
        return self.scratch / "lab"

    @property
    def state_dir(self) -> Path:
        return self.scratch / "state"

    @property
    def ssh_config(self) -> Path:
        return LabSshFiles.of_lab(self.lab_dir).config

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "WARDNET_LAB_DIR": str(self.lab_dir),
            "WARDNET_LAB_PREFIX": self.prefix,
            "WARDNET_STATE_DIR": str(self.state_dir),
        }

    def run(self, argv: list[str], accept: tuple[int, ...] = (0,)) -> Run:
        """One whole process in this lab's environment; an exit outside `accept` stops the benchmark."""
        done = timed(argv, env=self.env())
        if done.returncode not in accept:
            tail = "\n".join(done.output.splitlines()[-20:])
            command = " ".join([Path(argv[0]).name, *argv[1:4]])
            raise RuntimeError(f"{command} ... exited {done.returncode}:\n{tail}")
        return done

    def down(self) -> Run:
        return self.run(wardnet("lab", "down", "--all"))
