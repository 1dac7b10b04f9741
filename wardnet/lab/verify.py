"""`wardnet lab verify`: the policy matrix of a lab site by real packets. Listeners in every endpoint
namespace and in the city core, probes from every endpoint, one management address and every remote zone
(wardnet/lab/matrix.py decides which and what to expect); the result is expected vs seen, cell by cell.

Batfish answers this question offline from the configs; this answers it on the running lab: nftables,
routing, OVS trunks and the devices' own input filters all have their say.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from wardnet.design.site import SitePlan
from wardnet.lab import hostfw, matrix, state, system
from wardnet.lab.manager import Lab
from wardnet.lab.system import LabError

PROBE_SCRIPT = Path(__file__).with_name("probe.py")
READY_TIMEOUT_S = 10.0
SEND_TIMEOUT_S = 180.0
RETRY_PAUSE_S = 2.0  # a first packet may meet an unresolved neighbour or a cold OVS flow: retry once


@dataclass(frozen=True)
class Outcome:
    probe: matrix.Probe
    seen: str  # open | refused | timeout | unreachable | error N

    @property
    def ok(self) -> bool:
        return (self.seen == "open") == self.probe.expected

    def describe(self) -> str:
        p = self.probe
        want = f"must cross ({p.rule})" if p.expected else "must be refused (default deny)"
        return (
            f"{p.src.zone} -> {p.dst.zone} {p.what} ({p.services}) IPv{p.family}: {p.src.name} "
            f"{p.src.addr(p.family)} -> {p.dst.name} {p.dst.addr(p.family)}: {want}, seen {self.seen}"
        )


@dataclass
class MatrixResult:
    site: str
    outcomes: list[Outcome]
    seconds: float
    retried: int = 0

    @property
    def mismatches(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def cells(self) -> dict[tuple[str, str], list[Outcome]]:
        found: dict[tuple[str, str], list[Outcome]] = {}
        for o in self.outcomes:
            found.setdefault((o.probe.src.zone, o.probe.dst.zone), []).append(o)
        return found

    def as_text(self) -> str:
        rows = [("SOURCE", "DESTINATION", "MUST CROSS", "PROBES", "RESULT")]
        for (src, dst), outcomes in sorted(self.cells().items()):
            crossing = sorted({o.probe.what for o in outcomes if o.probe.expected})
            bad = sum(1 for o in outcomes if not o.ok)
            verdict = "ok" if not bad else f"MISMATCH ({bad})"
            rows.append((src, dst, " ".join(crossing) or "-", str(len(outcomes)), verdict))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
        lines += [f"MISMATCH {o.describe()}" for o in self.mismatches]
        lines.append(
            f"site {self.site}: {len(self.outcomes)} probes (IPv4 and IPv6), "
            f"{len(self.mismatches)} mismatches, {len(self.cells())} zone pairs, {self.seconds:.1f} s"
            + (f", {self.retried} retried once" if self.retried else "")
        )
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "seconds": round(self.seconds, 1),
            "probes": len(self.outcomes),
            "mismatches": len(self.mismatches),
            "results": [
                {
                    "source_zone": o.probe.src.zone,
                    "source": o.probe.src.name,
                    "destination_zone": o.probe.dst.zone,
                    "destination": o.probe.dst.name,
                    "family": o.probe.family,
                    "what": o.probe.what,
                    "services": o.probe.services,
                    "expected": "cross" if o.probe.expected else "refused",
                    "rule": o.probe.rule,
                    "seen": o.seen,
                    "ok": o.ok,
                }
                for o in self.outcomes
            ],
        }


def verify_site(lab: Lab, code: str) -> MatrixResult:
    started = time.monotonic()
    current = state.load(lab.root, lab.prefix)
    if code not in current.sites or current.city is None:
        raise LabError(f"site {code} is not up in the lab: wardnet lab up --site {code} --load intended")
    plan = lab.twin_design(code).plan
    baseline = lab.inventory.baseline
    local = matrix.site_places(plan, current.sites[code]["nodes"])
    remote = matrix.remote_places(baseline, current.city["namespace"])
    todo = matrix.probes(baseline, local, remote)
    listen_in = sorted({p.namespace for p in local if p.kind == "endpoint"} | {current.city["namespace"]})
    ports = sorted({port for proto, port in matrix.policy_ports(baseline)})
    extra = _prepare(plan, local, remote, current.city["namespace"])
    listeners: list[subprocess.Popen[str]] = []
    again: list[matrix.Probe] = []
    harness = ExitStack()
    try:
        city = [a for p in remote for a in (p.address, p.address6)]  # several addresses: UDP on each
        for ns in listen_in:
            process, busy = _listen(ns, ports, city if ns == current.city["namespace"] else [])
            listeners.append(process)
            # a server instance's host firewall in this namespace: open the ports the listener holds
            mine = [
                (proto, port)
                for proto, port in matrix.policy_ports(baseline)
                if f"{proto}/{port}" not in busy
            ]
            opened = hostfw.opened(ns, [p for q, p in mine if q == "tcp"], [p for q, p in mine if q == "udp"])
            harness.enter_context(opened)
        seen = _send_all(todo)
        outcomes = [Outcome(p, seen[p.id]) for p in todo]
        again = [o.probe for o in outcomes if not o.ok]
        if again:
            time.sleep(RETRY_PAUSE_S)
            second = _send_all(again)
            outcomes = [Outcome(o.probe, second.get(o.probe.id, o.seen)) for o in outcomes]
    finally:
        harness.close()
        system.stop_pids([p.pid for p in listeners])
        for process in listeners:
            process.wait(timeout=10)
        for namespace, line in extra:
            system.run(["ip", "-n", namespace, *line.replace("add", "del", 1).split()], check=False)
    return MatrixResult(code, outcomes, time.monotonic() - started, len(again))


def _prepare(
    plan: SitePlan, local: list[matrix.Place], remote: list[matrix.Place], city: str
) -> list[tuple[str, str]]:
    """IPv6 on the endpoints (their fixed host, as IPv4) and the internet's test addresses on the city
    core. Returns the city addresses added, to remove afterwards."""
    for place in local:
        if place.kind == "endpoint":
            vlan = next(v for v in plan.vlans if ip_address(place.address6) in v.subnet6)
            system.ip_batch(
                [
                    f"addr replace {place.address6}/{vlan.subnet6.prefixlen} dev eth0 nodad",
                    f"route replace ::/0 via {vlan.gateway6}",
                ],
                place.namespace,
            )
    added = []
    internet = [p for p in remote if p.address in matrix.INTERNET_ADDRESSES]
    for place in internet:
        for address, length in ((place.address, 32), (place.address6, 128)):
            line = f"addr add {address}/{length} dev lo"
            done = subprocess.run(["ip", "-n", city, *line.split()], capture_output=True, check=False)
            if done.returncode == 0:  # else it was there already: not ours to remove
                added.append((city, line))
    return added


def _listen(namespace: str, ports: list[int], addresses: list[str]) -> tuple[subprocess.Popen[str], set[str]]:
    """The probe listener, and the ports it left to a server instance holding them ("tcp/22")."""
    process = system.spawn_script(
        namespace,
        str(PROBE_SCRIPT),
        "listen",
        ",".join(map(str, ports)),
        ",".join(addresses),
        stdin=subprocess.DEVNULL,
    )
    line = (system.next_line(process, READY_TIMEOUT_S) or "").split()
    if line[:1] != ["ready"]:
        system.stop_pids([process.pid])
        error = process.stderr.read()[-400:] if process.stderr else ""
        raise LabError(f"{namespace}: the probe listener did not start: {error}")
    return process, busy_ports(line)


def busy_ports(ready: list[str]) -> set[str]:
    """From the listener's "ready busy=tcp/22,udp/53" line: the ports it left to their owner."""
    return {
        p for word in ready if word.startswith("busy=") for p in word.removeprefix("busy=").split(",") if p
    }


def _send_all(todo: list[matrix.Probe]) -> dict[int, str]:
    """Each source namespace sends its probes at once; the namespaces run side by side."""
    by_namespace: dict[str, list[matrix.Probe]] = {}
    for probe in todo:
        by_namespace.setdefault(probe.src.namespace, []).append(probe)

    def run(namespace: str) -> dict[int, str]:
        mine = by_namespace[namespace]
        command = ["ip", "netns", "exec", namespace, sys.executable, str(PROBE_SCRIPT), "send"]
        done = subprocess.run(
            command,
            input=json.dumps([p.wire() for p in mine]),
            capture_output=True,
            text=True,
            timeout=SEND_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            raise LabError(f"{namespace}: probes failed: {done.stderr.strip()[-400:]}")
        return {int(k): v for k, v in json.loads(done.stdout).items()}

    with ThreadPoolExecutor(max(1, len(by_namespace))) as pool:
        return {k: v for part in pool.map(run, sorted(by_namespace)) for k, v in part.items()}


def lab_policy_probe(inventory: Path) -> Callable[[Any], str | None]:
    """For the site transaction (wardnet/deploy/site.py), as a post-check of the firewall, whose policy it
    is: the site's whole matrix, a problem naming the first differing cells, or None."""
    lab = Lab(inventory)

    def probe(target: Any) -> str | None:
        if target.role != "firewall":
            return None
        try:
            result = verify_site(lab, target.site)
        except (LabError, OSError, subprocess.SubprocessError) as exc:  # a check that cannot run fails
            return f"policy matrix could not run: {exc}"
        if not result.mismatches:
            return None
        cells = "; ".join(o.describe() for o in result.mismatches[:3])
        more = len(result.mismatches) - 3
        return f"policy matrix: {len(result.mismatches)} probes differ from the design: {cells}" + (
            f" (and {more} more)" if more > 0 else ""
        )

    return probe
