"""The policy matrix of a site as probes: which packets must cross and which must be refused. Pure.

Expectations come from the baseline's inter-zone rules read directly (rule.from_, rule.to, the services'
ports), never from the rendered firewall: the matrix is an independent second opinion on what the firewall
enforces. Default deny: a (source zone, destination zone, protocol/port) not named by any rule must be
refused, ICMP included (no rule names it). The management plane is probed on the devices themselves: each
device's SSH must answer from the zones the policy lets into `mgmt` (the NOC) and from no other zone.
The site resolver's zone (issue 17) is not probed: its listener would be a server instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address, ip_interface

from wardnet.design.site import SitePlan
from wardnet.models import Baseline, NegatedZone

ENDPOINT_HOST = 9  # as wardnet.lab.topology: the endpoint's fixed host number in its VLAN
# Internet test addresses (RFC 5737 TEST-NET-1, RFC 9637 3fff::/20): outside every private range the
# `internet` zone excludes, routed by the city core's default route.
INTERNET_ADDRESSES = ("192.0.2.1", "3fff::1")
ICMP = ("icmp", 0)
SSH = ("tcp", 22)


@dataclass(frozen=True)
class Place:
    """Where probes start or land: an endpoint, a device's management address, or a remote zone."""

    zone: str
    name: str  # lab node name, or the remote zone's name
    kind: str  # endpoint | device | remote
    namespace: str
    address: str
    address6: str

    def addr(self, family: int) -> str:
        return self.address if family == 4 else self.address6


@dataclass(frozen=True)
class Probe:
    id: int
    src: Place
    dst: Place
    family: int
    proto: str
    port: int
    services: str  # the catalogue services using this port, e.g. "web,https"
    expected: bool  # True: must cross; False: must be refused
    rule: str  # the rule that allows it; "" for default deny

    @property
    def what(self) -> str:
        return "icmp" if self.proto == "icmp" else f"{self.proto}/{self.port}"

    def wire(self) -> dict[str, object]:
        """What the probe script in the source namespace needs."""
        return {
            "id": self.id,
            "proto": self.proto,
            "src": self.src.addr(self.family),
            "dst": self.dst.addr(self.family),
            "port": self.port,
        }


def policy_ports(baseline: Baseline) -> dict[tuple[str, int], str]:
    """Every (proto, port) any rule of the policy uses, with the services that name it."""
    used = {s for rule in baseline.policy for s in rule.services}
    ports: dict[tuple[str, int], list[str]] = {}
    for name in sorted(used):
        for spec in baseline.services_catalogue[name]:
            proto, port = spec.split("/")
            ports.setdefault((proto, int(port)), []).append(name)
    return {key: ",".join(names) for key, names in sorted(ports.items())}


def allowing_rule(baseline: Baseline, src: str, dst: str, proto: str, port: int) -> str:
    """The first rule that lets this flow through, or "" (default deny)."""
    spec = f"{proto}/{port}"
    for rule in baseline.policy:
        named = any(spec in baseline.services_catalogue[s] for s in rule.services)
        if src in rule.from_ and dst in rule.to and named:
            return rule.name
    return ""


def remote_places(baseline: Baseline, city_namespace: str) -> list[Place]:
    """Each remote zone at the address the lab's city core holds for it (its first host)."""
    places = []
    for name, zone in sorted(baseline.remote_zones.items()):
        if isinstance(zone, NegatedZone):
            inside = [a for a in INTERNET_ADDRESSES if any(ip_address(a) in n for n in zone.not_)]
            if inside:
                continue
            v4, v6 = INTERNET_ADDRESSES
        else:
            v4 = next((str(n.network_address + 1) for n in zone if n.version == 4), "")
            v6 = next((str(n.network_address + 1) for n in zone if n.version == 6), "")
        if v4 and v6:
            places.append(Place(name, name, "remote", city_namespace, v4, v6))
    return places


def site_places(plan: SitePlan, nodes: list[dict[str, object]]) -> list[Place]:
    """The lab's endpoints (one per VLAN in use) and devices of the site, zoned by the plan."""
    vlans = {v.id: v for v in plan.vlans}
    devices = {d.hostname: d for d in plan.devices}
    places = []
    for node in nodes:
        name, namespace = str(node["name"]), str(node["namespace"])
        if node["kind"] == "endpoint" and node.get("vlan") in vlans:
            vlan = vlans[int(str(node["vlan"]))]
            v4 = str(ip_interface(str(node["address"])).ip)
            v6 = str(vlan.subnet6.network_address + ENDPOINT_HOST)
            places.append(Place(vlan.zone, name, "endpoint", namespace, v4, v6))
        elif node["kind"] == "device" and name in devices:
            device = devices[name]
            zone = plan.management_vlan.zone
            address, address6 = str(device.management_address), str(device.management_address6)
            places.append(Place(zone, name, "device", namespace, address, address6))
    return places


def mgmt_source(places: list[Place]) -> Place | None:
    """The management zone speaks from one access switch (its own traffic crosses the firewall)."""
    devices = sorted((p for p in places if p.kind == "device"), key=lambda p: ("-acc" not in p.name, p.name))
    return devices[0] if devices else None


def probes(baseline: Baseline, local: list[Place], remote: list[Place]) -> list[Probe]:
    """Every source × destination × family × port of the policy (+ ICMP); SSH only towards devices."""
    ports = policy_ports(baseline)
    sources = [p for p in local if p.kind == "endpoint"]
    manager = mgmt_source(local)
    sources += ([manager] if manager else []) + remote
    out: list[Probe] = []
    for src in sources:
        for dst in local + remote:
            if dst == src or (src.kind == "remote" and dst.kind == "remote"):
                continue
            if src.kind == "device" and dst.kind == "device":
                continue  # the same VLAN: the firewall is not on that path
            wanted = [SSH] if dst.kind == "device" else [*ports, ICMP]
            for family in (4, 6):
                for proto, port in wanted:
                    rule = allowing_rule(baseline, src.zone, dst.zone, proto, port)
                    names = "icmp" if proto == "icmp" else ports.get((proto, port), "ssh")
                    out.append(Probe(len(out), src, dst, family, proto, port, names, bool(rule), rule))
    return out
