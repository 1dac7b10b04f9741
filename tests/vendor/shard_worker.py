"""One `wardnet audit --shard K/N` process on replayed devices, for tests/vendor/test_audit_shards.py.

    python -m tests.vendor.shard_worker BARRIER_DIR N -- <wardnet arguments>

The real CLI runs in this process (argument parsing, site selection, the shard split, collect, backup,
compare, reports); only the device addresses change, as the lab's ssh_config does for the white-box
twins: each core switch and firewall of the selected sites is a replayed IOS-XE or FortiGate (day-0
config, so the audit finds drift) on 127.0.0.1, and each access switch points at a closed port (not
audited: connection refused). Before collecting, the process waits until all N workers have started
(a file barrier), so the shards really run at the same time.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import replace
from pathlib import Path

from tests.vendor.conftest import PASSWORD, SECRETS, USER
from tests.vendor.fortigate_device import FIXTURES as FORTIOS_FIXTURES
from tests.vendor.fortigate_device import FortiGate
from tests.vendor.ios_device import FIXTURES as IOS_FIXTURES
from tests.vendor.ios_device import IosDevice
from tests.vendor.replay import ReplayServer

BARRIER_TIMEOUT = 120


def closed_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(barrier: Path, workers: int, argv: list[str]) -> int:
    from wardnet.audit import run
    from wardnet.cli import main as wardnet

    servers: list[ReplayServer] = []
    work = barrier / f"worker-{os.getpid()}"
    work.mkdir()
    real_targets_for = run.targets_for

    def replayed(request, inventory, chosen):  # type: ignore[no-untyped-def]
        out = []
        refused = closed_port()
        for t in real_targets_for(request, inventory, chosen):
            if t.role == "core":
                device: IosDevice | FortiGate = IosDevice(
                    (IOS_FIXTURES / "hcm-26743-core.day0.txt").read_text()
                )
            elif t.role == "firewall":
                device = FortiGate((FORTIOS_FIXTURES / "hcm-26743-fw.day0.conf").read_text())
            else:
                out.append(replace(t, host="127.0.0.1", optional_args={"port": refused, "conn_timeout": 5}))
                continue
            server = ReplayServer(device, {USER: PASSWORD}, work).start()
            servers.append(server)
            out.append(
                replace(
                    t,
                    host="127.0.0.1",
                    username=USER,
                    password=PASSWORD,
                    secrets=SECRETS,
                    optional_args={"port": server.port, "known_hosts": str(server.known_hosts)},  # enrolled
                )
            )
        (barrier / f"ready-{os.getpid()}").touch()
        deadline = time.monotonic() + BARRIER_TIMEOUT
        while len(list(barrier.glob("ready-*"))) < workers:
            if time.monotonic() > deadline:
                raise SystemExit(f"barrier: only {len(list(barrier.glob('ready-*')))} of {workers} started")
            time.sleep(0.05)
        return out

    run.targets_for = replayed
    try:
        return wardnet(argv)
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    split = sys.argv.index("--")
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[split + 1 :]))
