"""`wardnet lab ...` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from wardnet.findings import ExitCode
from wardnet.options import add_inventory, add_sites

if TYPE_CHECKING:
    from wardnet.lab.manager import Lab


def _lab(args: argparse.Namespace) -> Lab:  # imported lazily: the CLI starts fast
    from wardnet.lab.manager import Lab

    return Lab(args.inventory)


def cmd_up(args: argparse.Namespace) -> int:
    _lab(args).up(args.sites, load=args.load, with_servers=args.servers)
    return ExitCode.OK


def cmd_down(args: argparse.Namespace) -> int:
    if not args.all and not args.sites:
        print("wardnet lab down: give --site CODE (repeatable) or --all", file=sys.stderr)
        return ExitCode.NOT_RUN
    _lab(args).down(None if args.all else args.sites)
    return ExitCode.OK


def cmd_status(args: argparse.Namespace) -> int:
    rows = _lab(args).status()
    if args.json:
        json.dump({"nodes": rows}, sys.stdout, indent=1)
        print()
        return ExitCode.OK
    if not rows:
        print("the lab is empty: wardnet lab up --site CODE")
        return ExitCode.OK
    header = ("NAME", "ROLE", "NAMESPACE", "PLATFORM", "ADDRESS", "STATE")
    table = [header] + [
        (
            r["name"],
            r["role"],
            r["namespace"],
            r["platform"],
            r["management"] or r["address"] or "-",
            ("up" if r["alive"] else "DOWN") + (f" ({r['loaded']})" if r["kind"] == "device" else ""),
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return ExitCode.OK if all(r["alive"] for r in rows) else ExitCode.FINDINGS


def cmd_exec(args: argparse.Namespace) -> int:
    command = args.command_line[1:] if args.command_line[:1] == ["--"] else args.command_line
    if not command:
        print(
            "wardnet lab exec: give a command after --, e.g. wardnet lab exec hcm-26743-fw -- vtysh",
            file=sys.stderr,
        )
        return ExitCode.NOT_RUN
    return _lab(args).exec(args.device, command)


def cmd_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wardnet.lab.verify import verify_site

    lab = _lab(args)
    failed = False
    for code in args.sites:
        result = verify_site(lab, code)
        text, data = result.as_text(), result.as_json()
        if args.report is not None:
            folder = Path(args.report)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"matrix-{code}.txt").write_text(text)
            (folder / f"matrix-{code}.json").write_text(json.dumps(data, indent=1) + "\n")
        if args.json:
            json.dump(data, sys.stdout, indent=1)
            print()
        else:
            print(text, end="")
        failed = failed or bool(result.mismatches)
    return ExitCode.FINDINGS if failed else ExitCode.OK


def cmd_prove(args: argparse.Namespace) -> int:
    """Exit 0 only when every site leased as many clients as it was asked to serve, all inside the pools."""
    from wardnet.lab import prove, prove_report

    lab = _lab(args)
    passed = True
    for code in args.sites:
        raw = args.report / "perfdhcp" if args.report else None
        report = prove.prove(
            lab,
            code,
            args.users,
            overload_factors=tuple(args.overload),
            window=args.window,
            raw=raw,
            hold=args.hold,
            sessions_each=args.sessions_each,
        )
        stored = prove_report.store(report)
        written = prove_report.write(report, args.report) if args.report else []
        dhcp, dns = report["dhcp"], report["dns"]
        served = dhcp["seconds_to_serve"]
        timing = f"all served in {served:.1f} s" if served is not None else "not all served inside the window"
        qps = f"{dns['qps']:.0f}" if isinstance(dns.get("qps"), (int, float)) else "?"
        print(
            f"{code}: {'PASSED' if report['passed'] else 'FAILED'}: {dhcp['leases']} leases for "
            f"{dhcp['clients']} clients ({report['users']} users), "
            f"{dhcp['retransmissions']} retransmissions, {timing}; DNS {qps} queries/s, {dns['lost']} lost"
        )
        held = report["sessions"]
        print(
            f"  sessions: {held['held']}/{held['planned']} held {held['hold_s']} s by {held['clients_held']} "
            f"clients, up in {held['seconds_to_establish']} s ({held['sessions_per_s']}/s); firewall "
            f"conntrack {held['conntrack_low']}-{held['conntrack_peak']} of max {held['conntrack_max']} "
            f"(design {held['design_sessions']} sessions); denied flows open: "
            f"{sum(d['seen'] == 'open' for d in held['denied'])} of {len(held['denied'])}"
        )
        for round_ in dhcp["overload"]:
            out = [f"{v['vlan']} at {v['leases']}" for v in round_["vlans"] if v["runs_out"]]
            wrong = [str(v["vlan"]) for v in round_["vlans"] if not v["agrees"]]
            print(
                f"  x{round_['factor']}: {round_['leases']} leases for {round_['clients']} clients; "
                f"pools out: {', '.join(out) or 'none'}; "
                f"unlike the headroom predicts: {', '.join(wrong) or 'none'}"
            )
        for line in report["failures"]:
            print(f"  {line}")
        print(f"  report: {', '.join(str(p) for p in [stored, *written])}")
        passed = passed and report["passed"]
    return ExitCode.OK if passed else ExitCode.FINDINGS


def _factors(text: str) -> tuple[float, ...]:
    try:
        factors = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give multiples like 1.5,2") from None
    if any(f <= 0 for f in factors):
        raise argparse.ArgumentTypeError(f"{text!r}: multiples must be positive")
    return factors


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    lab = sub.add_parser("lab", help="a live lab of sites: real FRR, nftables, Open vSwitch, sshd (root)")
    lab_sub = lab.add_subparsers(dest="lab_command", required=True)

    up = lab_sub.add_parser("up", help="bring up the white-box twin of one or more sites")
    add_inventory(up)
    add_sites(up, required=True)
    up.add_argument(
        "--load",
        choices=["factory", "intended"],
        default="factory",
        help="factory: hostname, management address and SSH only (default); intended: the full config",
    )
    up.add_argument(
        "--servers",
        action="store_true",
        help="also start the site's servers (podman, Molecule's image) and converge playbooks/servers.yml",
    )
    up.set_defaults(func=cmd_up)

    down = lab_sub.add_parser("down", help="remove sites from the lab, or everything with --all")
    add_inventory(down)
    add_sites(down)
    down.add_argument("--all", action="store_true")
    down.set_defaults(func=cmd_down)

    prove = lab_sub.add_parser(
        "prove", help="drive a site (lab up --load intended --servers) with perfdhcp and dnsperf; report"
    )
    add_inventory(prove)
    add_sites(prove, required=True)
    prove.add_argument("--users", type=int, help="users to prove for (default: the site's concurrent_users)")
    prove.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help="also write prove-<code>.md and .html (and perfdhcp's own output) here",
    )
    prove.add_argument(
        "--overload",
        type=_factors,
        default=(1.5, 2.0),
        metavar="F,F",
        help="also run at these multiples of the load: where the pools run out (default 1.5,2; '' for none)",
    )
    prove.add_argument(
        "--window",
        type=float,
        default=64.0,
        metavar="S",
        help="seconds the clients get to be served (default 64)",
    )
    prove.add_argument(
        "--hold",
        type=float,
        default=5.0,
        metavar="S",
        help="seconds every client holds its TCP sessions through the firewall (default 5)",
    )
    prove.add_argument(
        "--sessions-each",
        type=int,
        default=1,
        metavar="K",
        help="TCP sessions each client opens to each zone its policy reaches (default 1)",
    )
    prove.set_defaults(func=cmd_prove)

    status = lab_sub.add_parser("status", help="list lab nodes (exit 1 if any is down)")
    add_inventory(status)
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)

    verify = lab_sub.add_parser(
        "verify",
        help="the inter-zone policy by real packets: expected vs seen per zone pair (exit 1 on a mismatch)",
    )
    add_inventory(verify)
    add_sites(verify, required=True)
    verify.add_argument("--report", metavar="DIR", help="also write matrix-CODE.txt and .json there")
    verify.add_argument("--json", action="store_true", help="print the matrix as JSON")
    verify.set_defaults(func=cmd_verify)

    run = lab_sub.add_parser("exec", help="run a command inside a lab node: wardnet lab exec NODE -- CMD...")
    add_inventory(run)
    run.add_argument("device")
    run.add_argument("command_line", nargs=argparse.REMAINDER)
    run.set_defaults(func=cmd_exec)
