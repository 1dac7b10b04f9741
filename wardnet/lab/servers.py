"""`wardnet lab up --servers`: a site's servers as real instances on the lab's SERVERS VLAN.

Each server is a root podman instance of the image Molecule boots (scripts/build_molecule_image.sh, same
containers.conf: runc, systemd as PID 1), joined to the network namespace of the site's SERVERS endpoint
(`--network ns:/run/netns/…`, cabled to the core's server port), holding the address the design gives it, and
converged by playbooks/servers.yml from the same inventory (the wardnet inventory plugin), reached through
`podman exec` like Molecule (molecule/shared/plugins/connection/podman_exec.py). Nothing is written for the
lab: Kea and unbound run as the roles configure them. Instances carry the label wardnet.lab.site=<code>;
`lab down` removes exactly those.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardnet.lab.system import LabError

if TYPE_CHECKING:
    from wardnet.design import SiteDesign

REPO = Path(__file__).resolve().parent.parent.parent
CONTAINERS_CONF = REPO / "molecule/containers.conf"
CONNECTION_PLUGINS = REPO / "molecule/shared/plugins/connection"
LABEL = "wardnet.lab.site"
# The lab has no secrets store; the NTP key only has to exist for chrony's config (as in Molecule).
LAB_NTP_KEY = "lab-only-not-a-secret"


def _env() -> dict[str, str]:
    return os.environ | {"CONTAINERS_CONF": str(CONTAINERS_CONF)}


def _podman(*args: str, check: bool = True, timeout: float = 120) -> str:
    done = subprocess.run(
        ["podman", *args], capture_output=True, text=True, env=_env(), check=False, timeout=timeout
    )
    if check and done.returncode != 0:
        raise LabError(f"podman {' '.join(args[:2])} failed: {done.stderr.strip()[-800:]}")
    return done.stdout


def read_file(container: str, path: str) -> str:
    """A file inside a running server instance (e.g. Kea's lease file, for `lab prove`)."""
    return _podman("exec", container, "cat", path)


def container_name(prefix: str, code: str, server: str) -> str:
    return f"{prefix}{code}-{server}"


def image() -> str:
    """The Molecule image, built or taken from its cache (the script prints its name last)."""
    done = subprocess.run(
        [str(REPO / "scripts/build_molecule_image.sh")],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise LabError(f"scripts/build_molecule_image.sh failed: {done.stderr.strip()[-800:]}")
    return done.stdout.strip().splitlines()[-1]


def start(name: str, hostname: str, namespace: str, code: str, image_name: str) -> None:
    _podman(
        "run",
        "--detach",
        "--replace",
        "--name",
        name,
        "--hostname",
        hostname,
        "--network",
        f"ns:/run/netns/{namespace}",
        "--systemd",
        "always",
        "--cap-add=NET_ADMIN",
        "--cap-add=NET_RAW",
        "--label",
        f"{LABEL}={code}",
        image_name,
        "/sbin/init",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = _podman("exec", name, "systemctl", "is-system-running", "--wait", check=False, timeout=70)
        if state.strip() in ("running", "degraded"):
            return
        time.sleep(0.5)
    raise LabError(f"{name}: systemd did not finish booting within 60 s")


def converge(inventory_dir: Path, hostname: str, container: str) -> float:
    """playbooks/servers.yml on one server, applied (commit=true), through podman exec. Returns seconds."""
    started = time.monotonic()
    env = _env() | {
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_CONNECTION_PLUGINS": str(CONNECTION_PLUGINS),
        "WARDNET_SECRET_NTP_KEY": os.environ.get("WARDNET_SECRET_NTP_KEY", LAB_NTP_KEY),
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_NOCOLOR": "1",
    }
    playbook = Path(sys.executable).parent / "ansible-playbook"
    done = subprocess.run(
        [
            str(playbook),
            str(REPO / "playbooks/servers.yml"),
            "-i",
            str(inventory_dir.resolve()),
            "--limit",
            hostname,
            "-e",
            "commit=true",
            "-e",
            f"ansible_host={container}",
            "-e",
            "ansible_connection=podman_exec",
            "-e",
            "ansible_become=false",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        raise LabError(
            f"{hostname}: playbooks/servers.yml failed:\n{done.stdout[-2500:]}{done.stderr[-800:]}"
        )
    return time.monotonic() - started


def up(
    code: str, prefix: str, design: SiteDesign, endpoint: dict[str, Any], inventory_dir: Path
) -> list[dict[str, Any]]:
    """Start and converge every server of the site in the SERVERS endpoint's namespace."""
    from wardnet.lab import system

    image_name = image()
    records = []
    for server in design.servers.values():
        name = container_name(prefix, code, server.name)
        prefix_len = server.prefix
        # Dual stack as in production (issue 23): the SERVERS VLAN is static for IPv6 (no RA), so the server
        # gets its planned address and the gateway by hand; Kea's DHCPv6 listens on that address.
        system.ip_batch(
            [
                f"addr replace {server.address}/{prefix_len} dev eth0",
                f"addr replace {server.address6}/{server.prefix6} dev eth0 nodad",
                f"route replace ::/0 via {server.gateway6} dev eth0",
            ],
            endpoint["namespace"],
        )
        start(name, server.hostname, endpoint["namespace"], code, image_name)
        seconds = converge(inventory_dir, server.hostname, name)
        records.append(
            {
                "name": server.hostname,
                "container": name,
                "address": server.address,
                "converged_s": seconds,
            }
        )
    return records


def down(code: str) -> list[str]:
    """Remove this site's server instances (by label): nothing else podman runs is touched."""
    if shutil.which("podman") is None:
        return []
    names = _podman(
        "ps", "-a", "--filter", f"label={LABEL}={code}", "--format", "{{.Names}}", check=False
    ).split()
    for name in names:
        _podman("rm", "--force", "--time", "5", name, check=False)
    return names
