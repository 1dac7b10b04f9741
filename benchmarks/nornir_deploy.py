"""The deploy benchmark's peer: a plain Nornir + NAPALM push, as a team would write it without wardnet.

Hosts come from an ssh_config (every `Host` alias with its User, IdentityFile and UserKnownHostsFile), written
to a SimpleInventory hosts file; each host's intended config is CONFIGS/<host>.conf, pushed by nornir_napalm's
`napalm_configure(replace=True)`: load the whole candidate, diff, commit. Host keys are verified (the driver
trusts only UserKnownHostsFile, nothing is auto-added). Nothing else: no check gate, no site lock, no backup,
no revert timer, no post-checks, no confirm. It imports no wardnet module (the white-box devices' NAPALM
driver, napalm_frr, is the only wardnet code it runs: NAPALM has no other driver for them).

    python -m benchmarks.nornir_deploy --ssh-config LAB/ssh/ssh_config --configs DIR [--workers 8] [--dry-run]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from nornir import InitNornir
from nornir.core.task import Result, Task
from nornir_napalm.plugins.tasks import napalm_configure

PLATFORM = "frr"  # NAPALM driver of the lab's white-box devices (plugins/napalm_frr)


class PeerError(Exception):
    """Bad input for the peer: the message names the file and what to fix."""


def parse_ssh_config(text: str) -> dict[str, dict[str, str]]:
    """Host alias → its options (lower-case keywords; the first value wins, as in ssh). Wildcard patterns and
    options outside a Host block are skipped: the peer pushes to named devices only."""
    hosts: dict[str, dict[str, str]] = {}
    current: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, value = line.replace("=", " ", 1).partition(" ")
        keyword, value = keyword.lower(), value.strip()
        if keyword == "host":
            names = [n for n in shlex.split(value) if not any(c in n for c in "*?!")]
            current = [hosts.setdefault(name, {}) for name in names]
        elif keyword == "match":
            current = []
        else:
            for options in current:
                options.setdefault(keyword, value)
    return hosts


def hosts_file(ssh_config: Path, platform: str = PLATFORM) -> dict[str, dict[str, Any]]:
    """A Nornir SimpleInventory hosts mapping: one host per ssh_config alias, reached through that file."""
    hosts = parse_ssh_config(ssh_config.read_text())
    if not hosts:
        raise PeerError(f"{ssh_config}: no Host blocks; bring the lab up first (wardnet lab up --site CODE)")
    inventory: dict[str, dict[str, Any]] = {}
    for name, options in sorted(hosts.items()):
        known_hosts = options.get("userknownhostsfile")
        if not known_hosts:
            raise PeerError(
                f"{ssh_config}: Host {name} has no UserKnownHostsFile; the peer verifies host keys: add one"
            )
        optional_args = {"ssh_config_file": str(ssh_config), "known_hosts": known_hosts}
        if "identityfile" in options:
            optional_args["key_file"] = options["identityfile"]
        inventory[name] = {
            "hostname": name,  # the alias: HostName and ProxyCommand come from ssh_config
            "username": options.get("user", "root"),
            "platform": platform,
            "connection_options": {"napalm": {"extras": {"optional_args": optional_args}}},
        }
    return inventory


def intended_configs(hosts: list[str], folder: Path) -> dict[str, str]:
    """Each host's CONFIGS/<host>.conf; every host must have one (a device without a config is not pushed
    silently), and a config for no host is refused too (the lab is not the one the configs were made for)."""
    files = {path.stem: path for path in folder.glob("*.conf")}
    missing = sorted(set(hosts) - set(files))
    extra = sorted(set(files) - set(hosts))
    if missing:
        raise PeerError(f"{folder}: no intended config for {', '.join(missing)} (expected <host>.conf)")
    if extra:
        raise PeerError(f"{folder}: {', '.join(extra)}.conf name no host of the ssh_config")
    return {name: files[name].read_text() for name in hosts}


def push(task: Task, configs: dict[str, str], dry_run: bool) -> Result:
    """One host: napalm_configure loads the candidate, diffs it and (unless dry_run) commits it."""
    done = task.run(
        task=napalm_configure, configuration=configs[task.host.name], replace=True, dry_run=dry_run
    )
    return Result(host=task.host, changed=done[0].changed, diff=done[0].diff)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nornir_deploy", description=__doc__)
    parser.add_argument("--ssh-config", type=Path, required=True, help="the lab's ssh/ssh_config")
    parser.add_argument("--configs", type=Path, required=True, help="folder of <host>.conf intended configs")
    parser.add_argument("--workers", type=int, default=8, help="hosts in parallel (default 8)")
    parser.add_argument("--dry-run", action="store_true", help="load and diff only; commit nothing")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        hosts = hosts_file(args.ssh_config)
        configs = intended_configs(sorted(hosts), args.configs)
    except (PeerError, OSError) as exc:
        print(f"nornir_deploy: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="nornir-peer-") as scratch:
        host_file = Path(scratch) / "hosts.yaml"
        host_file.write_text(yaml.safe_dump(hosts))
        nornir = InitNornir(
            runner={"plugin": "threaded", "options": {"num_workers": args.workers}},
            inventory={"plugin": "SimpleInventory", "options": {"host_file": str(host_file)}},
            logging={"enabled": False},
        )
        try:
            results = nornir.run(task=push, configs=configs, dry_run=args.dry_run)
        finally:
            nornir.close_connections()
    failed = sorted(results.failed_hosts)
    for name in sorted(results):
        multi = results[name]
        if name in failed:
            print(f"{name}: FAILED: {str(multi[-1].exception or multi[-1].result).strip()[-300:]}")
        else:
            print(f"{name}: {'changed' if multi[0].changed else 'unchanged'}")
    changed = sum(1 for name in results if name not in failed and results[name][0].changed)
    mode = "dry-run" if args.dry_run else "commit"
    print(f"{mode}: {len(results)} hosts, {changed} changed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
