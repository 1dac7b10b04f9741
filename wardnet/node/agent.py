"""wardnet-node, the agent on a white-box device (frr platform).

  show                      the running state as canonical text (the form of the intended file)
  canonical FILE            FILE as this device would print it once applied (nothing changes)
  audit FILE                both at once, as JSON {"running": ..., "canonical": ...} (the audit's first
                            night: one session and one start-up instead of two)
  apply FILE                make the device match FILE: Open vSwitch, then FRR, nftables, the DHCP relay
  commit FILE [--revert-in S], confirm, rollback, pending: NAPALM's commit/confirm/rollback on the device
FILE '-' reads standard input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from wardnet.canonical import SECTION_MARK, SECTIONS, join_sections, split_sections
from wardnet.node import dhcrelay, frr, nft, ovs

TYPE_CHECKING = False  # not typing's: this module's imports are kept to what `show` runs (see main)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

# Every audit starts this program once per device, so `show` imports only what it runs: argparse and the
# commit module load for the other commands (tests/unit/test_node_agent.py keeps that so).


def running_text(listed: dict[str, str] | None = None) -> str:
    """`listed`: nftables texts whose canonical form this run already knows (see nft.read_live)."""
    sections = {
        "frr": frr.read_live(),
        "nftables": nft.read_live(known=listed),
        "ovs": ovs.format_bridges(ovs.read_live()),
        "dhcrelay": dhcrelay.read_live(),
    }
    return join_sections(sections, f"! running configuration: {os.uname().nodename} (frr platform)\n")


def apply_text(text: str) -> list[str]:
    sections = strict_sections(text)
    bridges = ovs.parse(sections["ovs"]) if "ovs" in sections else None  # parse all before changing any
    if "dhcrelay" in sections:
        dhcrelay.parse(sections["dhcrelay"])
    done = []
    if bridges is not None:
        change = ovs.apply(bridges)
        done.append(f"ovs: {change.vsctl.count('--')} changes, {len(change.admin)} port states")
    if "frr" in sections:
        frr.apply(sections["frr"])
        done.append("frr: reloaded")
    if "nftables" in sections:
        nft.apply(sections["nftables"])
        done.append("nftables: replaced")
    if "dhcrelay" in sections:  # last: it needs the VLAN interfaces and their addresses
        done.append(f"dhcrelay: {dhcrelay.apply(sections['dhcrelay'])}")
    return done


def strict_sections(text: str) -> dict[str, str]:
    """split_sections, refusing what it would silently drop: text before the first section mark (other
    than comments) and sections this platform does not have."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(SECTION_MARK):
            break
        if line.strip() and not line.lstrip().startswith(("!", "#")):
            raise ValueError(f"line {number}: {line.strip()!r} is outside any section: start with `!== frr`")
    sections = split_sections(text)
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ValueError(f"unknown section(s): {', '.join(unknown)}; expected {', '.join(SECTIONS)}")
    return sections


def canonical_text(text: str, listed: dict[str, str] | None = None) -> str:
    """`listed`, when given, receives every nftables text met on the way and its canonical form."""
    sections = strict_sections(text)
    result = {}
    if "frr" in sections:
        frr.check(sections["frr"])
        result["frr"] = sections["frr"]
    if "nftables" in sections:
        result["nftables"] = nft.canonical(sections["nftables"], listed)
    if "ovs" in sections:
        result["ovs"] = ovs.format_bridges(ovs.parse(sections["ovs"]))
    if "dhcrelay" in sections:
        result["dhcrelay"] = dhcrelay.format_relay(dhcrelay.parse(sections["dhcrelay"]))
    return join_sections(result, "! candidate configuration (frr platform)\n")


def audit_text(text: str) -> str:
    """`canonical FILE` and `show` in one process, as JSON: {"running", "canonical", "refused"}. The
    candidate first, so the running ruleset, when nft listed it on the way (a device running this very
    config), is not made canonical a second time. A candidate the device refuses is reported in "refused"
    (what `canonical` would have exited with), the running state still read; a failure to read that fails
    the command, as `show` would."""
    listed: dict[str, str] = {}
    candidate: str | None = None
    refused: str | None = None
    try:
        candidate = canonical_text(text, listed)
    except (subprocess.CalledProcessError, RuntimeError, ValueError, OSError) as exc:
        refused = _message(exc)
    return json.dumps({"running": running_text(listed), "canonical": candidate, "refused": refused})


def _message(exc: BaseException) -> str:
    detail = getattr(exc, "stderr", "") or ""
    return f"wardnet-node: {exc} {detail}".strip()


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["show"]:  # the nightly audit's one call: no parser needed
        return _guarded(lambda: sys.stdout.write(running_text()))
    import argparse

    parser = argparse.ArgumentParser(
        prog="wardnet-node", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show")
    sub.add_parser("canonical").add_argument("file")
    sub.add_parser("audit").add_argument("file")
    sub.add_parser("apply").add_argument("file")
    commit_parser = sub.add_parser("commit")
    commit_parser.add_argument("file")
    commit_parser.add_argument("--revert-in", type=int, metavar="SECONDS")
    sub.add_parser("confirm")
    sub.add_parser("rollback")
    sub.add_parser("pending")
    revert = sub.add_parser("revert-after")  # the detached timer that commit starts
    revert.add_argument("seconds", type=int)
    revert.add_argument("token")
    parsed = parser.parse_args(args)
    return _guarded(lambda: _command(parsed))


def _command(args: argparse.Namespace) -> None:
    from wardnet.node import commit

    command, file = args.command, getattr(args, "file", "-")
    if command == "show":
        sys.stdout.write(running_text())
    elif command == "canonical":
        sys.stdout.write(canonical_text(_read(file)))
    elif command == "audit":
        sys.stdout.write(audit_text(_read(file)))
    elif command == "apply":
        for line in apply_text(_read(file)):
            print(line)
    elif command == "commit":
        print(commit.commit(_read(file), args.revert_in, running_text(), apply_text))
    elif command == "confirm":
        print(commit.confirm())
    elif command == "rollback":
        print(commit.rollback(apply_text))
    elif command == "pending":
        state = commit.pending()
        print(f"pending, reverts at {state[1]:.0f}" if state else "none")
    else:
        commit.revert_after(args.seconds, args.token, apply_text)


def _guarded(run: Callable[[], object]) -> int:
    try:
        run()
        return 0
    except (subprocess.CalledProcessError, RuntimeError, ValueError, OSError) as exc:
        print(_message(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
