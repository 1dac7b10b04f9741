"""ISC perfdhcp (Debian kea-admin, Kea 2.2) as the DHCP clients of one VLAN: its command line and its report.
Pure.

The clients arrive at once and behave like clients: perfdhcp's *avalanche* scenario sends the DISCOVERs of
all -R clients, then retransmits each unanswered DISCOVER or REQUEST with exponential backoff (1, 2, 4 … 64 s,
± 1 s) until every client holds its lease, and prints the time it took (perfdhcp(8), Kea 2.2, "--scenario";
https://kea.readthedocs.io/en/kea-2.2.0/man/perfdhcp.8.html; the backoff is AvalancheScen::resendPackets in
src/bin/perfdhcp/avalanche_scen.cc). RFC 2131 4.1 asks a client for 4, 8, 16 … s: avalanche is the keener
client. Avalanche ignores -n, -p, -r and -W (its loop ends only when every client is answered, or on SIGINT,
after which it still prints its report): the caller bounds it with a window and then interrupts it.
The basic scenario (rate-limited, never retransmits) remains only as the one-client readiness probe.

perfdhcp always writes a relay address into giaddr (its own, or one from the `-J` list); with `-J` holding
only 0.0.0.0 its DISCOVERs and REQUESTs look like a client's (giaddr 0, broadcast flag set by `-B`), so the
firewall's dhcrelay fills in giaddr, Kea answers the relay, and the relay broadcasts the reply back on the
VLAN to udp/68 — the path a real client takes. Options (perfdhcp(8)): -l interface, -L local port,
-B broadcast, -J relay list, -b mac= base, -R distinct clients, -x t (timestamps of every exchange).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

CLIENT_PORT = 68
# The clients' window: a client that keeps backing off has sent its DISCOVER 7 times by 63 s; whoever holds
# no lease by then is reported unserved and perfdhcp is interrupted (it prints its report on SIGINT).
WINDOW_SECONDS = 64.0
REPORT_GRACE_SECONDS = 15.0  # after SIGINT: time to print the report before the caller kills it
# The probe (basic scenario, one client): a drop after this long; it stops by itself (-n 1, -p 10).
DROP_SECONDS = 4.0
EXIT_WAIT_US = 5_000_000


@dataclass(frozen=True)
class Exchange:
    sent: int
    received: int
    drops: int
    # one per completed exchange, first transmission → reply: a retransmission keeps the first send time (seen
    # in the lab: sent 0.91 s, answered 18.2 s after two retransmissions)
    delays_ms: tuple[float, ...]
    received_s: tuple[float, ...] = ()  # when each reply arrived, seconds since perfdhcp started (-x t)


@dataclass(frozen=True)
class Waiting:
    """One avalanche progress line: at `at`, `waiting` clients of one exchange had no answer yet."""

    at: datetime
    exchange: str  # DISCOVER-OFFER | REQUEST-ACK
    waiting: int
    resent: int


@dataclass(frozen=True)
class Result:
    discover_offer: Exchange
    request_ack: Exchange
    rate: float  # 4-way exchanges per second, as perfdhcp measured it
    took_seconds: float | None = None  # avalanche: start → last client answered (or interrupted)
    requests: int | None = None  # avalanche: DISCOVERs and REQUESTs sent, retransmissions included
    retransmissions: int | None = None
    progress: tuple[Waiting, ...] = ()

    @property
    def leases(self) -> int:
        """Clients that completed DORA: the ACKs perfdhcp received."""
        return self.request_ack.received

    @property
    def drops(self) -> int:
        """Exchanges never answered (avalanche: clients still waiting when the window closed)."""
        return self.discover_offer.drops + self.request_ack.drops

    def round_trips_ms(self) -> list[float]:
        """Every request → reply through relay and server: DISCOVER→OFFER and REQUEST→ACK alike."""
        return [*self.discover_offer.delays_ms, *self.request_ack.delays_ms]

    def lease_times_s(self) -> list[float]:
        """Each client's wait for its lease: from perfdhcp's start (avalanche: the DISCOVERs all go out then)
        to its ACK, both exchanges and every retransmission included — what a user waits for."""
        return sorted(self.request_ack.received_s)


def mac_base(vlan: int) -> str:
    """02 (locally administered) 19 (issue 19) and the VLAN id: perfdhcp varies only the last two octets."""
    return f"02:19:{vlan >> 8:02x}:{vlan & 0xFF:02x}:00:00"


def command(interface: str, clients: int, relay_list: Path, vlan: int) -> list[str]:
    """All `clients` at once, retransmitting until answered; the caller ends it after WINDOW_SECONDS."""
    return [
        "perfdhcp", "-4", "--scenario", "avalanche", "-l", interface, "-L", str(CLIENT_PORT), "-B",
        "-J", str(relay_list), "-b", f"mac={mac_base(vlan)}", "-R", str(clients), "-x", "t",
        "255.255.255.255",
    ]  # fmt: skip


def probe(interface: str, relay_list: Path) -> list[str]:
    """One client, one DORA (a MAC outside every VLAN's base): is the path up? Stops by itself."""
    return [
        "perfdhcp", "-4", "-l", interface, "-L", str(CLIENT_PORT), "-B", "-J", str(relay_list),
        "-b", "mac=02:18:00:00:00:01", "-R", "1", "-n", "1", "-p", "10", "-d", str(DROP_SECONDS),
        "-W", str(EXIT_WAIT_US), "255.255.255.255",
    ]  # fmt: skip


_HEADER = re.compile(r"^\*\*\*(.+?)\*\*\*$", re.M)
_FIELD = re.compile(r"^(sent packets|received packets|drops):\s+(\d+)", re.M)
_RATE = re.compile(r"^Rate:\s+([\d.]+)", re.M)
# -x t: "sent / received: HHMMSS.ffffff / HHMMSS.ffffff", each packet's time since perfdhcp started, as the
# lab recorded it (Kea src/bin/perfdhcp/stats_mgr.h, ExchangeStats::printTimestamps)
_STAMP = re.compile(r"^sent / received: (\d{6}(?:\.\d+)?) / (\d{6}(?:\.\d+)?)$", re.M)
# avalanche (avalanche_scen.cc, AvalancheScen::run and resendPackets)
_TOOK = re.compile(r"^It took (\d+):(\d\d):(\d\d(?:\.\d+)?) to provision (\d+) clients", re.M)
_SENT = re.compile(r"^Requests sent \+ resent: (\d+)$", re.M)
_RESENT = re.compile(r"^Requests resent: (\d+)$", re.M)
_WAITING = re.compile(
    r"^(\d{4}-\w{3}-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (DISCOVER-OFFER|REQUEST-ACK): "
    r"still waiting for (\d+) answers, resent (\d+), retrying \d+$",
    re.M,
)


def _seconds(stamp: str) -> float:
    return int(stamp[:2]) * 3600 + int(stamp[2:4]) * 60 + float(stamp[4:])


def _clock(stamp: str) -> datetime:
    """boost's default ptime output, e.g. 2026-Dec-05 09:28:13.964903."""
    return datetime.strptime(stamp if "." in stamp else stamp + ".0", "%Y-%b-%d %H:%M:%S.%f")


def parse(output: str) -> Result:
    """perfdhcp's report: counters per exchange, with -x t the times of each, and the avalanche lines."""
    headers = list(_HEADER.finditer(output))
    sections: dict[str, str] = {}
    for index, match in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(output)
        sections[match.group(1)] = output[match.end() : end]
    stats = {name: f"Statistics for: {name}" for name in ("DISCOVER-OFFER", "REQUEST-ACK")}
    missing = [name for name, header in stats.items() if header not in sections]
    if missing:
        raise ValueError(f"perfdhcp printed no statistics for {', '.join(missing)}:\n{output[-600:]}")
    found = _RATE.search(output)
    offer, ack = (
        _exchange(sections[h], sections.get(f"Timestamps for packets: {n}", "")) for n, h in stats.items()
    )
    took, sent, resent = _TOOK.search(output), _SENT.search(output), _RESENT.search(output)
    progress = tuple(Waiting(_clock(at), name, int(n), int(r)) for at, name, n, r in _WAITING.findall(output))
    return Result(
        offer,
        ack,
        float(found.group(1)) if found else 0.0,
        took_seconds=int(took[1]) * 3600 + int(took[2]) * 60 + float(took[3]) if took else None,
        requests=int(sent[1]) if sent else None,
        retransmissions=int(resent[1]) if resent else None,
        progress=progress,
    )


def _exchange(stats: str, stamps: str) -> Exchange:
    fields = {name: int(value) for name, value in _FIELD.findall(stats)}
    pairs = [(_seconds(a), _seconds(b)) for a, b in _STAMP.findall(stamps)]
    delays = tuple((b - a) * 1000 for a, b in pairs)
    received = tuple(b for _, b in pairs)
    return Exchange(fields["sent packets"], fields["received packets"], fields["drops"], delays, received)


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (no interpolation: every figure is one a client saw)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]
