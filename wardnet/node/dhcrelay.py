"""DHCPv4 relay on the white-box firewall: ISC dhcrelay (Debian isc-dhcp-relay), run by the agent.

Why dhcrelay and not Kea: Kea 2.2 (Debian 12) is a DHCP server only, it has no relay agent; FRR 8.4 has
none either. ISC dhcrelay 4.4 is the relay Debian ships, sets giaddr to the downstream interface's address
(Kea picks the subnet from giaddr, roles/ward_dhcp_dns) and takes upstream/downstream interfaces apart
(`-iu`/`-id`), so it listens for broadcasts on the client VLANs only. ISC DHCP reached end of life in 2022
(https://www.isc.org/dhcp/); its relay is small, still packaged and still fits, and is swapped here alone.

The canonical section (`!== dhcrelay`) is one fact per line, so the audit shows a missing VLAN as one line:
    server 10.65.55.74          where relayed requests go (the site's dhcp_dns server)
    upstream vlan60             the interface towards the server
    downstream vlan20           one line per client VLAN, in natural order
An empty section means no relay runs. `show` reads the running process's own command line, never a file.
dhcrelay has no config-test mode: the agent checks the section, and that every interface exists with an
IPv4 address, before it stops the running relay.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from wardnet.canonical import natural_key

DHCRELAY = "/usr/sbin/dhcrelay"
STATE = Path(os.environ.get("WARDNET_NODE_STATE", "/var/lib/wardnet"))


@dataclass(frozen=True)
class Relay:
    servers: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    downstream: tuple[str, ...] = field(default=())

    @property
    def enabled(self) -> bool:
        return bool(self.servers)


def parse(section: str) -> Relay:
    """The section → Relay; ValueError naming the line on anything else."""
    found: dict[str, list[str]] = {"server": [], "upstream": [], "downstream": []}
    for number, line in enumerate(section.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 2 or words[0] not in found:
            raise ValueError(f"dhcrelay line {number}: {line!r}: expected 'server|upstream|downstream VALUE'")
        if words[0] == "server":
            try:
                ipaddress.IPv4Address(words[1])
            except ValueError:
                message = f"dhcrelay line {number}: server {words[1]!r} is not an IPv4 address"
                raise ValueError(message) from None
        found[words[0]].append(words[1])
    relay = Relay(tuple(found["server"]), tuple(found["upstream"]), tuple(found["downstream"]))
    if relay.enabled and not (relay.upstream and relay.downstream):
        raise ValueError("dhcrelay: a relay needs at least one upstream and one downstream interface")
    if not relay.enabled and (relay.upstream or relay.downstream):
        raise ValueError("dhcrelay: interfaces without a server: add a 'server ADDRESS' line")
    return relay


def format_relay(relay: Relay) -> str:
    lines = [f"server {s}" for s in sorted(relay.servers, key=ipaddress.IPv4Address)]
    lines += [f"upstream {i}" for i in sorted(relay.upstream, key=natural_key)]
    lines += [f"downstream {i}" for i in sorted(relay.downstream, key=natural_key)]
    return "".join(line + "\n" for line in lines)


def command(relay: Relay, pidfile: Path) -> list[str]:
    """-4 IPv4, -q quiet start-up; it forks to the background and writes its PID to `pidfile`."""
    args = [DHCRELAY, "-4", "-q", "-pf", str(pidfile)]
    for interface in relay.upstream:
        args += ["-iu", interface]
    for interface in relay.downstream:
        args += ["-id", interface]
    return args + list(relay.servers)


def from_command(argv: list[str]) -> Relay:
    """A running dhcrelay's command line → Relay (the inverse of `command`)."""
    servers: list[str] = []
    upstream: list[str] = []
    downstream: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-iu", "-id", "-i"):
            (upstream if arg == "-iu" else downstream).append(next(args, ""))
        elif arg in ("-pf", "-c", "-p", "-A", "-m", "-l", "-U", "-u", "-g", "-rp", "-s"):
            next(args, None)
        elif not arg.startswith("-"):
            servers.append(arg)
    return Relay(tuple(servers), tuple(upstream), tuple(downstream))


def _pidfile(state: Path) -> Path:
    return state / "dhcrelay.pid"


def running_pid(state: Path = STATE) -> int | None:
    """The relay's PID when its pidfile names a live dhcrelay process."""
    try:
        pid = int(_pidfile(state).read_text().split()[0])
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return None
    return pid if argv and argv[0].decode().endswith("dhcrelay") else None


def read_live(state: Path = STATE) -> str:
    pid = running_pid(state)
    if pid is None:
        return ""
    argv = [a.decode() for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    return format_relay(from_command(argv))


def _ipv4_interfaces() -> set[str]:
    out = subprocess.run(["ip", "-j", "-4", "addr", "show"], check=True, capture_output=True, text=True)
    return {link["ifname"] for link in json.loads(out.stdout or "[]") if link.get("addr_info")}


def check(relay: Relay) -> None:
    """What dhcrelay would refuse at start-up (it exits when an interface has no IPv4 address)."""
    if not relay.enabled:
        return
    missing = sorted(set(relay.upstream + relay.downstream) - _ipv4_interfaces(), key=natural_key)
    if missing:
        raise ValueError(f"dhcrelay: no IPv4 address on interface(s) {', '.join(missing)}")


def stop(state: Path = STATE, wait: float = 3.0) -> None:
    pid = running_pid(state)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait
        while running_pid(state) == pid and time.monotonic() < deadline:
            time.sleep(0.05)
    _pidfile(state).unlink(missing_ok=True)


def apply(section: str, state: Path = STATE) -> str:
    """Make the running relay match `section`: unchanged → nothing; else stop it and start the new one."""
    relay = parse(section)
    if format_relay(relay) == read_live(state):
        return "unchanged"
    check(relay)  # before the running relay stops
    stop(state)
    if not relay.enabled:
        return "stopped"
    state.mkdir(parents=True, exist_ok=True)
    # Output to a file, not a pipe: the forked daemon must not hold our pipe open.
    with tempfile.TemporaryFile("w+") as log:
        done = subprocess.run(command(relay, _pidfile(state)), stdout=log, stderr=log, check=False)
        deadline = time.monotonic() + 3
        while running_pid(state) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if done.returncode != 0 or running_pid(state) is None:
            log.seek(0)
            raise RuntimeError(f"dhcrelay did not start ({done.returncode}): {log.read().strip()[-800:]}")
    return f"relaying {len(relay.downstream)} VLAN(s) to {', '.join(relay.servers)}"
