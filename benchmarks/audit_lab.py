"""The audit on a multi-site lab (>= 60 devices) against an Ansible-based audit of the same devices.

wardnet: Nornir thread pool + NAPALM get_config, device-side canonical intended, one git commit of the
backups, compare by feature. Peer: benchmarks/ansible_audit.yml (ansible-playbook reads each running
config over SSH, backs it up, diffs it with check mode + diff against the intended file). Both run here,
in the same run, on the same devices, with 16 parallel workers/forks. Needs root (the lab).

    .venv/bin/python -m benchmarks.audit_lab [--devices 60]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wardnet import load_inventory
from wardnet.api import AuditRequest, AuditRun, Lab, lab_preflight, run_audit

REPO = Path(__file__).resolve().parent.parent
PREFIX = "wb-"
WORKERS = 16
CORES = 2


def sites_for(lab: Lab, devices: int) -> list[str]:
    chosen, count = [], 0
    for entry in load_inventory(REPO / "inventories").sites.values():
        chosen.append(entry.site.code)
        count += len(lab.twin_design(entry.site.code).devices)
        if count >= devices:
            return chosen
    return chosen


def ansible_peer(lab: Lab, names: list[str], intended: dict[str, str], work: Path) -> float:
    (work / "intended").mkdir(parents=True)
    (work / "backups").mkdir()
    for name, text in intended.items():
        (work / "intended" / f"{name}.cfg").write_text(text + "\n")
    hosts = work / "hosts.yml"
    common = f"-F {lab.ssh.config} -i {lab.ssh.key}"
    hosts.write_text(
        "all:\n  vars:\n    ansible_user: root\n    ansible_python_interpreter: /usr/bin/python3\n"
        f"    ansible_ssh_common_args: '{common}'\n  hosts:\n" + "".join(f"    {n}:\n" for n in names)
    )
    env = os.environ | {"ANSIBLE_INVENTORY_ENABLED": "yaml", "ANSIBLE_HOST_KEY_CHECKING": "False"}
    command = [str(REPO / ".venv/bin/ansible-playbook"), "-i", str(hosts), "-f", str(WORKERS)]
    command += [str(REPO / "benchmarks/ansible_audit.yml"), "-e", f"audit_dir={work}"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the Ansible peer failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return elapsed


def cpu_seconds() -> float:
    """This process and its reaped children (the lab's ProxyCommand): the runner's share of the work."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(request: AuditRequest) -> tuple[float, float, AuditRun]:
    cpu, started = cpu_seconds(), time.perf_counter()
    run, _ = run_audit(request)
    return time.perf_counter() - started, cpu_seconds() - cpu, run


def single_device_latency(request: AuditRequest, samples: int = 5) -> float:
    """Median wall time of one device's collection alone: what a session costs without queueing."""
    from wardnet.api import CanonicalCache, collect_device
    from wardnet.api import audit_targets as targets_for
    from wardnet.api import select_audit as select

    inventory, chosen = select(request)
    target = targets_for(request, inventory, chosen)[0]
    cache = CanonicalCache(request.state_dir / "audit" / "canonical")
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        collect_device(target, cache)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=60)
    args = parser.parse_args()
    lab_preflight()
    with tempfile.TemporaryDirectory() as root:
        work = Path(root)
        os.environ["WARDNET_LAB_DIR"] = str(work / "lab")
        os.environ["WARDNET_LAB_PREFIX"] = PREFIX
        lab = Lab(REPO / "inventories", root=work / "lab", prefix=PREFIX)
        lab.down(None)
        codes = sites_for(lab, args.devices)
        try:
            lab.up(codes, load="intended")
            request = AuditRequest(
                REPO / "inventories", sites=tuple(codes), lab=True, workers=WORKERS, state_dir=work / "state"
            )
            first, _, _ = timed(request)  # first night: the device makes each intended config canonical
            ours, cpu, run = timed(request)  # every night after: cached canonical forms
            latency = single_device_latency(request)
            bad = [(d.name, d.status, d.error) for d in run.devices if d.status != "compliant"]
            if bad:
                raise SystemExit(f"the lab is not compliant after loading the intended config: {bad}")
            # The peer diffs against the same device-canonical intended texts wardnet compared with.
            from wardnet import load_inventory as load
            from wardnet.api import audit_targets as targets_for
            from wardnet.api import collect

            inventory = load(REPO / "inventories")
            chosen = [lab.twin_design(c) for c in codes]
            intended = {c.target.name: c.intended for c in collect(targets_for(request, inventory, chosen))}
            theirs = ansible_peer(lab, [d.name for d in run.devices], intended, work / "ansible")
        finally:
            lab.down(None)
    devices = len(run.devices)
    print(f"\naudit of {devices} lab devices in {len(codes)} sites, {WORKERS} workers/forks", file=sys.stderr)
    print(f"{'':<52} {'s':>7} {'devices/s':>10}")
    row = "{:<52} {:>7.1f} {:>10.1f}"
    print(row.format("wardnet audit, first run (device canonicalises)", first, devices / first))
    print(row.format("wardnet audit, nightly (collect, backup, compare)", ours, devices / ours))
    print(row.format("peer: ansible-playbook collect + diff", theirs, devices / theirs))
    print(f"ratio (nightly): {theirs / ours:.1f}x; first run: {theirs / first:.1f}x (goal >= 5x)")
    # Here the lab's devices share the runner's 2 cores; in production each device does its own work, and
    # the runner pays its own CPU plus session latency spread over the workers.
    cpu_per_device = cpu / devices
    for workers in (WORKERS, 64):
        cpu_bound = 2500 * cpu_per_device / CORES
        latency_bound = 2500 * latency / workers
        projection = max(cpu_bound, latency_bound)
        print(
            f"projection, 2,500 devices, {workers} workers, 2 cores: {projection / 60:.1f} min "
            f"(runner CPU {cpu_per_device * 1000:.0f} ms/device -> {cpu_bound:.0f} s; "
            f"session {latency:.2f} s/device -> {latency_bound:.0f} s) (goal < 2 min)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
