"""The white-box platform (Linux + FRR + nftables + Open vSwitch): deployed and audited by napalm `frr`.

Its config is one canonical text in four sections (`!== frr`, `!== nftables`, `!== ovs`, `!== dhcrelay`, see
wardnet/canonical.py); the device agent makes the intended text canonical on the device itself.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from typing import TYPE_CHECKING, Any

from wardnet.canonical import SECTION_MARK, SECTIONS, canonical_ovs, join_sections, split_sections
from wardnet.platforms.base import REDACTED, PlatformDriver, Texts, rules
from wardnet.platforms.hier import hier_remediation, top_blocks

if TYPE_CHECKING:
    from wardnet.checks.expect import Expect, Violation

# The canonical text's sections, for the frr NAPALM driver (plugins/napalm_frr) and the device agent.
__all__ = ["SECTIONS", "SECTION_MARK", "Frr", "join_sections", "split_sections", "wait_for_neighbors"]


def _sections(lines: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines:
        if line.startswith(SECTION_MARK):
            current = out.setdefault(line.removeprefix(SECTION_MARK), [])
        else:
            current.append(line)
    return out


def wait_for_neighbors(driver: Any, neighbors: tuple[str, ...], wait: float) -> list[str]:
    """The BGP neighbours not Established within `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        output = driver.cli(["vtysh -c 'show bgp ipv4 unicast summary json'"])
        peers = json.loads(next(iter(output.values())) or "{}").get("peers", {})
        missing = [n for n in neighbors if peers.get(n, {}).get("state") != "Established"]
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(1)


class Frr(PlatformDriver):
    name = "frr"
    extension = "frr"
    config_marks = ("!== ",)
    cis_prefix = None  # the white box has no CIS benchmark
    roles = ("firewall", "core", "access")
    ansible_network_os = "frr"
    napalm_driver = "frr"
    # The white-box twin's admin plane is the lab host's own sshd/PAM and it has no IPS (README, Checks).
    platform_gaps = "white-box: "

    secret_forms = ((re.compile(r"\b(password) \S+"), rf"\1 {REDACTED}"),)
    volatile = re.compile(r"^(frr version |flush ruleset$)")
    closer = re.compile(r"^(\s*!.*|end|\s*exit|\s*exit-address-family|\s*exit-vrf|\s*\}|\s*#.*)$")
    # The section decides for nftables (firewall) and Open vSwitch (vlans).
    top_rules = rules(
        (r"^!== nftables", "firewall"),
        (r"^!== ovs", "vlans"),
        (r"^!== dhcrelay", "dhcp"),
        (r"^(log |logging )", "logging"),
        (r"^(router |ip route |ipv6 route |ip prefix-list |route-map |bfd|ip protocol )", "routing"),
        (r"^interface ", "interfaces"),
        (r"^(line vty|ip ssh |username |password |enable password|access-list )", "management"),
        (r"^ntp ", "ntp"),
        (r"^(agentx|snmp)", "snmp"),
    )
    canonical_on_device = True

    def canonical_text(self, text: str) -> str:
        """The ovs section in canonical order (bridges, then their ports in natural order)."""
        if f"{SECTION_MARK}ovs" not in text:
            return text
        head, _, rest = text.partition(f"{SECTION_MARK}ovs\n")
        ovs, mark, tail = rest.partition(f"\n{SECTION_MARK}")  # the sections after ovs (dhcrelay) stay
        return f"{head}{SECTION_MARK}ovs\n{canonical_ovs(ovs)}" + (f"{SECTION_MARK}{tail}" if mark else "")

    def evaluate(self, text: str, expect: Expect, role: str) -> list[Violation]:
        from wardnet.checks.parse import parse_frr
        from wardnet.checks.rules_frr import RULES

        return RULES.evaluate(parse_frr(text), expect, role)

    def normalise(self, text: str) -> list[str]:
        """Section marks stay as top-level lines; text before the first mark is a comment."""
        out: list[str] = []
        for name, body in split_sections(text).items():
            out.append(f"{SECTION_MARK}{name}")
            out += self.clean(body)
        return out

    def feature_top(self, path: tuple[str, ...], line: str) -> str:
        """In the FRR section the block under the section mark decides, as on any router."""
        if path and path[0].startswith("!== frr"):
            return path[1] if len(path) > 1 else line
        return super().feature_top(path, line)

    def remediation(self, texts: Texts, intended: list[str], running: list[str], tops: set[str]) -> str:
        """Per section: FRR lines through hier_config as vtysh input; nftables by whole-ruleset replace
        (`nft -f` is atomic, a rule-by-rule patch is not); Open vSwitch as the agent's one transaction."""
        from wardnet.node import ovs

        want, have = _sections(intended), _sections(running)
        parts = []
        if want.get("frr", []) != have.get("frr", []):
            frr_want, frr_have = top_blocks(want.get("frr", []), tops), top_blocks(have.get("frr", []), tops)
            commands = hier_remediation(frr_want, frr_have)
            if commands:
                parts.append("# FRR: vtysh -c 'configure terminal', then:\n" + commands)
        if want.get("nftables", []) != have.get("nftables", []):
            ruleset = split_sections(texts.intended).get("nftables", "flush ruleset\n")
            parts.append(
                f"# nftables: replace the whole ruleset atomically\nnft -f - <<'EOF'\n{ruleset}EOF\n"
            )
        if want.get("ovs", []) != have.get("ovs", []):
            fix = ovs.plan(
                ovs.parse("\n".join(want.get("ovs", []))), ovs.parse("\n".join(have.get("ovs", [])))
            )
            lines = []
            if fix.vsctl:
                lines.append("ovs-vsctl " + shlex.join(fix.vsctl))
            lines += [f"ovs-ofctl mod-port {b} {p} {'up' if up else 'down'}" for b, p, up in fix.admin]
            if lines:
                parts.append("# Open vSwitch: one transaction\n" + "".join(line + "\n" for line in lines))
        if want.get("dhcrelay", []) != have.get("dhcrelay", []):
            relay = split_sections(texts.intended).get("dhcrelay", "")
            parts.append(
                "# DHCP relay: the agent restarts dhcrelay\n"
                f"wardnet-node apply - <<'EOF'\n!== dhcrelay\n{relay}EOF\n"
            )
        return "\n".join(parts)

    def site_checks(self, driver: Any, role: str, intended: str, wait: float) -> list[str]:
        """A default route in the RIB (static on switches, BGP from the city core on the firewall), and every
        trunk the design names carrying exactly its designed VLANs and, where a cable is plugged (the
        kernel sees a carrier: LOWER_UP), up in Open vSwitch. An unplugged trunk (an AP port with no AP) is
        not a fault of the change."""
        problems = []
        if not _wait_for(lambda: bool(_json(driver, "vtysh -c 'show ip route 0.0.0.0/0 json'")), wait):
            problems.append("no default route (0.0.0.0/0) in the routing table")
        designed = designed_trunks(split_sections(intended).get("ovs", ""))
        if designed:
            ports = _ovs_rows(driver, "port", "name,trunks")
            links = _ovs_rows(driver, "interface", "name,link_state")
            plugged = {
                i["ifname"] for i in _json(driver, "ip -j link show") if "LOWER_UP" in i.get("flags", [])
            }
            for port, vlans in sorted(designed.items()):
                seen = _ovs_set(ports.get(port))
                if seen != vlans:
                    problems.append(f"trunk {port} carries VLANs {sorted(seen)}, designed {sorted(vlans)}")
                if port in plugged and links.get(port) != "up":
                    problems.append(f"trunk {port} is cabled but not up ({links.get(port) or 'absent'})")
        return problems

    def post_checks(self, driver: Any, role: str, bgp_neighbors: tuple[str, ...], wait: float) -> list[str]:
        """The firewall's ruleset is loaded, its relay runs as intended and the BGP neighbours come up."""
        problems = []
        if role == "firewall":
            try:
                driver.cli(["nft list table inet wardnet"])
            except Exception:
                problems.append("firewall ruleset (table inet wardnet) not loaded")
            # The agent keeps the relay's pidfile while a relay is configured (wardnet/node/dhcrelay.py).
            try:
                driver.cli(["f=/var/lib/wardnet/dhcrelay.pid; test ! -e $f || kill -0 $(cat $f)"])
            except Exception:
                problems.append("DHCP relay configured but dhcrelay is not running")
        if bgp_neighbors:
            missing = wait_for_neighbors(driver, bgp_neighbors, wait)
            if missing:
                problems.append(f"BGP neighbours not established: {', '.join(missing)}")
        return problems


def designed_trunks(ovs_section: str) -> dict[str, set[int]]:
    """{port: VLANs} for every ` port NAME trunks=a,b,...` line of an ovs section."""
    out = {}
    for line in ovs_section.splitlines():
        words = line.split()
        if line.startswith(" ") and len(words) > 1 and words[0] == "port":
            for word in words[2:]:
                if word.startswith("trunks="):
                    out[words[1]] = {int(v) for v in word.removeprefix("trunks=").split(",") if v}
    return out


def _wait_for(condition: Any, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            if condition():
                return True
        except Exception:  # a command that fails now may succeed once the change has settled
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(2)


def _json(driver: Any, command: str) -> Any:
    return json.loads(driver.cli([command])[command] or "null")


def _ovs_rows(driver: Any, table: str, columns: str) -> dict[str, Any]:
    """{name: value} of one more column of an OVSDB table (`ovs-vsctl --format=json`)."""
    data = _json(driver, f"ovs-vsctl --format=json -- --columns={columns} list {table}")
    return {row[0]: row[1] for row in data["data"]}


def _ovs_set(value: Any) -> set[int]:
    """OVSDB JSON: a single value, or ["set", [values]]."""
    if isinstance(value, list) and value and value[0] == "set":
        return {int(v) for v in value[1]}
    return {int(value)} if isinstance(value, int) else set()
