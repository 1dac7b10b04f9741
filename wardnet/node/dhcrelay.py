"""DHCP relays on the white-box firewall: ISC dhcrelay (Debian isc-dhcp-relay), run by the agent.

Why dhcrelay and not Kea: Kea 2.2 (Debian 12) is a DHCP server only, it has no relay agent; FRR 8.4 has
none either. ISC dhcrelay 4.4 is the relay Debian ships, sets giaddr to the downstream interface's address
(Kea picks the subnet from giaddr, roles/ward_dhcp_dns) and takes upstream/downstream interfaces apart
(`-iu`/`-id`), so it listens for broadcasts on the client VLANs only. ISC DHCP reached end of life in 2022
(https://www.isc.org/dhcp/); its relay is small, still packaged and still fits, and is swapped here alone.

DHCPv6 (issue 23): the same program in its -6 mode, a second process (dhcrelay runs one family per
process): `-l IF` per DHCPv6 VLAN (it listens for All_DHCP_Relay_Agents_and_Servers there and puts the
interface's global address in the link-address field, which Kea's subnet6 selection reads), `-u SERVER%IF`
unicast to the server's address over the upstream interface (dhcrelay(8), ISC DHCP 4.4).

The canonical section (`!== dhcrelay`) is one fact per line, so the audit shows a missing VLAN as one line:
    server 10.65.55.74          where relayed requests go (the site's dhcp_dns server)
    server6 2001:db8:413:60::a  where relayed DHCPv6 goes (the same server)
    upstream vlan60             the interface towards the server
    downstream vlan20           one line per client VLAN, in natural order
    downstream6 vlan20          one line per DHCPv6 VLAN (router advertisements set M)
An empty section means no relay runs. `show` reads the running processes' own command lines, never a file.
dhcrelay has no config-test mode: the agent checks the section, and that every interface exists with an
address of the family, before it stops the running relays.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from wardnet.canonical import natural_key
from wardnet.node.record import Record

DHCRELAY = "/usr/sbin/dhcrelay"
STATE = Path(os.environ.get("WARDNET_NODE_STATE", "/var/lib/wardnet"))


class Relay(Record):
    __slots__ = ("downstream", "downstream6", "servers", "servers6", "upstream")

    def __init__(
        self,
        servers: tuple[str, ...] = (),
        upstream: tuple[str, ...] = (),
        downstream: tuple[str, ...] = (),
        servers6: tuple[str, ...] = (),
        downstream6: tuple[str, ...] = (),
    ) -> None:
        self.servers, self.upstream, self.downstream = servers, upstream, downstream
        self.servers6, self.downstream6 = servers6, downstream6

    @property
    def enabled(self) -> bool:
        return bool(self.servers)

    @property
    def enabled6(self) -> bool:
        return bool(self.servers6)


KEYS = ("server", "server6", "upstream", "downstream", "downstream6")
FAMILY = {"server": ipaddress.IPv4Address, "server6": ipaddress.IPv6Address}


def parse(section: str) -> Relay:
    """The section → Relay; ValueError naming the line on anything else."""
    found: dict[str, list[str]] = {key: [] for key in KEYS}
    for number, line in enumerate(section.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 2 or words[0] not in found:
            raise ValueError(f"dhcrelay line {number}: {line!r}: expected '{'|'.join(KEYS)} VALUE'")
        if words[0] in FAMILY:
            try:
                FAMILY[words[0]](words[1])
            except ValueError:
                family = "IPv4" if words[0] == "server" else "IPv6"
                message = f"dhcrelay line {number}: {words[0]} {words[1]!r} is not an {family} address"
                raise ValueError(message) from None
        found[words[0]].append(words[1])
    relay = Relay(
        *(tuple(found[key]) for key in ("server", "upstream", "downstream", "server6", "downstream6"))
    )
    if relay.enabled and not (relay.upstream and relay.downstream):
        raise ValueError("dhcrelay: a relay needs at least one upstream and one downstream interface")
    if relay.enabled6 and not (relay.upstream and relay.downstream6):
        raise ValueError("dhcrelay: a DHCPv6 relay needs an upstream and a downstream6 interface")
    if not relay.enabled and relay.downstream:
        raise ValueError("dhcrelay: interfaces without a server: add a 'server ADDRESS' line")
    if not relay.enabled6 and relay.downstream6:
        raise ValueError("dhcrelay: downstream6 without a server6: add a 'server6 ADDRESS' line")
    if relay.upstream and not (relay.enabled or relay.enabled6):
        raise ValueError("dhcrelay: interfaces without a server: add a 'server ADDRESS' line")
    return relay


def format_relay(relay: Relay) -> str:
    lines = [f"server {s}" for s in sorted(relay.servers, key=ipaddress.IPv4Address)]
    lines += [f"server6 {s}" for s in sorted(relay.servers6, key=ipaddress.IPv6Address)]
    lines += [f"upstream {i}" for i in sorted(relay.upstream, key=natural_key)]
    lines += [f"downstream {i}" for i in sorted(relay.downstream, key=natural_key)]
    lines += [f"downstream6 {i}" for i in sorted(relay.downstream6, key=natural_key)]
    return "".join(line + "\n" for line in lines)


def command(relay: Relay, pidfile: Path) -> list[str]:
    """-4 IPv4, -q quiet start-up; it forks to the background and writes its PID to `pidfile`."""
    args = [DHCRELAY, "-4", "-q", "-pf", str(pidfile)]
    for interface in relay.upstream:
        args += ["-iu", interface]
    for interface in relay.downstream:
        args += ["-id", interface]
    return args + list(relay.servers)


def command6(relay: Relay, pidfile: Path) -> list[str]:
    """-6: `-l` per DHCPv6 VLAN, `-u SERVER%UPSTREAM` (unicast to the server, out of that interface)."""
    args = [DHCRELAY, "-6", "-q", "-pf", str(pidfile)]
    for interface in relay.downstream6:
        args += ["-l", interface]
    for server in relay.servers6:
        for interface in relay.upstream:
            args += ["-u", f"{server}%{interface}"]
    return args


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def from_command6(argv: list[str]) -> Relay:
    """A running `dhcrelay -6`'s command line → Relay (the inverse of `command6`)."""
    servers: list[str] = []
    upstream: list[str] = []
    downstream: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        if arg == "-l":
            downstream.append(next(args, "").rpartition("%")[2].split("#")[0])
        elif arg == "-u":
            server, _, interface = next(args, "").rpartition("%")
            if not server and _is_ipv6(interface):  # dhcrelay cuts `ADDR%IF` at the % in its own argv
                server, interface = interface, next(args, "")
            servers += [server] if server and server not in servers else []
            upstream += [interface] if interface not in upstream else []
        elif arg in ("-pf", "-c", "-p", "-A", "-m", "-U", "-g", "-rp", "-s", "-I"):
            next(args, None)
    return Relay(upstream=tuple(upstream), servers6=tuple(servers), downstream6=tuple(downstream))


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


def _pidfile(state: Path, family: int = 4) -> Path:
    return state / ("dhcrelay.pid" if family == 4 else "dhcrelay6.pid")


def running_pid(state: Path = STATE, family: int = 4) -> int | None:
    """The relay's PID when its pidfile names a live dhcrelay process."""
    try:
        pid = int(_pidfile(state, family).read_text().split()[0])
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return None
    return pid if argv and argv[0].decode().endswith("dhcrelay") else None


def _argv(pid: int) -> list[str]:
    return [a.decode() for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]


def read_live(state: Path = STATE) -> str:
    pid, pid6 = running_pid(state, 4), running_pid(state, 6)
    four = from_command(_argv(pid)) if pid is not None else Relay()
    six = from_command6(_argv(pid6)) if pid6 is not None else Relay()
    upstream = tuple(dict.fromkeys(four.upstream + six.upstream))
    return format_relay(Relay(four.servers, upstream, four.downstream, six.servers6, six.downstream6))


def _interfaces(family: int) -> dict[str, list[dict[str, object]]]:
    """Interface → its addresses of the family (global scope for IPv6: dhcrelay -6 needs one)."""
    scope = ["scope", "global"] if family == 6 else []
    out = subprocess.run(
        ["ip", "-j", f"-{family}", "addr", "show", *scope], check=True, capture_output=True, text=True
    )
    return {
        link["ifname"]: link["addr_info"] for link in json.loads(out.stdout or "[]") if link.get("addr_info")
    }


def check(relay: Relay, settle: float = 3.0) -> None:
    """What dhcrelay would refuse at start-up: an interface without an address of the family. A new IPv6
    address stays tentative while the kernel runs duplicate address detection (~1 s): waited for."""
    if relay.enabled:
        missing = sorted(set(relay.upstream + relay.downstream) - set(_interfaces(4)), key=natural_key)
        if missing:
            raise ValueError(f"dhcrelay: no IPv4 address on interface(s) {', '.join(missing)}")
    if relay.enabled6:
        wanted = set(relay.upstream + relay.downstream6)
        deadline = time.monotonic() + settle
        while True:
            ready = {
                name for name, found in _interfaces(6).items() if any(not a.get("tentative") for a in found)
            }
            missing = sorted(wanted - ready, key=natural_key)
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if missing:
            raise ValueError(f"dhcrelay: no global IPv6 address on interface(s) {', '.join(missing)}")


def stop(state: Path = STATE, wait: float = 3.0) -> None:
    for family in (4, 6):
        pid = running_pid(state, family)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + wait
            while running_pid(state, family) == pid and time.monotonic() < deadline:
                time.sleep(0.05)
        _pidfile(state, family).unlink(missing_ok=True)


def _start(argv: list[str], state: Path, family: int) -> None:
    import tempfile  # here: `show` does not need it

    # Output to a file, not a pipe: the forked daemon must not hold our pipe open.
    with tempfile.TemporaryFile("w+") as log:
        done = subprocess.run(argv, stdout=log, stderr=log, check=False)
        deadline = time.monotonic() + 3
        while running_pid(state, family) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if done.returncode != 0 or running_pid(state, family) is None:
            log.seek(0)
            name = "dhcrelay" if family == 4 else "dhcrelay -6"
            raise RuntimeError(f"{name} did not start ({done.returncode}): {log.read().strip()[-800:]}")


def apply(section: str, state: Path = STATE) -> str:
    """Make the running relays match `section`: unchanged → nothing; else stop them and start the new ones."""
    relay = parse(section)
    if format_relay(relay) == read_live(state):
        return "unchanged"
    check(relay)  # before the running relays stop
    stop(state)
    if not (relay.enabled or relay.enabled6):
        return "stopped"
    state.mkdir(parents=True, exist_ok=True)
    done = []
    if relay.enabled:
        _start(command(relay, _pidfile(state, 4)), state, 4)
        done.append(f"relaying {len(relay.downstream)} VLAN(s) to {', '.join(relay.servers)}")
    if relay.enabled6:
        _start(command6(relay, _pidfile(state, 6)), state, 6)
        done.append(f"DHCPv6 {len(relay.downstream6)} VLAN(s) to {', '.join(relay.servers6)}")
    return "; ".join(done)
