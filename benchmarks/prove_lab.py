"""`wardnet lab prove` on a live site at its full design load: the figures the README quotes.

Brings the site up with its intended config and its servers (podman, converged by playbooks/servers.yml),
proves it for its concurrent_users (Bến Thành: 500 users, 595 DHCP clients over 7 VLANs, all arriving at once)
and at 1.5x and 2x, prints the time to bring it up, the time to prove it, leases, leases/s, retransmissions,
the time to serve every client, its p50/p99, where pools run out, the TCP sessions held through the firewall
(sessions/s, conntrack against its limit and the design's figures), DNS queries/s, and takes it down.
Needs root (the lab does).

    .venv/bin/python -m benchmarks.prove_lab [--site 26743] [--users N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from wardnet.api import Lab, lab_preflight, prove_site, write_prove_report

REPO = Path(__file__).resolve().parent.parent
PREFIX = "wq-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", default="26743")
    parser.add_argument("--users", type=int)
    args = parser.parse_args()
    lab_preflight()
    with tempfile.TemporaryDirectory() as root:
        lab = Lab(REPO / "inventories", root=Path(root), prefix=PREFIX)
        lab.down(None)
        try:
            started = time.perf_counter()
            lab.up([args.site], load="intended", with_servers=True)
            up = time.perf_counter() - started
            started = time.perf_counter()
            report = prove_site(lab, args.site, args.users)
            proved = time.perf_counter() - started
            write_prove_report(report, Path(root) / "report")
            print((Path(root) / "report" / f"prove-{args.site}.md").read_text())
        finally:
            lab.down(None)
    dhcp, dns = report["dhcp"], report["dns"]
    print(f"\nwardnet lab prove {args.site} ({report['users']} users)", file=sys.stderr)
    print(f"lab up --load intended --servers  {up:7.1f} s")
    print(f"prove (DHCP, DNS, report)         {proved:7.1f} s")
    print(
        f"DHCP: {dhcp['leases']}/{dhcp['clients']} leases, {dhcp['retransmissions']} retransmissions, "
        f"all served in {dhcp['seconds_to_serve']} s, {dhcp['leases_per_s']} leases/s"
    )
    for v in dhcp["design_load"]:
        print(
            f"  VLAN {v['vlan']:>3} {v['name']:<11} {v['leases']:>4}/{v['clients']:<4} in pool "
            f"{v['kea_leases'] - len(v['out_of_pool'])}, {v['retransmissions']} retransmissions, lease "
            f"p50 {v['lease_p50_s']} s, p99 {v['lease_p99_s']} s; round trip p50 {v['p50_ms']} ms"
        )
    for round_ in dhcp["overload"]:
        out = [f"{v['vlan']} at {v['leases']}/{v['clients']}" for v in round_["vlans"] if v["runs_out"]]
        print(
            f"x{round_['factor']}: {round_['leases']}/{round_['clients']} leases, "
            f"{round_['retransmissions']} retransmissions; pools out: {', '.join(out) or 'none'}; "
            f"as the headroom predicts: {all(v['agrees'] for v in round_['vlans'])}"
        )
    print(
        f"DNS: {dns['qps']:.0f} queries/s, {dns['lost']}/{dns['sent']} lost, "
        f"p50 {dns['p50_ms']} ms, p99 {dns['p99_ms']} ms"
    )
    held = report["sessions"]
    print(
        f"sessions: {held['held']}/{held['planned']} held {held['hold_s']} s by {held['clients_held']} "
        f"clients, all up in {held['seconds_to_establish']} s, {held['sessions_per_s']} sessions/s, "
        f"connect p50 {held['connect_p50_ms']} ms, p99 {held['connect_p99_ms']} ms"
    )
    print(
        f"firewall conntrack: {held['conntrack_before']} before, "
        f"{held['conntrack_low']}-{held['conntrack_peak']} held ({held['conntrack_ours']} of ours "
        f"ESTABLISHED); limit {held['conntrack_max']}; design {held['design_sessions']} sessions, "
        f"limit {held['design_conntrack_max']}"
    )
    opened = sum(d["seen"] == "open" for d in held["denied"])
    print(f"denied flows under load: {len(held['denied'])} tried, {opened} open")
    print(f"time to prove {args.site}: {proved:.1f} s (lab up {up:.1f} s more)")
    print("PASSED" if report["passed"] else "FAILED: " + "; ".join(report["failures"]))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
