"""`lab prove`, sessions: the clients that just got their leases hold concurrent TCP sessions through the
firewall to the services the policy lets their zone reach, in the server zone (the ward server's address, in
its namespace) and in the city (the lab's city core, one address per remote zone); meanwhile the firewall's
conntrack is read and flows the policy denies are tried from the same VLANs: they must stay refused.

Each client (one leased address, added to its VLAN's endpoint for the run) opens one session to each zone its
own zone may reach, on the first TCP port the policy allows there (wardnet.lab.matrix reads the policy, not
the rendered firewall), so the sessions spread over the VLANs as the design's peak spreads the clients.
The ward server's own host firewall refuses web (it serves none): wardnet.lab.hostfw opens the session port
on it for the run, so what is measured is the site firewall. The load generator is wardnet/lab/tcpload.py
(asyncio, bounded, self-stopping), one client process per VLAN endpoint and one echo server per destination
namespace. Conntrack: `conntrack -C` and `conntrack -L`
(Debian conntrack, conntrack-tools 1.4.7, https://conntrack-tools.netfilter.org/manual.html) in the
firewall's namespace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from wardnet.design.site import SitePlan
from wardnet.lab import hostfw, matrix, perfdhcp, system
from wardnet.lab.system import LabError

LOAD_SCRIPT = Path(__file__).with_name("tcpload.py")
PROBE_SCRIPT = Path(__file__).with_name("probe.py")
HOLD_S = 5.0  # sessions held this long once every VLAN's clients have theirs
CONNECT_S = 60.0  # a session not up by then is counted as failed
SAMPLE_S = 0.5
READY_S = 15.0


@dataclass(frozen=True)
class Target:
    """Where sessions land: a server of the site or a remote zone's address on the city core."""

    zone: str
    name: str
    namespace: str
    address: str


@dataclass(frozen=True)
class Clients:
    """One VLAN's clients: the addresses they leased, in the VLAN's endpoint namespace."""

    vlan: int
    name: str
    zone: str
    namespace: str
    interface: str
    prefixlen: int
    addresses: tuple[IPv4Address, ...]


def first_port(baseline: Any, src: str, dst: str) -> tuple[int, str] | None:
    """The lowest TCP port the policy lets from zone src into zone dst, with its rule."""
    for proto, port in matrix.policy_ports(baseline):
        rule = matrix.allowing_rule(baseline, src, dst, proto, port) if proto == "tcp" else ""
        if rule:
            return port, rule
    return None


def targets(plan: SitePlan, nodes: list[dict[str, Any]], remote: list[matrix.Place]) -> list[Target]:
    by_vlan = {n.get("vlan"): n["namespace"] for n in nodes if n["kind"] == "endpoint"}
    local = [Target(s.vlan.zone, s.hostname, by_vlan[s.vlan.id], str(s.address)) for s in plan.servers]
    return local + [Target(p.zone, p.name, p.namespace, p.address) for p in remote]


def plan_sessions(
    baseline: Any, clients: list[Clients], places: list[Target], each: int = 1
) -> tuple[dict[str, list[list[Any]]], list[dict[str, Any]]]:
    """Per client namespace, its sessions [src, dst, port] (`each` per client and zone reached); and per VLAN,
    what it holds where."""
    by_namespace: dict[str, list[list[Any]]] = {}
    rows = []
    for group in clients:
        flows = []
        for target in places:
            found = first_port(baseline, group.zone, target.zone)
            if found is not None:
                port, rule = found
                flows.append({"zone": target.zone, "to": target.name, "address": target.address, "port": port,
                              "rule": rule})  # fmt: skip
        sessions = [
            [str(a), f["address"], f["port"]] for a in group.addresses for f in flows for _ in range(each)
        ]
        by_namespace.setdefault(group.namespace, []).extend(sessions)
        rows.append(
            {"vlan": group.vlan, "name": group.name, "zone": group.zone, "namespace": group.namespace,
             "clients": len(group.addresses) if flows else 0, "flows": flows, "planned": len(sessions)}
        )  # fmt: skip
    return by_namespace, rows


def listening(places: list[Target], rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per destination namespace, the ADDR:PORT its echo server binds."""
    wanted = {(f["address"], f["port"]) for r in rows for f in r["flows"]}
    out: dict[str, list[str]] = {}
    for target in places:
        for address, port in sorted(wanted):
            if address == target.address:
                out.setdefault(target.namespace, []).append(f"{address}:{port}")
    return out


def denied_probes(
    baseline: Any, clients: list[Clients], servers: list[Target], port: int | None, mgmt: matrix.Place | None
) -> list[dict[str, Any]]:
    """From each client VLAN, sessions the policy refuses, to places that do listen (a refusal is then the
    firewall's): the servers on the port their echo server holds for the load, and a device's SSH (the
    management zone); each sent from one of the VLAN's clients while the load is held."""
    out: list[dict[str, Any]] = []
    destinations = [(t.zone, t.name, t.address, port) for t in servers if port is not None]
    if mgmt is not None:
        destinations.append((mgmt.zone, mgmt.name, mgmt.address, matrix.SSH[1]))
    for group in clients:
        if not group.addresses:
            continue
        for zone, name, address, dport in destinations:
            assert dport is not None
            if matrix.allowing_rule(baseline, group.zone, zone, "tcp", dport):
                continue
            wire = {
                "id": len(out),
                "proto": "tcp",
                "src": str(group.addresses[0]),
                "dst": address,
                "port": dport,
            }
            out.append(wire | {"namespace": group.namespace, "from": group.name, "to": f"{name} ({zone})"})
    return out


def _spawn(namespace: str, *args: str) -> subprocess.Popen[str]:
    return system.spawn_script(namespace, str(LOAD_SCRIPT), *args)


def _line(process: subprocess.Popen[str], seconds: float, what: str) -> str:
    line = system.next_line(process, seconds)
    if line is None:
        raise LabError(f"tcpload {what}: no answer in {seconds:.0f} s {system.stderr_tail(process)}")
    return line


def conntrack_count(firewall_ns: str) -> int:
    return int(system.run(["ip", "netns", "exec", firewall_ns, "conntrack", "-C"]).strip())


def tracked(conntrack_list: str, sessions: set[tuple[str, str, int]]) -> int:
    """ESTABLISHED TCP entries (conntrack -L) whose original direction is one of `sessions`: each line holds
    the original tuple first, then the reply tuple (same keys), e.g.
    `tcp 6 431999 ESTABLISHED src=A dst=B sport=P dport=Q src=B dst=A sport=Q dport=P [ASSURED] ...`."""
    count = 0
    for line in conntrack_list.splitlines():
        words = line.split()
        original: dict[str, str] = {}
        for word in words:
            key, _, value = word.partition("=")
            if value:
                original.setdefault(key, value)
        dport = original.get("dport", "")
        if (
            "ESTABLISHED" in words
            and dport.isdigit()
            and (original.get("src"), original.get("dst"), int(dport)) in sessions
        ):
            count += 1
    return count


def _established_list(firewall_ns: str) -> str:
    return system.run(
        ["ip", "netns", "exec", firewall_ns, "conntrack", "-L", "-p", "tcp", "--state", "ESTABLISHED"],
        check=False,
    )


def _probe(probes: list[dict[str, Any]], out: dict[int, str]) -> None:
    """probe.py send from each source namespace (2 s timeout per probe, all at once)."""
    by_ns: dict[str, list[dict[str, Any]]] = {}
    for p in probes:
        by_ns.setdefault(p["namespace"], []).append({k: p[k] for k in ("id", "proto", "src", "dst", "port")})
    for namespace, wire in by_ns.items():
        text = system.run(
            ["ip", "netns", "exec", namespace, sys.executable, str(PROBE_SCRIPT), "send"],
            input_text=json.dumps(wire),
        )
        out.update({int(k): v for k, v in json.loads(text).items()})


def _addresses(clients: list[Clients], verb: str) -> None:
    for group in clients:
        lines = [f"addr {verb} {a}/{group.prefixlen} dev {group.interface}" for a in group.addresses]
        if verb == "add":
            system.ip_batch(lines, group.namespace)
        else:  # -force: go on past an address already gone
            text = "".join(line + "\n" for line in lines)
            system.run(["ip", "-n", group.namespace, "-force", "-batch", "-"], input_text=text, check=False)


def _add_on_lo(namespace: str, addresses: list[str]) -> list[str]:
    """Host addresses on the city core's lo (the internet's test address); returns those added here."""
    added = []
    for address in addresses:
        cmd = ["ip", "-n", namespace, "addr", "add", f"{address}/32", "dev", "lo"]
        if subprocess.run(cmd, capture_output=True, check=False).returncode == 0:
            added.append(address)
    return added


@dataclass
class Load:
    """What one run drives: sessions per client namespace, the rows of the report, the echo servers'
    binds per namespace, the denied probes."""

    per_namespace: dict[str, list[list[Any]]]
    rows: list[dict[str, Any]]
    binds: dict[str, list[str]]
    denied: list[dict[str, Any]]
    internet: list[str]
    servers: dict[str, int]  # server namespace: the port its host firewall opens for the run

    @property
    def planned(self) -> set[tuple[str, str, int]]:
        return {(s, d, p) for todo in self.per_namespace.values() for s, d, p in todo}


def prepare(
    baseline: Any,
    plan: SitePlan,
    nodes: list[dict[str, Any]],
    city_ns: str,
    clients: list[Clients],
    *,
    each: int = 1,
) -> Load:
    remote = matrix.remote_places(baseline, city_ns)
    places = targets(plan, nodes, remote)
    servers = places[: len(plan.servers)]
    per_ns, rows = plan_sessions(baseline, clients, places, each)
    names = {t.name for t in servers}
    port = next((f["port"] for r in rows for f in r["flows"] if f["to"] in names), None)
    denied = denied_probes(
        baseline, clients, servers, port, matrix.mgmt_source(matrix.site_places(plan, nodes))
    )
    binds = listening(places, rows)
    for target in servers if port is not None else []:  # the denied probes aim there even if no session does
        here = binds.setdefault(target.namespace, [])
        if f"{target.address}:{port}" not in here:
            here.append(f"{target.address}:{port}")
    internet = [p.address for p in remote if p.address in matrix.INTERNET_ADDRESSES]
    opened = {t.namespace: port for t in servers if port is not None}
    return Load(per_ns, rows, binds, denied, internet, opened)


def run(
    load: Load, clients: list[Clients], city_ns: str, firewall_ns: str, hold_s: float = HOLD_S
) -> dict[str, Any]:
    """Open every client's sessions, hold them hold_s while conntrack is read and denied flows are tried,
    then check each one still answers. Every process started here is ended here, by its handle."""
    added = _add_on_lo(city_ns, load.internet)
    processes: list[subprocess.Popen[str]] = []
    _addresses(clients, "add")
    harness = ExitStack()
    try:
        for namespace, port in load.servers.items():
            harness.enter_context(hostfw.opened(namespace, [port]))
        for namespace, here in load.binds.items():
            server = _spawn(namespace, "serve", str(CONNECT_S + hold_s + 60), ",".join(here))
            processes.append(server)
            if _line(server, READY_S, f"serve in {namespace}").strip() != "ready":
                raise LabError(f"tcpload serve in {namespace} did not start")
        before = conntrack_count(firewall_ns)
        holders = {}
        for namespace, todo in load.per_namespace.items():
            if todo:
                holders[namespace] = _spawn(namespace, "hold")
                processes.append(holders[namespace])
                _say(
                    holders[namespace],
                    json.dumps({"sessions": todo, "connect_s": CONNECT_S, "hold_s": hold_s + 30}),
                )
        up = {
            ns: json.loads(_line(h, CONNECT_S + 15, f"hold in {ns}"))["established"]
            for ns, h in holders.items()
        }
        measured = _during_hold(load, firewall_ns, hold_s) | {"conntrack_before": before, "hold_s": hold_s}
        for holder in holders.values():
            _say(holder, "release")
        held = {ns: json.loads(_line(h, 30, f"hold in {ns}"))["held"] for ns, h in holders.items()}
    finally:
        harness.close()
        system.stop_pids([p.pid for p in processes])
        for process in processes:
            process.wait(timeout=10)
        _addresses(clients, "del")
        for address in added:
            system.run(["ip", "-n", city_ns, "addr", "del", f"{address}/32", "dev", "lo"], check=False)
    return summary(load, up, held, measured)


def _say(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdin is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()


def _during_hold(load: Load, firewall_ns: str, hold_s: float) -> dict[str, Any]:
    """While every session is up: the denied probes (a thread), conntrack's entries for these sessions, and
    its count every SAMPLE_S."""
    outcomes: dict[int, str] = {}
    prober = threading.Thread(target=_probe, args=(load.denied, outcomes))
    prober.start()
    ours = tracked(_established_list(firewall_ns), load.planned)
    counts = []
    deadline = time.monotonic() + hold_s
    while time.monotonic() < deadline:
        counts.append(conntrack_count(firewall_ns))
        time.sleep(SAMPLE_S)
    prober.join()
    return {
        "conntrack_peak": max(counts, default=None),
        "conntrack_low": min(counts, default=None),
        "conntrack_ours": ours,
        "outcomes": outcomes,
    }


def summary(
    load: Load, up: dict[str, dict[str, Any]], held: dict[str, dict[str, Any]], measured: dict[str, Any]
) -> dict[str, Any]:
    rows = []
    for row in load.rows:
        got, kept = up.get(row["namespace"], {}), held.get(row["namespace"], {})
        rows.append(
            row
            | {
                "established": got.get("established", 0),
                "held": kept.get("sessions", 0),
                "clients_held": kept.get("sources_held", 0) if row["planned"] else 0,
                "errors": got.get("errors", {}),
                "seconds": got.get("seconds"),
            }
        )
    connect = [ms for got in up.values() for ms in got["connect_ms"]]
    seconds = max((got["seconds"] for got in up.values()), default=0.0)
    established = sum(r["established"] for r in rows)
    outcomes = measured.pop("outcomes")
    return measured | {
        "measured": True,
        "clients": sum(r["clients"] for r in rows),
        "clients_held": sum(r["clients_held"] for r in rows),
        "planned": sum(r["planned"] for r in rows),
        "established": established,
        "held": sum(r["held"] for r in rows),
        "seconds_to_establish": round(seconds, 2),
        "sessions_per_s": round(established / seconds, 1) if seconds else None,
        "connect_p50_ms": perfdhcp.percentile(connect, 0.50),
        "connect_p99_ms": perfdhcp.percentile(connect, 0.99),
        "vlans": rows,
        "denied": [
            {k: p[k] for k in ("from", "to", "src", "dst", "port")}
            | {"seen": outcomes.get(p["id"], "not sent")}
            for p in load.denied
        ],
    }
