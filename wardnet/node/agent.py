"""wardnet-node, the agent on a white-box device (frr platform).

  show                      the running state as canonical text (the form of the intended file)
  canonical FILE            FILE as this device would print it once applied (nothing changes)
  apply FILE                make the device match FILE: Open vSwitch, then FRR, nftables, the DHCP relay
  commit FILE [--revert-in S], confirm, rollback, pending: NAPALM's commit/confirm/rollback on the device
FILE '-' reads standard input.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
from pathlib import Path

from wardnet.canonical import SECTION_MARK, SECTIONS, join_sections, split_sections
from wardnet.node import commit, dhcrelay, frr, nft, ovs


def running_text() -> str:
    sections = {
        "frr": frr.read_live(),
        "nftables": nft.read_live(),
        "ovs": ovs.format_bridges(ovs.read_live()),
        "dhcrelay": dhcrelay.read_live(),
    }
    return join_sections(sections, f"! running configuration: {socket.gethostname()} (frr platform)\n")


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


def canonical_text(text: str) -> str:
    sections = strict_sections(text)
    result = {}
    if "frr" in sections:
        frr.check(sections["frr"])
        result["frr"] = sections["frr"]
    if "nftables" in sections:
        result["nftables"] = nft.canonical(sections["nftables"])
    if "ovs" in sections:
        result["ovs"] = ovs.format_bridges(ovs.parse(sections["ovs"]))
    if "dhcrelay" in sections:
        result["dhcrelay"] = dhcrelay.format_relay(dhcrelay.parse(sections["dhcrelay"]))
    return join_sections(result, "! candidate configuration (frr platform)\n")


def _read(path: str) -> str:
    return sys.stdin.read() if path == "-" else Path(path).read_text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="wardnet-node", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show")
    sub.add_parser("canonical").add_argument("file")
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
    args = parser.parse_args(argv)
    try:
        if args.command == "show":
            sys.stdout.write(running_text())
        elif args.command == "canonical":
            sys.stdout.write(canonical_text(_read(args.file)))
        elif args.command == "apply":
            for line in apply_text(_read(args.file)):
                print(line)
        elif args.command == "commit":
            print(commit.commit(_read(args.file), args.revert_in, running_text(), apply_text))
        elif args.command == "confirm":
            print(commit.confirm())
        elif args.command == "rollback":
            print(commit.rollback(apply_text))
        elif args.command == "pending":
            state = commit.pending()
            print(f"pending, reverts at {state[1]:.0f}" if state else "none")
        else:
            commit.revert_after(args.seconds, args.token, apply_text)
        return 0
    except (subprocess.CalledProcessError, RuntimeError, ValueError, OSError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        print(f"wardnet-node: {exc} {detail}".strip(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
