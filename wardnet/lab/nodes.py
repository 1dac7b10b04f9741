"""Start and stop one lab node: its files, its daemons in its own namespaces, its anchor process."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from wardnet.lab.system import LabError, run

BOOT_SCRIPT = Path(__file__).with_name("boot_node.sh")
FRR_DAEMONS = Path("/etc/frr/daemons")
BIND_TARGETS = (
    "/var/lib/wardnet",
    "/etc/openvswitch",
    "/run/openvswitch",
    "/var/log/openvswitch",
    "/etc/frr",
    "/run/frr",
)
OVS_SCHEMA = Path("/usr/share/openvswitch/vswitch.ovsschema")
BOOT_TIMEOUT = 30.0

AGENT = """#!{python} -IS
# wardnet-node, as installed on a white-box device (the lab binds this folder over /usr/local/sbin).
# -IS: no site-packages scan on each start (every audit starts it once per device); the agent needs only
# the standard library and the wardnet package, found where this lab runs it from.
import sys

sys.path.insert(0, {root!r})
from wardnet.node.agent import main

sys.exit(main())
"""
BASHRC = "# the device's own root ~/.bashrc (boot_node.sh binds it over the host's)\n"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the wardnet package


def agent_script(python: str = sys.executable, root: Path = PACKAGE_ROOT) -> str:
    return AGENT.format(python=python, root=str(root))


SSHD_CONFIG = """# sshd of lab node {name}: key authentication only, on the management addresses.
ListenAddress {address}
{listen6}Port 22
HostKey {dir}/ssh/host_ed25519_key
PidFile {dir}/run/sshd.pid
AuthorizedKeysFile {authorized_keys}
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
LogLevel ERROR
Subsystem sftp internal-sftp
"""


@dataclass(frozen=True)
class NodeFiles:
    root: Path

    @property
    def ready(self) -> Path:
        return self.root / "ready"

    @property
    def frr_config(self) -> Path:
        return self.root / "etc/frr/frr.conf"


def prepare(
    root: Path,
    name: str,
    daemons: tuple[str, ...],
    *,
    frr_config: str = "",
    management: str | None = None,
    management6: str | None = None,
    authorized_keys: Path | None = None,
) -> NodeFiles:
    """Fresh node folder: FRR and OVS state, the agent, sshd config and host key."""
    if root.exists():
        shutil.rmtree(root)
    for sub in (
        "bin",
        "etc/frr",
        "run/frr",
        "etc/openvswitch",
        "run/openvswitch",
        "log/openvswitch",
        "log",
        "run",
        "ssh",
        "state",
    ):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "bashrc").write_text(BASHRC)
    for target in BIND_TARGETS:
        Path(target).mkdir(parents=True, exist_ok=True)  # mount points; package directories
    agent = root / "bin/wardnet-node"
    agent.write_text(agent_script())
    agent.chmod(0o755)
    if "frr" in daemons:
        daemons_file = FRR_DAEMONS.read_text() if FRR_DAEMONS.exists() else ""
        (root / "etc/frr/daemons").write_text(
            daemons_file.replace("bgpd=no", "bgpd=yes").replace("staticd=no", "staticd=yes")
        )
        (root / "etc/frr/vtysh.conf").write_text("service integrated-vtysh-config\n")
        (root / "etc/frr/frr.conf").write_text(frr_config)
        shutil.chown(root / "etc/frr", "frr", "frr")
        shutil.chown(root / "run/frr", "frr", "frr")
        for path in (root / "etc/frr").iterdir():
            shutil.chown(path, "frr", "frr")
    if "ovs" in daemons:
        run(["ovsdb-tool", "create", str(root / "etc/openvswitch/conf.db"), str(OVS_SCHEMA)])
    if "ssh" in daemons:
        if management is None or authorized_keys is None:
            raise LabError(f"{name}: sshd needs a management address and authorized keys")
        run(
            [
                "ssh-keygen",
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                name,
                "-f",
                str(root / "ssh/host_ed25519_key"),
            ]
        )
        (root / "ssh/sshd_config").write_text(
            SSHD_CONFIG.format(
                name=name,
                address=management,
                listen6=f"ListenAddress [{management6}]\n" if management6 else "",
                dir=root,
                authorized_keys=authorized_keys,
            )
        )
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    return NodeFiles(root)


def start(namespace: str, name: str, files: NodeFiles, daemons: tuple[str, ...]) -> int:
    """Boot the node in its namespaces; returns the anchor PID (nsenter -t PID reaches the node)."""
    log = (files.root / "log/boot.log").open("w")
    process = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            namespace,
            "unshare",
            "-u",
            "-m",
            "--propagation",
            "private",
            "bash",
            str(BOOT_SCRIPT),
            str(files.root),
            name,
            " ".join(daemons),
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a Ctrl-C on `wardnet lab up` must not take the lab down with it
    )
    log.close()
    deadline = time.monotonic() + BOOT_TIMEOUT
    while not files.ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            output = (files.root / "log/boot.log").read_text()[-800:]
            raise LabError(f"{name}: node did not boot (see {files.root}/log/boot.log): {output}")
        time.sleep(0.05)
    return process.pid


def node_exec(
    anchor: int | None, namespace: str, command: list[str], **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run a command on a node: in all its namespaces when it has an anchor, else in its network namespace."""
    prefix = (
        ["nsenter", "-t", str(anchor), "-n", "-u", "-m", "--"]
        if anchor
        else ["ip", "netns", "exec", namespace]
    )
    check = bool(kwargs.pop("check", False))
    done: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
        [*prefix, *command], check=check, text=True, **kwargs
    )
    return done
