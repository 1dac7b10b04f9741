"""`wardnet lab prove`: drive a live site with tools no one here wrote and measure what it serves.

DHCP: one perfdhcp per client VLAN, in that VLAN's endpoint namespace, all VLANs at once, as many distinct
clients as the design's peak for the VLAN (scaled by --users), all arriving at once and retransmitting like
clients (perfdhcp's avalanche scenario), full DORA through the firewall's dhcrelay to the ward server's Kea;
the leases Kea recorded are checked against the VLAN's pool and lease time. Then the same at each overload
factor (1.5x, 2x the design load): where each pool runs out, against what its headroom predicts.
DNS: dnsperf against the ward server's unbound (it serves localhost only, by its role) and, from a client
VLAN, against the server's address (the policy denies it: it must stay unanswered).
Sessions (wardnet/lab/sessions.py): right after the design load's leases, every client that got one holds a
TCP session to each zone its own may reach (server and city zones) through the firewall, while conntrack is
read and denied flows are tried.
The report goes to STATE/prove/<code>.json (read by the CAP-PROVE check) and to --report DIR.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path
from typing import Any

from wardnet.design.site import PlannedVlan, SitePlan
from wardnet.lab import dnsperf, leases, perfdhcp, servers, sessions, state
from wardnet.lab.system import LabError, run

LEASE_FILE = "/var/lib/kea/kea-leases4.csv"  # roles/ward_dhcp_dns: ward_dhcp_dns_lease_file
HARNESS_TABLE = "wardnet_prove"
MAX_DNS_LOSS = 0.01
READY_SECONDS = 90
TOOLS = ("perfdhcp", "dnsperf", "podman", "nft", "conntrack")
OVERLOAD = (1.5, 2.0)  # issue 19: what happens at 1.5x and 2x the design load
# Kea's own account (its syslog in the server instance; `journalctl -o cat` prints "SEVERITY  MESSAGE_ID ...",
# with "[logger/pid.thread]" between them on a few start-up lines)
_KEA_LOG = re.compile(r"^(DEBUG|INFO|WARN|ERROR|FATAL)\s+(?:\[[^\]]*\]\s+)?([A-Z][A-Z0-9_]+)\b", re.M)


@dataclass(frozen=True)
class VlanLoad:
    vlan: PlannedVlan
    namespace: str
    interface: str
    endpoint: IPv4Address
    clients: int


def loads(plan: SitePlan, endpoints: list[dict[str, Any]], users: float) -> list[VlanLoad]:
    """Each DHCP VLAN's share of `users`: its design peak scaled, rounded up (the sum covers `users`)."""
    by_vlan = {e["vlan"]: e for e in endpoints if e["kind"] == "endpoint"}
    out = []
    for vlan in plan.vlans:
        if vlan.pool_start is None:
            continue
        endpoint = by_vlan.get(vlan.id)
        if endpoint is None:
            raise LabError(f"VLAN {vlan.id} {vlan.name} has no endpoint namespace in the lab")
        clients = max(1, math.ceil(vlan.peak_clients * users / plan.site.concurrent_users))
        out.append(
            VlanLoad(
                vlan,
                endpoint["namespace"],
                endpoint["ports"][0],
                IPv4Interface(endpoint["address"]).ip,
                clients,
            )
        )
    return out


def harness(load: VlanLoad, on: bool) -> None:
    """The endpoint's own stack, not the site under test: the relay sends each reply to the client's new
    address and MAC (or broadcasts it), which perfdhcp's socket, bound to the endpoint's own address, would
    never see; this rewrites such frames to the endpoint before its IP stack looks at them."""
    ns = ["ip", "netns", "exec", load.namespace]
    if not on:
        run([*ns, "nft", "delete", "table", "netdev", HARNESS_TABLE], check=False)
        return
    link = json.loads(run([*ns, "ip", "-j", "link", "show", load.interface]))[0]
    rule = (  # one statement per line: nft refuses `; }` after a rule
        f"table netdev {HARNESS_TABLE} {{\n chain rx {{\n"
        f"  type filter hook ingress device {load.interface} priority 0;\n"
        f"  udp sport 67 udp dport {perfdhcp.CLIENT_PORT} ether daddr set {link['address']} "
        f"ip daddr set {load.endpoint} meta pkttype set host\n }}\n"
        # perfdhcp copies the OFFER's giaddr (the relay's own address) into its REQUEST, and dhcrelay drops a
        # request carrying its own giaddr as one it sent itself: clear giaddr (BOOTP offset 24, UDP payload)
        # as a client would; UDP checksum 0 means "none" over IPv4 (RFC 768).
        f" chain tx {{\n  type filter hook egress device {load.interface} priority 0;\n"
        f"  udp dport 67 @th,256,32 set 0 udp checksum set 0\n }}\n}}"
    )
    run([*ns, "nft", "-f", "-"], input_text=rule + "\n")


def wait_ready(load: VlanLoad, relays: Path, seconds: float = READY_SECONDS) -> None:
    """One client's DORA until it succeeds: Kea answers late right after it starts (seen: 7 s)."""
    deadline = time.monotonic() + seconds
    while True:
        cmd = perfdhcp.probe(load.interface, relays)
        done = subprocess.run(
            ["ip", "netns", "exec", load.namespace, *cmd],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        try:
            if perfdhcp.parse(done.stdout).leases:
                return
        except ValueError:
            pass
        if time.monotonic() > deadline:
            raise LabError(f"VLAN {load.vlan.id}: no DHCP answer through the relay in {seconds:.0f} s")


def run_dhcp(
    vlan_loads: list[VlanLoad], workdir: Path, window: float = perfdhcp.WINDOW_SECONDS
) -> dict[int, tuple[perfdhcp.Result, bool]]:
    """All VLANs' clients at once; perfdhcp (avalanche) stops by itself when all are served, or is interrupted
    when the window closes (it then prints its report: True in the result). Raw outputs stay in workdir."""
    relays = workdir / "giaddr-zero.txt"
    relays.write_text("0.0.0.0\n")
    wait_ready(vlan_loads[0], relays)
    procs = {}
    for load in vlan_loads:
        cmd = perfdhcp.command(load.interface, load.clients, relays, load.vlan.id)
        procs[load.vlan.id] = subprocess.Popen(
            ["ip", "netns", "exec", load.namespace, *cmd],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    results = {}
    deadline = time.monotonic() + window
    for vlan, proc in procs.items():
        interrupted = False
        try:
            output, _ = proc.communicate(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            interrupted = True
            proc.send_signal(signal.SIGINT)  # a process this prove started, by its handle
            try:
                output, _ = proc.communicate(timeout=perfdhcp.REPORT_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate()
                raise LabError(f"VLAN {vlan}: perfdhcp did not stop on SIGINT:\n{output[-600:]}") from None
        (workdir / f"perfdhcp-{vlan}-{sum(x.clients for x in vlan_loads)}.txt").write_text(output)
        results[vlan] = (perfdhcp.parse(output), interrupted)
    return results


def vlan_figures(
    load: VlanLoad, result: perfdhcp.Result, interrupted: bool, kea: dict[str, leases.Lease], held: int
) -> dict[str, Any]:
    """One VLAN's run: what perfdhcp saw, what Kea recorded, and what the pool predicts (`held`: addresses
    of its pool that other clients hold)."""
    vlan = load.vlan
    assert vlan.pool_start is not None and vlan.pool_end is not None
    outside = [str(x.address) for x in kea.values() if not vlan.pool_start <= x.address <= vlan.pool_end]
    want_seconds = (vlan.lease_minutes or 0) * 60
    trips = result.round_trips_ms()
    waits = result.lease_times_s()
    return {
        "vlan": vlan.id,
        "name": vlan.name,
        "clients": load.clients,
        "leases": result.leases,
        "kea_leases": len(kea),
        "drops": result.drops,
        "unserved": load.clients - result.leases,
        "retransmissions": result.retransmissions,
        "requests": result.requests,
        "interrupted": interrupted,
        "seconds_to_serve": None if interrupted else result.took_seconds,
        "pool_start": str(vlan.pool_start),
        "pool_end": str(vlan.pool_end),
        "pool_size": vlan.pool_size,
        "peak_clients": vlan.peak_clients,
        "headroom": round(vlan.pool_size / vlan.peak_clients, 2) if vlan.peak_clients else None,
        "held_by_others": held,
        "predicted_leases": min(load.clients, vlan.pool_size - held),
        "out_of_pool": outside,
        "wrong_subnet": sum(1 for x in kea.values() if x.subnet_id != vlan.id),
        "lease_seconds": want_seconds,
        "wrong_lease_time": sum(1 for x in kea.values() if x.valid_lifetime != want_seconds),
        "p50_ms": perfdhcp.percentile(trips, 0.50),
        "p99_ms": perfdhcp.percentile(trips, 0.99),
        "max_ms": max(trips, default=None),
        "lease_p50_s": perfdhcp.percentile(waits, 0.50),
        "lease_p99_s": perfdhcp.percentile(waits, 0.99),
        "lease_times_s": [round(w, 3) for w in waits],
    }


def kea_log(container: str, since: float) -> dict[str, int]:
    """Kea's log since `since` (epoch s), counted by message id: offers (DHCP4_LEASE_ADVERT) against leases
    (DHCP4_LEASE_ALLOC) show the work it spent on retransmissions; warnings say what it refused."""
    text = run(
        ["podman", "exec", container, "journalctl", "-o", "cat", "--since", f"@{int(since)}",
         "-u", "kea-dhcp4-server"],
        check=False,
    )  # fmt: skip
    return kea_messages(text)


def kea_messages(journal: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, message in _KEA_LOG.findall(journal):
        counts[message] = counts.get(message, 0) + 1
    return dict(sorted(counts.items()))


def udp_receive_drops(namespace: str) -> int:
    """Datagrams the namespace's kernel dropped because a socket's receive buffer was full (/proc/net/snmp,
    Udp RcvbufErrors): for the server's namespace, requests that never reached Kea."""
    return rcvbuf_errors(run(["ip", "netns", "exec", namespace, "cat", "/proc/net/snmp"]))


def rcvbuf_errors(snmp: str) -> int:
    names, values = (line.split()[1:] for line in snmp.splitlines() if line.startswith("Udp:"))
    return int(dict(zip(names, values, strict=True))["RcvbufErrors"])


def dhcp_round(
    vlan_loads: list[VlanLoad], container: str, namespaces: dict[str, str], workdir: Path, window: float
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One avalanche over every DHCP VLAN, checked against Kea's lease file, its log and the drops of the
    sockets on the way (`namespaces`: "server" and "relay")."""
    before = {role: udp_receive_drops(ns) for role, ns in namespaces.items()}
    started = time.time()
    for load in vlan_loads:
        harness(load, on=True)
    try:
        results = run_dhcp(vlan_loads, workdir, window)
    finally:
        for load in vlan_loads:
            harness(load, on=False)
    seconds = time.time() - started
    kea_csv = servers.read_file(container, LEASE_FILE)
    rows = []
    for load in vlan_loads:
        prefix = perfdhcp.mac_base(load.vlan.id)[:11]
        result, interrupted = results[load.vlan.id]
        held = leases.held(kea_csv, time.time(), load.vlan.id, prefix)
        granted = leases.granted(kea_csv, started - 1, prefix)
        rows.append(vlan_figures(load, result, interrupted, granted, held))
    total = sum(v["leases"] for v in rows)
    served = [v["seconds_to_serve"] for v in rows]
    summary = {
        "clients": sum(v["clients"] for v in rows),
        "leases": total,
        "drops": sum(v["drops"] for v in rows),
        "unserved": sum(v["unserved"] for v in rows),
        "retransmissions": sum(v["retransmissions"] or 0 for v in rows),
        "seconds": round(seconds, 1),
        "seconds_to_serve": None if None in served else max(s for s in served if s is not None),
        "leases_per_s": round(total / seconds, 1),
        "kea_log": kea_log(container, started),
        "socket_drops": {role: udp_receive_drops(ns) - before[role] for role, ns in namespaces.items()},
    }
    return rows, summary


def run_dns(server_ns: str, client_ns: str, server: str, workdir: Path) -> dict[str, Any]:
    queries = workdir / "queries.txt"
    queries.write_text("".join(q + "\n" for q in dnsperf.QUERIES))
    local = dnsperf.parse(
        run(["ip", "netns", "exec", server_ns, *dnsperf.command("127.0.0.1", str(queries))])
    )
    denied = dnsperf.parse(
        run(["ip", "netns", "exec", client_ns, *dnsperf.command(server, str(queries), 2, 50)], check=False)
    )
    latencies = list(local.latencies_ms)
    return {
        "server": "127.0.0.1 (unbound on the ward server)",
        "sent": local.sent,
        "completed": local.completed,
        "lost": local.lost,
        "qps": local.qps,
        "p50_ms": perfdhcp.percentile(latencies, 0.50),
        "p99_ms": perfdhcp.percentile(latencies, 0.99),
        "denied": {"from": client_ns, "to": server, "sent": denied.sent, "completed": denied.completed},
    }


def conntrack_max(firewall_ns: str) -> int | None:
    text = run(
        ["ip", "netns", "exec", firewall_ns, "cat", "/proc/sys/net/netfilter/nf_conntrack_max"], check=False
    )
    return int(text) if text.strip().isdigit() else None


def leased_clients(vlan_loads: list[VlanLoad], container: str, since: float) -> list[sessions.Clients]:
    """Per VLAN, the addresses Kea leased to this run's clients since `since`: the session clients."""
    kea_csv = servers.read_file(container, LEASE_FILE)
    out = []
    for load in vlan_loads:
        got = leases.granted(kea_csv, since - 1, perfdhcp.mac_base(load.vlan.id)[:11])
        addresses = tuple(sorted(x.address for x in got.values() if x.subnet_id == load.vlan.id))
        out.append(
            sessions.Clients(load.vlan.id, load.vlan.name, load.vlan.zone, load.namespace, load.interface,
                             load.vlan.subnet.prefixlen, addresses)
        )  # fmt: skip
    return out


def session_failures(report: dict[str, Any]) -> list[str]:
    held = report["sessions"]
    if not held.get("measured"):
        return ["sessions: not measured"]
    out = []
    if held["held"] < held["planned"] or not held["planned"]:
        out.append(
            f"sessions: {held['held']} of {held['planned']} held through the firewall "
            f"({held['established']} established)"
        )
    if held["clients_held"] < report["users"]:
        out.append(f"sessions: {held['clients_held']} clients held all theirs, for {report['users']} users")
    if held["conntrack_ours"] < held["held"]:
        out.append(
            f"sessions: the firewall tracked {held['conntrack_ours']} of {held['held']} as ESTABLISHED"
        )
    if not held["denied"]:
        out.append("sessions: no denied flow was tried under load")
    for flow in held["denied"]:
        if flow["seen"] == "open":
            out.append(
                f"{flow['from']} to {flow['to']} tcp/{flow['port']} open under load: the policy denies it"
            )
    return out


def failures(report: dict[str, Any]) -> list[str]:
    out = []
    for v in report["dhcp"]["design_load"]:
        tag = f"VLAN {v['vlan']} {v['name']}"
        if v["leases"] < v["clients"] or v["kea_leases"] < v["clients"]:
            out.append(f"{tag}: {v['leases']} of {v['clients']} clients leased ({v['kea_leases']} in Kea)")
        if v["out_of_pool"] or v["wrong_subnet"]:
            out.append(f"{tag}: leases outside the pool: {', '.join(v['out_of_pool'][:5])}")
        if v["wrong_lease_time"]:
            out.append(f"{tag}: {v['wrong_lease_time']} leases not {v['lease_seconds']} s long")
    if report["dhcp"]["leases"] < report["users"]:
        out.append(f"{report['dhcp']['leases']} leases for {report['users']} users")
    dns = report["dns"]
    if dns["completed"] == 0 or dns["lost"] > MAX_DNS_LOSS * dns["sent"]:
        out.append(f"DNS: {dns['lost']} of {dns['sent']} queries lost")
    if dns["denied"]["completed"]:
        out.append(
            f"DNS from {dns['denied']['from']} to {dns['denied']['to']} answered: the policy denies it"
        )
    return out + session_failures(report)


def prove(
    lab: Any,
    code: str,
    users: int | None = None,
    *,
    overload_factors: tuple[float, ...] = OVERLOAD,
    window: float = perfdhcp.WINDOW_SECONDS,
    raw: Path | None = None,
    hold: float = sessions.HOLD_S,
    sessions_each: int = 1,
) -> dict[str, Any]:
    """Measure one site that is up with its intended config and its servers (`lab up --load intended
    --servers`); returns the report (the caller stores and prints it)."""
    missing = [c for c in TOOLS if shutil.which(c, path=os.environ.get("PATH", "") + ":/usr/sbin") is None]
    if missing:
        raise LabError(
            f"missing {', '.join(missing)}: run `make lab-deps` (apt packages kea-admin, dnsperf, conntrack)"
        )
    if users is not None and users < 1:
        raise LabError(f"--users {users}: give at least 1")
    current = state.load(lab.root, lab.prefix)
    site = current.sites.get(code)
    if not site or site.get("loaded") != "intended" or not site.get("servers"):
        raise LabError(
            f"{code}: not up with its servers: wardnet lab up --site {code} --load intended --servers"
        )
    twin = lab.twin_design(code)
    plan: SitePlan = twin.plan
    users = users or plan.site.concurrent_users
    dhcp_server = next(s for s in plan.servers if "dhcp_dns" in s.services)
    container = next(r["container"] for r in site["servers"] if r["name"] == dhcp_server.hostname)
    nodes = site["nodes"]
    vlan_loads = loads(plan, nodes, users)
    server_ns = next(n["namespace"] for n in nodes if n.get("vlan") == dhcp_server.vlan.id)
    firewall = next(n for n in nodes if n["role"] == "firewall")
    namespaces = {"server": server_ns, "relay": firewall["namespace"]}
    started_at = datetime.now(UTC)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="wardnet-prove-") as tmp:
        workdir = Path(tmp)
        design_started = time.time()
        per_vlan, dhcp = dhcp_round(vlan_loads, container, namespaces, workdir, window)
        clients = leased_clients(vlan_loads, container, design_started)
        city_ns = current.city["namespace"] if current.city else ""
        load = sessions.prepare(lab.inventory.baseline, plan, nodes, city_ns, clients, each=sessions_each)
        held = sessions.run(load, clients, city_ns, firewall["namespace"], hold)
        overload = []
        for factor in overload_factors:
            heavier_loads = loads(plan, nodes, users * factor)
            rows, summary = dhcp_round(heavier_loads, container, namespaces, workdir, window)
            heavier = {"factor": factor, "users": math.ceil(users * factor)}
            overload.append(heavier | summary | {"vlans": rows})
        staff = next((x for x in vlan_loads if x.vlan.zone == "staff"), vlan_loads[0])
        dns = run_dns(server_ns, staff.namespace, str(dhcp_server.address), workdir)
        if raw is not None:
            raw.mkdir(parents=True, exist_ok=True)
            for path in workdir.glob("perfdhcp-*.txt"):
                shutil.copy(path, raw / path.name)
    report: dict[str, Any] = {
        "site": code,
        "name": plan.site.name,
        "users": users,
        "designed_users": plan.site.concurrent_users,
        "started": started_at.isoformat(timespec="seconds"),
        "seconds": round(time.time() - started, 1),
        "window_s": window,
        "dhcp": dhcp | {"design_load": per_vlan, "overload": exhaustion(overload)},
        "dns": dns,
        "sessions": held
        | {
            "conntrack_max": conntrack_max(firewall["namespace"]),
            "design_sessions": twin.firewall.capacity.sessions,
            "design_conntrack_max": twin.firewall.capacity.conntrack_max,
        },
    }
    report["failures"] = failures(report)
    report["passed"] = not report["failures"]
    return report


def exhaustion(rounds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each overload round, and per VLAN whether it ran out where its pool (the headroom the capacity
    check counts: pool / peak) predicts: `agrees` when Kea leased exactly what the pool could give."""
    out = []
    for round_ in rounds:
        vlans = [
            v
            | {
                "runs_out": v["clients"] > v["pool_size"] - v["held_by_others"],
                "agrees": v["leases"] == v["predicted_leases"],
            }
            for v in round_["vlans"]
        ]
        out.append(round_ | {"vlans": vlans})
    return out
