"""`wardnet plan diff`: every address, subnet, hostname and port that an inventory change would move.

The plan of a site is flattened into facts (`key = value`) and the facts of two inventories are compared,
so a reviewer sees the blast radius of an edit before CI passes it. A DHCP subnet or pool that grows in place
(same first address, contains the old one) is growth, not a move; anything else that changes value is a move.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from ipaddress import IPv4Network, ip_address
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from wardnet.errors import InputError, InputProblem
from wardnet.findings import ExitCode

if TYPE_CHECKING:  # the design (pydantic models) loads only when a plan is built, not for the CLI parser
    from wardnet.design import SiteDesign
    from wardnet.design.config import EdgePort

Kind = Literal["moved", "grown", "added", "removed"]


def site_facts(design: SiteDesign) -> dict[str, str]:
    """Everything of one site that other systems (NMS, SIEM, cabling, DHCP) hold on to."""
    from wardnet.design.config import SwitchConfig

    plan = design.plan
    code = plan.site.code
    facts = {
        f"{code} block": str(plan.block),
        f"{code} asn": str(plan.asn),
        f"{code} transit": str(plan.infra.transit),
        f"{code} loopbacks": str(plan.infra.loopbacks),
        f"{code} block6": str(plan.block6),
        f"{code} transit6": str(plan.infra6.transit),
        f"{code} loopbacks6": str(plan.infra6.loopbacks),
    }
    for vlan in plan.vlans:
        key = f"{code} vlan {vlan.id} {vlan.name}"
        facts[f"{key} subnet"] = str(vlan.subnet)
        facts[f"{key} gateway"] = str(vlan.gateway)
        if vlan.pool_start is not None:
            facts[f"{key} pool"] = f"{vlan.pool_start}-{vlan.pool_end}"
        facts[f"{key} subnet6"] = f"{vlan.subnet6} ({vlan.ipv6_mode})"
    for hostname, config in design.devices.items():
        facts[f"{hostname} management"] = config.management.address
        facts[f"{hostname} management6"] = config.management.address6
        facts[f"{hostname} model"] = f"{config.model} x{config.members}"
        for port in config.edge_ports if isinstance(config, SwitchConfig) else []:
            facts[f"{hostname} {port.name}"] = _edge_port(port)
        for channel in config.port_channels if isinstance(config, SwitchConfig) else []:
            for member in channel.members:
                facts[f"{hostname} {member}"] = f"Port-channel{channel.id} ({channel.description})"
    for hostname, server in design.servers.items():
        facts[f"{hostname} address"] = server.address
        facts[f"{hostname} address6"] = server.address6
    return facts


def _edge_port(port: EdgePort) -> str:
    from wardnet.design.config import TrunkPort

    if isinstance(port, TrunkPort):
        return f"trunk {port.description}"
    return f"vlan {port.vlan} {port.description}" + (" (shut)" if port.shutdown else "")


@dataclass(frozen=True)
class Change:
    site: str
    key: str
    kind: Kind
    old: str | None
    new: str | None


def _grown(key: str, old: str, new: str) -> bool:
    """A subnet or pool that keeps its first address and contains the old one grew in place."""
    if key.endswith(" subnet"):
        before, after = IPv4Network(old), IPv4Network(new)
        return before.network_address == after.network_address and before.subnet_of(after)
    if key.endswith(" pool"):
        (start_a, end_a), (start_b, end_b) = old.split("-"), new.split("-")
        return start_a == start_b and int(ip_address(end_b)) >= int(ip_address(end_a))
    return False


def diff(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[Change]:
    """Changes between two plans, each a {site code: facts} map; sites in code order, keys in plan order."""
    changes = []
    for code in sorted(set(old) | set(new)):
        before, after = old.get(code, {}), new.get(code, {})
        for key in [*before, *(k for k in after if k not in before)]:
            a, b = before.get(key), after.get(key)
            if a == b:
                continue
            if a is None:
                kind: Kind = "added"
            elif b is None:
                kind = "removed"
            else:
                kind = "grown" if _grown(key, a, b) else "moved"
            changes.append(Change(code, key, kind, a, b))
    return changes


def _city_facts(designs: list[SiteDesign]) -> dict[str, dict[str, str]]:
    return {d.plan.site.code: site_facts(d) for d in designs}


def format_diff(changes: list[Change], old_label: str, new_label: str) -> str:
    """git-diff-like text: a hunk per site, '-' old and '+' new facts, the kind beside each new line."""
    if not changes:
        return f"no plan change between {old_label} and {new_label}\n"
    lines = [f"--- plan at {old_label}", f"+++ plan in {new_label}"]
    site = None
    for change in changes:
        if change.site != site:
            site = change.site
            lines.append(f"@@ site {site} @@")
        if change.old is not None:
            lines.append(f"-{change.key} = {change.old}")
        if change.new is not None:
            note = "" if change.kind == "added" else f"   # {change.kind}"
            lines.append(f"+{change.key} = {change.new}{note}")
        elif change.kind == "removed":
            lines[-1] += "   # removed"
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("moved", "grown", "added", "removed")}
    lines.append(", ".join(f"{n} {k}" for k, n in counts.items()))
    return "\n".join(lines) + "\n"


def _inventory_at(ref: str, inventory: Path, into: Path) -> Path:
    """Extract the inventory folder as committed at ref (git archive) into a scratch folder."""
    folder = inventory.resolve()
    try:
        top = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        relative = folder.relative_to(Path(top).resolve()).as_posix()
        archive = subprocess.run(
            ["git", "-C", top, "archive", "--format=tar", ref, "--", relative],
            capture_output=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, ValueError, FileNotFoundError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        text = detail.decode(errors="replace").strip() if isinstance(detail, bytes) else str(detail)
        raise InputError(
            [
                InputProblem(
                    "--against",
                    ref,
                    f"cannot read {inventory} at {ref} from git ({text or exc})",
                    "run inside the repository and name a commit, branch or tag that has the inventory",
                )
            ]
        ) from None
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / relative


def _plan_change(inventory: Path, against: str, now: list[SiteDesign] | None = None) -> list[Change]:
    """Facts moved between `against` and the working tree; `now` spares a second design of the tree."""
    from wardnet.pipeline import build

    if now is None:
        _, now = build(inventory)
    with tempfile.TemporaryDirectory(prefix="wardnet-plan-") as scratch:
        old_inventory = _inventory_at(against, inventory, Path(scratch))
        try:
            _, before = build(old_inventory)
        except InputError as exc:
            raise InputError(
                [
                    InputProblem(
                        "--against",
                        against,
                        f"the inventory at {against} does not load with this version "
                        f"({len(exc.problems)} problem(s), first: {exc.problems[0].message})",
                        "compare against a commit made after the last schema change",
                    )
                ]
            ) from None
    return diff(_city_facts(before), _city_facts(now))


def uncommitted_moves(
    inventory: Path, now: list[SiteDesign] | Callable[[], list[SiteDesign]]
) -> list[Change]:
    """What the working tree moves against HEAD, for `wardnet check`; nothing when clean or not in git.
    `now` may be a function giving the tree's designs: a check answered from its cache designs nothing
    unless the inventory has uncommitted changes."""
    try:
        status = subprocess.run(
            ["git", "-C", str(inventory), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError, NotADirectoryError):
        return []
    if not status.strip():
        return []
    try:
        designs = now() if callable(now) else now
        return [c for c in _plan_change(inventory, "HEAD", designs) if c.kind in ("moved", "removed")]
    except InputError:
        return []  # HEAD predates the schema, or is not there: plan diff --against says why


def _cmd_plan_diff(args: argparse.Namespace) -> int:
    changes = _plan_change(args.inventory, args.against)
    if args.site:
        changes = [c for c in changes if c.site in set(args.site)]
    sys.stdout.write(format_diff(changes, args.against, "the working tree"))
    moved = [c for c in changes if c.kind == "moved"]
    if moved and args.fail_on_move:
        print(f"wardnet plan diff: {len(moved)} fact(s) moved (--fail-on-move)", file=sys.stderr)
        return ExitCode.FINDINGS
    return ExitCode.OK


def register(sub: Any) -> None:
    plan = sub.add_parser("plan", help="the IP and port plan: what an inventory change moves")
    actions = plan.add_subparsers(dest="plan_command", required=True)
    change = actions.add_parser(
        "diff",
        help="every address, subnet, hostname and port that moves between a git ref and the working tree",
    )
    change.add_argument("--inventory", type=Path, default=Path("inventories"), help="inventory folder")
    change.add_argument("--site", action="append", metavar="CODE", help="only these sites (repeatable)")
    change.add_argument("--against", default="HEAD", metavar="GIT-REF", help="compare with (default HEAD)")
    change.add_argument(
        "--fail-on-move", action="store_true", help="exit 1 when anything moved (growth in place is fine)"
    )
    change.set_defaults(func=_cmd_plan_diff)
