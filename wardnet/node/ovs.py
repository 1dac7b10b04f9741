"""Open vSwitch state as canonical lines, and the one ovs-vsctl transaction that turns live into intended."""

from __future__ import annotations

import json
import subprocess

from wardnet.canonical import canonical_ovs
from wardnet.node.record import MutableRecord, Record

TYPE_CHECKING = False  # not typing's: the agent starts on every audit (wardnet/node/agent.py)
if TYPE_CHECKING:
    from typing import Any

PORT_COLUMNS = ("bond_mode", "lacp", "trunks", "tag", "vlan_mode")  # canonical word order after the name
CLEARABLE = ("trunks", "tag", "vlan_mode", "bond_mode", "lacp")


class Port(Record):
    __slots__ = ("columns", "iface_type", "members", "name", "shutdown")

    def __init__(
        self,
        name: str,
        members: tuple[str, ...] = (),  # a bond's interfaces; empty: the port is its own interface
        columns: tuple[tuple[str, str], ...] = (),
        iface_type: str = "",
        shutdown: bool = False,
    ) -> None:
        self.name, self.members, self.columns = name, members, columns
        self.iface_type, self.shutdown = iface_type, shutdown

    @property
    def is_bond(self) -> bool:
        return bool(self.members)

    def line(self) -> str:
        words = ["bond", self.name, *sorted(self.members)] if self.is_bond else ["port", self.name]
        if self.iface_type:
            words.append(f"type={self.iface_type}")
        values = dict(self.columns)
        words += [f"{key}={values[key]}" for key in PORT_COLUMNS if key in values]
        if self.shutdown:
            words.append("shutdown")
        return " " + " ".join(words)


class Bridge(MutableRecord):
    __slots__ = ("columns", "name", "ports")

    def __init__(
        self, name: str, columns: dict[str, str] | None = None, ports: dict[str, Port] | None = None
    ) -> None:
        self.name = name
        self.columns: dict[str, str] = {} if columns is None else columns
        self.ports: dict[str, Port] = {} if ports is None else ports


class OvsSyntaxError(ValueError):
    pass


def parse(section: str) -> dict[str, Bridge]:
    bridges: dict[str, Bridge] = {}
    bridge: Bridge | None = None
    for number, raw in enumerate(section.splitlines(), start=1):
        words = raw.split()
        if not words:
            continue
        if not raw.startswith(" "):
            if words[0] != "bridge" or len(words) < 2:
                raise OvsSyntaxError(f"ovs line {number}: expected 'bridge NAME ...', got {raw.strip()!r}")
            bridge = bridges.setdefault(words[1], Bridge(words[1], dict(_pairs(words[2:], number))))
            continue
        if bridge is None or words[0] not in ("port", "bond") or len(words) < 2:
            raise OvsSyntaxError(f"ovs line {number}: expected ' port NAME ...' under a bridge")
        rest = words[2:]
        shutdown = bool(rest) and rest[-1] == "shutdown"
        rest = rest[:-1] if shutdown else rest
        members = tuple(w for w in rest if "=" not in w)
        if words[0] == "port" and members:
            raise OvsSyntaxError(f"ovs line {number}: a port takes KEY=VALUE words only")
        if words[0] == "bond" and len(members) < 2:
            raise OvsSyntaxError(f"ovs line {number}: a bond needs two or more members")
        pairs = dict(_pairs([w for w in rest if "=" in w], number))
        iface_type = pairs.pop("type", "")
        bridge.ports[words[1]] = Port(words[1], members, tuple(sorted(pairs.items())), iface_type, shutdown)
    return bridges


def _pairs(words: list[str], number: int) -> list[tuple[str, str]]:
    pairs = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key or not value:
            raise OvsSyntaxError(f"ovs line {number}: expected KEY=VALUE, got {word!r}")
        pairs.append((key, value))
    return pairs


def format_bridges(bridges: dict[str, Bridge]) -> str:
    lines = []
    for bridge in bridges.values():
        lines.append(
            " ".join(["bridge", bridge.name, *(f"{k}={v}" for k, v in sorted(bridge.columns.items()))])
        )
        lines += [port.line() for port in bridge.ports.values()]
    return canonical_ovs("\n".join(lines))


# --- live state ---------------------------------------------------------------------------------------


def _vsctl(*args: str) -> str:
    return subprocess.run(["ovs-vsctl", *args], check=True, capture_output=True, text=True).stdout


def _tables(*queries: tuple[str, str]) -> list[list[dict[str, Any]]]:
    """(table, columns) → each table's rows, read in one ovs-vsctl run (one process, one OVSDB session):
    `list` commands joined by `--`, whose JSON documents ovs-vsctl prints one after the other."""
    args = ["--format=json", "--data=json"]
    for table, columns in queries:
        args += ["--", f"--columns={columns}", "list", table]
    out, decoder, tables, at = _vsctl(*args), json.JSONDecoder(), [], 0
    for _ in queries:
        while at < len(out) and out[at].isspace():
            at += 1
        found, at = decoder.raw_decode(out, at)
        tables.append([dict(zip(found["headings"], row, strict=True)) for row in found["data"]])
    if out[at:].strip():
        raise RuntimeError(f"ovs-vsctl printed more than {len(queries)} tables: {out[at:][:200]!r}")
    return tables


def _atoms(value: Any) -> list[Any]:
    """OVSDB JSON: ["set", [...]] or ["uuid", id] or a bare atom → list of plain atoms."""
    if isinstance(value, list) and value and value[0] == "set":
        return [_atoms(v)[0] for v in value[1]]
    if isinstance(value, list) and value and value[0] == "uuid":
        return [value[1]]
    return [value]


def read_live() -> dict[str, Bridge]:
    interface_rows, port_rows, bridge_rows = _tables(
        ("Interface", "_uuid,name,type,admin_state"),
        ("Port", "_uuid,name,tag,trunks,vlan_mode,bond_mode,lacp,interfaces"),
        ("Bridge", "name,datapath_type,ports"),
    )
    interfaces = {_atoms(r["_uuid"])[0]: r for r in interface_rows}
    ports = {_atoms(r["_uuid"])[0]: r for r in port_rows}
    bridges: dict[str, Bridge] = {}
    for row in bridge_rows:
        bridge = Bridge(row["name"], {"datapath_type": row["datapath_type"]} if row["datapath_type"] else {})
        for port_id in _atoms(row["ports"]):
            port = ports[port_id]
            if port["name"] == bridge.name:
                continue  # the bridge's own internal port
            members = [interfaces[i] for i in _atoms(port["interfaces"])]
            columns = {}
            for key in PORT_COLUMNS:
                atoms = _atoms(port[key])
                if atoms:
                    columns[key] = (
                        ",".join(str(a) for a in sorted(atoms)) if key == "trunks" else str(atoms[0])
                    )
            single = members[0] if len(members) == 1 else None
            bridge.ports[port["name"]] = Port(
                port["name"],
                () if single else tuple(sorted(m["name"] for m in members)),
                tuple(sorted(columns.items())),
                single["type"] if single else "",
                bool(single and single["type"] != "internal" and single["admin_state"] == "down"),
            )
        bridges[bridge.name] = bridge
    return bridges


# --- the change plan ----------------------------------------------------------------------------------


class Plan(MutableRecord):
    __slots__ = ("admin", "link_up", "vsctl")

    def __init__(self) -> None:
        self.vsctl: list[str] = []  # one transaction: `ovs-vsctl -- a -- b ...`
        self.admin: list[tuple[str, str, bool]] = []  # (bridge, port, up)
        self.link_up: list[str] = []  # internal ports to bring up in the kernel

    @property
    def empty(self) -> bool:
        return not self.vsctl and not self.admin


def _add(bridge: str, port: Port) -> list[str]:
    columns = [f"{k}={v}" for k, v in port.columns]
    if port.is_bond:
        return ["--", "add-bond", bridge, port.name, *port.members, *columns]
    args = ["--", "add-port", bridge, port.name, *columns]
    if port.iface_type:
        args += ["--", "set", "Interface", port.name, f"type={port.iface_type}"]
    return args


def plan(intended: dict[str, Bridge], live: dict[str, Bridge]) -> Plan:
    result = Plan()
    for name in live.keys() - intended.keys():
        result.vsctl += ["--", "del-br", name]
    for name, bridge in intended.items():
        current = live.get(name)
        if current is None:
            result.vsctl += ["--", "add-br", name]
            current = Bridge(name)
        changed = {k: v for k, v in bridge.columns.items() if current.columns.get(k) != v}
        if changed:
            result.vsctl += ["--", "set", "Bridge", name, *(f"{k}={v}" for k, v in sorted(changed.items()))]
        for port_name in sorted(current.ports.keys() - bridge.ports.keys()):
            result.vsctl += ["--", "del-port", name, port_name]
        for port_name, port in bridge.ports.items():
            old = current.ports.get(port_name)
            if old is None or (old.members, old.iface_type) != (port.members, port.iface_type):
                if old is not None:
                    result.vsctl += ["--", "del-port", name, port_name]
                result.vsctl += _add(name, port)
            elif old.columns != port.columns:
                new, previous = dict(port.columns), dict(old.columns)
                sets = [f"{k}={v}" for k, v in sorted(new.items()) if previous.get(k) != v]
                if sets:
                    result.vsctl += ["--", "set", "Port", port_name, *sets]
                for key in sorted(previous.keys() - new.keys()):
                    if key in CLEARABLE:
                        result.vsctl += ["--", "clear", "Port", port_name, key]
            # A new port takes the kernel link state of its interface: set it either way.
            physical = not port.is_bond and port.iface_type != "internal"
            if physical and (old is None or old.shutdown != port.shutdown):
                result.admin.append((name, port_name, not port.shutdown))
            if port.iface_type == "internal":
                result.link_up.append(port_name)
    return result


def apply(intended: dict[str, Bridge]) -> Plan:
    """Apply in one ovs-vsctl transaction, then admin state; returns what was done."""
    change = plan(intended, read_live())
    if change.vsctl:
        subprocess.run(["ovs-vsctl", *change.vsctl], check=True, capture_output=True, text=True)
    for bridge, port, up in change.admin:
        subprocess.run(
            ["ovs-ofctl", "mod-port", bridge, port, "up" if up else "down"],
            check=True,
            capture_output=True,
            text=True,
        )
    for port in change.link_up:
        subprocess.run(["ip", "link", "set", port, "up"], check=True, capture_output=True, text=True)
    return change
