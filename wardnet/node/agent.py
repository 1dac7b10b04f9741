"""`wardnet-node show` prints the device's running state as canonical text; `wardnet-node apply FILE` makes
the device match FILE: Open vSwitch first (interfaces must exist), then FRR, then nftables."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
from pathlib import Path

from wardnet.canonical import SECTIONS, join_sections, split_sections
from wardnet.node import frr, nft, ovs


def running_text() -> str:
    sections = {
        "frr": frr.read_live(),
        "nftables": nft.read_live(),
        "ovs": ovs.format_bridges(ovs.read_live()),
    }
    return join_sections(sections, f"! running configuration: {socket.gethostname()} (frr platform)\n")


def apply_text(text: str) -> list[str]:
    sections = split_sections(text)
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ValueError(f"unknown section(s): {', '.join(unknown)}; expected {', '.join(SECTIONS)}")
    bridges = ovs.parse(sections["ovs"]) if "ovs" in sections else None  # parse all before changing any
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
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wardnet-node", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show", help="print the running state as canonical text")
    apply = sub.add_parser("apply", help="make the device match a canonical file ('-' reads stdin)")
    apply.add_argument("file")
    args = parser.parse_args(argv)
    try:
        if args.command == "show":
            sys.stdout.write(running_text())
            return 0
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
        for line in apply_text(text):
            print(line)
        return 0
    except (subprocess.CalledProcessError, RuntimeError, ValueError, OSError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        print(f"wardnet-node: {exc} {detail}".strip(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
