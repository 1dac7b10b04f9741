"""The audit of a multi-site lab (>= 60 devices) against an Ansible-based audit of the same devices.

wardnet: `wardnet audit --lab --site ... --workers 16` (Nornir thread pool + NAPALM get_config, the
device's canonical form of its intended config, one git commit of the backups, compare by feature, level-2
rules, history). Peer: benchmarks/ansible_audit.yml (ansible-playbook reads each running config over SSH,
backs it up, diffs it with check mode + diff against the intended file), forks = wardnet's workers,
pipelining on, host keys checked against the lab's known_hosts as wardnet checks them. Both sides are timed
as whole processes by benchmarks/measure.py (start-up, imports and inventory loading count on each side),
back to back, on the same devices, `--rounds` times.

Per side: wall, CPU of its own process tree (user + system, reaped children included) and CPU of the whole
machine over its run (/proc/stat; the lab's devices, sshd and the agent, share the runner's 2 cores, and so
does any other job running here). First run (an empty state directory: the device makes each intended
config canonical) and nightly (the state directory of the night before) are each set against Ansible,
which keeps nothing between nights (a fresh ControlPath directory per run). Needs root (the lab).

    .venv/bin/python -m benchmarks.audit_lab [--devices 60] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import BIN, Run, timed
from wardnet import load_inventory
from wardnet.api import AuditRequest, Lab, lab_preflight
from wardnet.api import audit_targets as targets_for
from wardnet.api import select_audit as select

REPO = Path(__file__).resolve().parent.parent
PREFIX = "wb-"
WORKERS = 16
CORES = 2
TICKS = os.sysconf("SC_CLK_TCK")


def sites_for(lab: Lab, devices: int) -> list[str]:
    chosen, count = [], 0
    for entry in load_inventory(REPO / "inventories").sites.values():
        chosen.append(entry.site.code)
        count += len(lab.twin_design(entry.site.code).devices)
        if count >= devices:
            return chosen
    return chosen


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent busy since boot (every core; /proc/stat, idle and iowait
    left out)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user nice system idle iowait irq softirq steal
    return busy / TICKS


@dataclass(frozen=True)
class Side:
    run: Run
    machine_cpu: float
    not_audited: int = 0  # devices whose session failed (timed out): the run is then not like for like

    @property
    def wall(self) -> float:
        return self.run.seconds

    @property
    def cpu(self) -> float:
        return self.run.cpu_seconds


def measured(
    argv: list[str], env: dict[str, str], accept: tuple[int, ...], check: Callable[[Run], None]
) -> Side:
    before = machine_cpu()
    run = timed(argv, env=env, timeout=1800)
    machine = machine_cpu() - before
    if run.returncode not in accept:
        tail = "\n".join(run.output.splitlines()[-25:])
        raise SystemExit(f"{argv[0]} exited {run.returncode}:\n{tail}")
    check(run)
    return Side(run, machine)


def wardnet_side(codes: list[str], state: Path, work: Path) -> Side:
    report = work / f"wardnet-{state.name}.json"
    argv = [str(BIN / "wardnet"), "audit", "--lab", "--workers", str(WORKERS), "--json", str(report)]
    for code in codes:
        argv += ["--site", code]
    env = os.environ | {"WARDNET_STATE_DIR": str(state)}

    def compliant(run: Run) -> None:
        devices = json.loads(report.read_text())["devices"]
        drift = [(d["name"], d["status"]) for d in devices if d["status"] not in ("compliant", "not-audited")]
        if drift:
            raise SystemExit(f"the lab is not compliant after loading the intended config: {drift}")
        for d in devices:  # a session timed out on an overloaded machine: shown beside the figures
            if d["status"] == "not-audited":
                print(f"  NOT AUDITED {d['name']}: {d.get('error', '')}", file=sys.stderr)

    # 0 compliant; 1 drift or baseline findings (then named by `compliant`), or a device not audited
    side = measured(argv, env, (0, 1), compliant)
    statuses = [d["status"] for d in json.loads(report.read_text())["devices"]]
    return Side(side.run, side.machine_cpu, statuses.count("not-audited"))


def ansible_inventory(lab: Lab, names: list[str], intended: dict[str, str], work: Path) -> Path:
    (work / "intended").mkdir(parents=True)
    (work / "backups").mkdir()
    for name, text in intended.items():  # as the playbook writes the running text: no header, one newline
        path = work / "intended" / f"{name}.cfg"
        path.write_text(_without_header(text).rstrip("\n") + "\n")
        path.chmod(0o600)  # the mode the playbook's copy asks for, or check mode reports it as a difference
    hosts = work / "hosts.yml"
    common = f"-F {lab.ssh.config} -i {lab.ssh.key}"  # ssh_config: StrictHostKeyChecking yes, lab known_hosts
    hosts.write_text(
        "all:\n  vars:\n    ansible_user: root\n    ansible_python_interpreter: /usr/bin/python3\n"
        f"    ansible_ssh_common_args: '{common}'\n  hosts:\n" + "".join(f"    {n}:\n" for n in names)
    )
    return hosts


def ansible_side(hosts: Path, work: Path, number: int, devices: int) -> Side:
    control = work / f"cp-{number}"  # a fresh ControlPath dir: no SSH master kept from an earlier run
    control.mkdir()
    env = os.environ | {
        "ANSIBLE_INVENTORY_ENABLED": "yaml",
        "ANSIBLE_PIPELINING": "True",  # the documented speed-up: one SSH operation per module run
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control),
    }
    argv = [str(BIN / "ansible-playbook"), "-i", str(hosts), "-f", str(WORKERS)]
    argv += [str(REPO / "benchmarks/ansible_audit.yml"), "-e", f"audit_dir={work}"]

    def every_host(run: Run) -> None:  # each host read, backed up and diffed without a difference
        if re.search(r"changed=[1-9]", run.output):  # the backup is not a change: any count is a difference
            raise SystemExit(f"the Ansible peer found a difference:\n{run.output[-3000:]}")
        if run.returncode != 0:
            print(run.output[-3000:], file=sys.stderr)

    # 0 every host audited; 4 unreachable hosts (a session timed out on an overloaded machine): counted
    side = measured(argv, env, (0, 2, 4), every_host)
    clean = len(re.findall(r"ok=3\s+changed=0\s+unreachable=0\s+failed=0", side.run.output))
    return Side(side.run, side.machine_cpu, devices - clean)


def _without_header(text: str) -> str:
    """The first line of a white-box text names it (`! candidate configuration ...`, `! running configuration:
    NAME ...`): volatile, as wardnet's compare treats it; the peer diffs what follows."""
    first, _, rest = text.partition("\n")
    return rest if first.startswith("! ") and "configuration" in first else text


def canonical_intended(codes: list[str], state: Path) -> dict[str, str]:
    """The device-canonical intended texts wardnet compared with (its cache after a first run): the peer
    diffs against the same texts (which spares it the canonicalisation: it favours the peer)."""
    from wardnet.api import CanonicalCache

    request = AuditRequest(REPO / "inventories", sites=tuple(codes), lab=True, state_dir=state)
    inventory, chosen = select(request)
    cache = CanonicalCache(state / "audit" / "canonical")
    texts = {t.name: cache.get(t) for t in targets_for(request, inventory, chosen)}
    missing = sorted(name for name, text in texts.items() if not text)
    if missing:  # never audited by wardnet (timed out twice): the peer leaves them out too, and says so
        print(
            f"  the peer skips {missing}: wardnet never made their intended config canonical", file=sys.stderr
        )
    return {name: text for name, text in texts.items() if text}


def shown(label: str, side: Side) -> Side:
    """Printed as soon as measured: a later failure must not lose it."""
    print(
        f"  {label}: wall {side.wall:.1f} s, own CPU {side.cpu:.1f} s, machine CPU {side.machine_cpu:.1f} s, "
        f"not audited {side.not_audited}",
        file=sys.stderr,
    )
    return side


def line(label: str, side: Side, devices: int, peer: Side | None = None) -> str:
    text = (
        f"  {label:<44} {side.wall:7.1f} s {side.cpu:7.1f} s {side.machine_cpu:7.1f} s "
        f"{1000 * side.cpu / devices:6.0f} ms {devices / side.wall:6.1f}"
    )
    if side.not_audited:
        text += f"   ({side.not_audited} NOT AUDITED)"
    if peer is not None:
        ratios = (peer.wall / side.wall, peer.cpu / side.cpu, peer.machine_cpu / side.machine_cpu)
        text += "   " + " ".join(f"{r:5.1f}x" for r in ratios)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=1, help="first run, nightly and Ansible, back to back")
    args = parser.parse_args()
    lab_preflight()
    rounds: list[tuple[Side, Side, Side]] = []
    with tempfile.TemporaryDirectory() as root:
        work = Path(root)
        os.environ["WARDNET_LAB_DIR"] = str(work / "lab")
        os.environ["WARDNET_LAB_PREFIX"] = PREFIX
        lab = Lab(REPO / "inventories", root=work / "lab", prefix=PREFIX)
        lab.down(None)
        codes = sites_for(lab, args.devices)
        try:
            lab.up(codes, load="intended")
            hosts: Path | None = None
            for number in range(args.rounds):
                state = work / f"state-{number}"
                first = shown("first", wardnet_side(codes, state, work))  # an empty state: the first night
                nightly = shown("nightly", wardnet_side(codes, state, work))  # cached canonical forms
                if hosts is None:
                    intended = canonical_intended(codes, state)
                    hosts = ansible_inventory(lab, sorted(intended), intended, work / "ansible")
                peer = shown("ansible", ansible_side(hosts, work / "ansible", number, len(intended)))
                rounds.append((first, nightly, peer))
            devices = sum(len(lab.twin_design(c).devices) for c in codes)
        finally:
            lab.down(None)
    print(f"\naudit of {devices} lab devices in {len(codes)} sites, {WORKERS} workers/forks, {CORES} cores")
    print(
        f"  {'':<44} {'wall':>9} {'own CPU':>9} {'machine':>9} {'CPU/dev':>9} {'dev/s':>6}"
        f"   {'Ansible / this: wall, own CPU, machine CPU'}"
    )
    for number, (first, nightly, peer) in enumerate(rounds, 1):
        print(f"round {number}")
        print(line("wardnet audit, first run (device canonicalises)", first, devices, peer))
        print(line("wardnet audit, nightly (collect, backup, compare)", nightly, devices, peer))
        print(line("peer: ansible-playbook collect + backup + diff", peer, devices))
    if len(rounds) > 1:
        median = statistics.median
        print(
            f"median of {len(rounds)} rounds, Ansible / wardnet (wall): first run "
            f"{median(p.wall / f.wall for f, _, p in rounds):.1f}x, nightly "
            f"{median(p.wall / n.wall for _, n, p in rounds):.1f}x (goal >= 8x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
