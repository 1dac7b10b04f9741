"""`wardnet lab up/down/status/exec`: build a site's white-box twin in namespaces and take it apart again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from wardnet.canonical import join_sections, split_sections
from wardnet.design import SiteDesign, design_site
from wardnet.design.twin import whitebox_twin
from wardnet.inventory import Inventory, load_inventory
from wardnet.lab import nodes, servers, ssh, state, system, topology
from wardnet.lab.system import LabError
from wardnet.render import Renderer

DEVICE_DAEMONS = ("ovs", "frr", "ssh")
COMMANDS = (
    "ip",
    "nft",
    "ovs-vsctl",
    "ovsdb-server",
    "ovs-vswitchd",
    "ovs-ofctl",
    "vtysh",
    "ethtool",
    "nc",
    "nsenter",
    "unshare",
    "ssh-keygen",
    "sshd",
)
FILES = (
    "/usr/lib/frr/zebra",
    "/usr/lib/frr/bgpd",
    "/usr/lib/frr/staticd",
    "/usr/lib/frr/frr-reload.py",
    "/usr/sbin/dhcrelay",  # the firewall's DHCP relay (wardnet/node/dhcrelay.py)
)
WORKERS = 8
AGENT = "/usr/local/sbin/wardnet-node"  # where the node binds its bin folder (boot_node.sh)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def preflight() -> None:
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, Open vSwitch, FRR): run it as root")
    search = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    missing = [c for c in COMMANDS if shutil.which(c, path=search) is None]
    missing += [f for f in FILES if not Path(f).exists()]
    if missing:
        raise LabError(
            f"missing {', '.join(missing)}: run `make lab-deps` (apt packages frr, nftables, "
            "openvswitch-switch, openssh-server, ethtool, netcat-openbsd, iproute2, isc-dhcp-relay)"
        )


class Lab:
    def __init__(self, inventory_dir: Path, root: Path | None = None, prefix: str | None = None) -> None:
        self.inventory_dir = inventory_dir
        self.root = root or state.lab_root()
        self.prefix = prefix or state.lab_prefix()
        self.ssh = ssh.SshFiles.of_lab(self.root)
        self.renderer = Renderer()
        self._inventory: Inventory | None = None

    # --- queries ------------------------------------------------------------------------------------

    @property
    def inventory(self) -> Inventory:
        if self._inventory is None:
            self._inventory = load_inventory(self.inventory_dir)
        return self._inventory

    def status(self) -> list[dict[str, Any]]:
        current = state.load(self.root, self.prefix)
        present = set(system.namespaces())
        rows = []
        for _code, site in sorted(current.sites.items()):
            for node in site["nodes"]:
                rows.append(_row(node, present) | {"loaded": site.get("loaded", "factory")})
        if current.city:
            rows.append(_row(current.city, present))
        return rows

    def find(self, name: str) -> dict[str, Any]:
        current = state.load(self.root, self.prefix)
        candidates: list[dict[str, Any]] = [n for s in current.sites.values() for n in s["nodes"]]
        candidates += [current.city] if current.city else []
        for node in candidates:
            if name in (node["name"], node["namespace"]):
                return node
        known = ", ".join(sorted(n["name"] for n in candidates)) or "none: run `wardnet lab up --site CODE`"
        raise LabError(f"no lab node named {name}; lab nodes: {known}")

    def exec(self, name: str, command: list[str]) -> int:
        return self.run(name, command).returncode

    def run(self, name: str, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        node = self.find(name)
        return nodes.node_exec(node.get("anchor"), node["namespace"], command, **kwargs)

    # --- up -----------------------------------------------------------------------------------------

    def up(self, codes: list[str], load: str = "factory", with_servers: bool = False) -> None:
        preflight()
        entries = {e.site.code: e for e in self.inventory.select(codes)}  # unknown codes: InputError
        with state.locked(self.root):
            current = state.load(self.root, self.prefix)
            for code in codes:
                if code in current.sites and self._healthy(current.sites[code]):
                    if load == "intended" and current.sites[code].get("loaded") != "intended":
                        self._load_intended(current, code)
                        state.save(self.root, current)
                    else:
                        say(f"{code}: already up ({len(current.sites[code]['nodes'])} nodes)")
                    continue
                if code in current.sites:
                    say(f"{code}: incomplete, rebuilding")
                    self._down_site(current, code)
                started = time.monotonic()
                try:
                    self._up_site(current, entries[code].site.code, load)
                except BaseException:
                    say(f"{code}: lab up failed, cleaning up")
                    self._down_site(current, code)
                    state.save(self.root, current)
                    raise
                state.save(self.root, current)
                devices = sum(1 for n in current.sites[code]["nodes"] if n["kind"] == "device")
                say(
                    f"{code}: up in {time.monotonic() - started:.1f} s: {devices} devices ({load}), "
                    f"{len(current.sites[code]['nodes']) - devices} endpoints and access points"
                )
            if with_servers:
                for code in codes:
                    self._servers_up(current, code)
                    state.save(self.root, current)

    def _servers_up(self, current: state.LabState, code: str) -> None:
        """The site's servers as converged instances on its SERVERS VLAN (wardnet/lab/servers.py)."""
        design = self.twin_design(code)
        if not design.servers:
            say(f"{code}: no servers in the inventory")
            return
        vlan = next(iter(design.servers.values())).vlan
        endpoint = next(
            (n for n in current.sites[code]["nodes"] if n["kind"] == "endpoint" and n.get("vlan") == vlan),
            None,
        )
        if endpoint is None:
            raise LabError(f"{code}: no endpoint namespace on the SERVERS VLAN {vlan}")
        started = time.monotonic()
        records = servers.up(code, self.prefix, design, endpoint, self.inventory_dir)
        current.sites[code]["servers"] = records
        say(
            f"{code}: {len(records)} server(s) up and converged in {time.monotonic() - started:.1f} s: "
            + ", ".join(f"{r['name']} {r['address']}" for r in records)
        )

    def twin_design(self, code: str) -> SiteDesign:
        baseline = self.inventory.baseline
        entry = next(iter(self.inventory.select([code])))
        return design_site(whitebox_twin(entry.site, baseline), baseline)

    def _up_site(self, current: state.LabState, code: str, load: str) -> None:
        baseline = self.inventory.baseline
        design = self.twin_design(code)
        lab = topology.build(design, baseline, self.prefix)
        self._city_up(current)
        current.sites[code] = {
            "nodes": [],
            "uplink": asdict(lab.uplink) if lab.uplink else None,
            "loaded": load,
        }
        for node in lab.nodes:
            system.add_namespace(node.namespace)
        system.add_namespace(lab.spare_namespace)
        _cable(lab)
        ssh.ensure_client_key(self.ssh)
        site_root = self.root / "nodes" / code

        def boot(node: topology.Node) -> dict[str, Any]:
            record = asdict(node) | {"anchor": None}
            if node.kind == "device":
                factory = self.renderer.env.get_template("lab/factory.j2").render(
                    node={"hostname": node.name, "management": design.devices[node.name].management}
                )
                files = nodes.prepare(
                    site_root / node.name,
                    node.name,
                    DEVICE_DAEMONS,
                    frr_config=split_sections(factory)["frr"],
                    management=node.management,
                    management6=design.devices[node.name].management.address6,
                    authorized_keys=self.ssh.authorized_keys,
                )
                record["anchor"] = nodes.start(node.namespace, node.name, files, DEVICE_DAEMONS)
                sections = split_sections(factory)
                _apply(record, join_sections({"nftables": sections["nftables"], "ovs": sections["ovs"]}))
                record["host_key"] = " ".join(
                    (files.root / "ssh/host_ed25519_key.pub").read_text().split()[:2]
                )
            elif node.kind == "ap":
                files = nodes.prepare(site_root / node.name, node.name, ("ovs",))
                record["anchor"] = nodes.start(node.namespace, node.name, files, ("ovs",))
                text = self.renderer.env.get_template("lab/access-point.j2").render(ap=lab.bridges[node.name])
                _apply(record, text)
            elif node.kind == "endpoint":
                system.ip_batch(
                    [
                        "link set lo up",
                        f"addr add {node.address} dev eth0",
                        f"route add default via {node.gateway}",
                    ],
                    node.namespace,
                )
            return record

        with ThreadPoolExecutor(WORKERS) as pool:
            records = list(pool.map(boot, lab.nodes))
        current.sites[code]["nodes"] = records
        self._write_ssh(current)
        self._city_sync(current)
        if load == "intended":
            self._load_intended(current, code)

    def _load_intended(self, current: state.LabState, code: str) -> None:
        design = self.twin_design(code)
        devices = [n for n in current.sites[code]["nodes"] if n["kind"] == "device"]
        started = time.monotonic()
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda n: _apply(n, self.renderer.device(design.devices[n["name"]])), devices))
        current.sites[code]["loaded"] = "intended"
        say(f"{code}: intended config loaded on {len(devices)} devices in {time.monotonic() - started:.1f} s")

    def _city_up(self, current: state.LabState) -> None:
        if current.city and self._healthy({"nodes": [current.city]}):
            return
        if current.city:
            system.delete_namespace(current.city["namespace"])
        namespace = topology.city_namespace(self.prefix)
        if namespace in system.namespaces():
            system.delete_namespace(namespace)  # left over from a crashed run of this lab
        system.add_namespace(namespace)
        files = nodes.prepare(
            self.root / "nodes/city", topology.CITY_CORE_NAME, ("frr",), frr_config=self._city_frr([])
        )
        anchor = nodes.start(namespace, topology.CITY_CORE_NAME, files, ("frr",))
        current.city = {
            "name": topology.CITY_CORE_NAME,
            "kind": "city",
            "role": "city-core",
            "namespace": namespace,
            "platform": "frr",
            "site": None,
            "anchor": anchor,
        }

    def _city_frr(self, uplinks: list[topology.Uplink]) -> str:
        city = topology.city_config(self.inventory.baseline, uplinks)
        return split_sections(self.renderer.env.get_template("lab/city-core.j2").render(city=city))["frr"]

    def _city_sync(self, current: state.LabState) -> None:
        if not current.city:
            return
        uplinks = [topology.Uplink(**s["uplink"]) for s in current.sites.values() if s.get("uplink")]
        _apply(current.city, join_sections({"frr": self._city_frr(uplinks)}))

    def _write_ssh(self, current: state.LabState) -> None:
        hosts = [
            ssh.SshHost(n["name"], n["management"], n["namespace"], n["host_key"])
            for s in current.sites.values()
            for n in s["nodes"]
            if n["kind"] == "device" and n.get("host_key")
        ]
        if hosts:
            ssh.write_client_config(self.ssh, hosts)

    def _healthy(self, site: dict[str, Any]) -> bool:
        present = set(system.namespaces())
        return all(_row(n, present)["alive"] for n in site["nodes"])

    # --- down ---------------------------------------------------------------------------------------

    def down(self, codes: list[str] | None) -> list[str]:
        """Take down the given sites (None: everything, orphans of crashed runs included)."""
        preflight()
        with state.locked(self.root):
            current = state.load(self.root, self.prefix)
            targets = sorted(current.sites) if codes is None else codes
            for code in targets:
                self._down_site(current, code)
            if codes is None or not current.sites:
                self._city_down(current)
            if codes is None:
                for orphan in [n for n in system.namespaces() if n.startswith(self.prefix)]:
                    system.delete_namespace(orphan)
                shutil.rmtree(self.root / "nodes", ignore_errors=True)
                shutil.rmtree(self.ssh.root, ignore_errors=True)
            else:
                self._write_ssh(current)
            state.save(self.root, current)
            return targets

    def _down_site(self, current: state.LabState, code: str) -> None:
        removed = servers.down(code)  # before its namespace goes (by label: only this site's instances)
        if removed:
            say(f"{code}: server instances removed: {', '.join(removed)}")
        known = current.sites.pop(code, None) is not None
        if known and current.sites and current.city:
            # Close the BGP session while the link exists: frr-reload cannot unconfigure a vanished port.
            try:
                self._city_sync(current)
            except LabError as exc:
                say(f"{code}: city core not updated ({exc}); the next lab up resynchronises it")
        site_prefix = topology.site_namespace_prefix(self.prefix, code)
        doomed = [n for n in system.namespaces() if n.startswith(site_prefix)]
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(system.delete_namespace, doomed))
        shutil.rmtree(self.root / "nodes" / code, ignore_errors=True)
        if known or doomed:
            say(f"{code}: down ({len(doomed)} namespaces removed)")

    def _city_down(self, current: state.LabState) -> None:
        namespace = topology.city_namespace(self.prefix)
        if namespace in system.namespaces():
            system.delete_namespace(namespace)
        shutil.rmtree(self.root / "nodes/city", ignore_errors=True)
        current.city = None


def _row(node: dict[str, Any], present: set[str]) -> dict[str, Any]:
    anchor = node.get("anchor")
    alive = node["namespace"] in present and (anchor is None or system._alive(anchor))
    keys = ("name", "kind", "role", "namespace", "platform", "site", "management", "address", "vlan")
    return {k: node.get(k) for k in keys} | {"alive": alive}


def _cable(lab: topology.LabSite) -> None:
    """Every cable and every unplugged port as a veth pair created directly in its namespaces."""
    lines = [
        f"link add {c.a_port} netns {c.a_namespace} type veth peer name {c.b_port} netns {c.b_namespace}"
        for c in lab.cables
    ]
    spare = topology.spare_ports(lab)
    lines += [
        f"link add {port} netns {ns} type veth peer name {far} netns {lab.spare_namespace}"
        for ns, port, far in spare
    ]
    system.ip_batch(lines)
    ups: dict[str, list[str]] = {}
    for cable in lab.cables:
        ups.setdefault(cable.a_namespace, []).append(cable.a_port)
        ups.setdefault(cable.b_namespace, []).append(cable.b_port)
    cabled = {ns: list(ports) for ns, ports in ups.items()}
    for ns, port, _ in spare:
        ups.setdefault(ns, []).append(port)
    for namespace, ports in ups.items():
        system.ip_batch([f"link set {p} up" for p in ports], namespace)
    for namespace, ports in cabled.items():
        system.tx_offload_off(namespace, ports)


def _apply(node: dict[str, Any], text: str) -> None:
    done = nodes.node_exec(
        node["anchor"], node["namespace"], [AGENT, "apply", "-"], input=text, capture_output=True
    )
    if done.returncode != 0:
        raise LabError(f"{node['name']}: wardnet-node apply failed: {done.stderr.strip()[-800:]}")
