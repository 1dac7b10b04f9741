"""ISC perfdhcp (Debian kea-admin) as the DHCP clients of one VLAN: its command line and its report. Pure.

perfdhcp always writes a relay address into giaddr (its own, or one from the `-J` list); with `-J` holding
only 0.0.0.0 its DISCOVERs and REQUESTs look like a client's (giaddr 0, broadcast flag set by `-B`), so the
firewall's dhcrelay fills in giaddr, Kea answers the relay, and the relay broadcasts the reply back on the
VLAN to udp/68 — the path a real client takes. Options as documented in perfdhcp(8), Kea 2.2
(https://kea.readthedocs.io/en/kea-2.2.0/man/perfdhcp.8.html): -l interface, -L local port, -B broadcast,
-J relay list, -b mac= base, -R distinct clients, -r exchanges/s, -n exchanges, -p seconds, -d drop time,
-W exit wait (µs), -x t (timestamps of every exchange, for the percentiles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CLIENT_PORT = 68
# A client retransmits its DISCOVER after about 4 s (RFC 2131 4.1): an answer later than that is a drop.
DROP_SECONDS = 4.0
# -n ends the run when the last DISCOVER is out: wait this long for the answers (and REQUESTs) still to come.
EXIT_WAIT_US = 5_000_000
SPREAD_SECONDS = 5.0  # the VLAN's clients arrive within this window (the morning rush, compressed)
MIN_RATE = 10


@dataclass(frozen=True)
class Exchange:
    sent: int
    received: int
    drops: int
    delays_ms: tuple[float, ...]  # one per completed exchange, from perfdhcp's own timestamps


@dataclass(frozen=True)
class Result:
    discover_offer: Exchange
    request_ack: Exchange
    rate: float  # 4-way exchanges per second, as perfdhcp measured it

    @property
    def leases(self) -> int:
        """Clients that completed DORA: the ACKs perfdhcp received."""
        return self.request_ack.received

    @property
    def drops(self) -> int:
        return self.discover_offer.drops + self.request_ack.drops

    def round_trips_ms(self) -> list[float]:
        """Every request → reply through relay and server: DISCOVER→OFFER and REQUEST→ACK alike."""
        return [*self.discover_offer.delays_ms, *self.request_ack.delays_ms]


def mac_base(vlan: int) -> str:
    """02 (locally administered) 19 (issue 19) and the VLAN id: perfdhcp varies only the last two octets."""
    return f"02:19:{vlan >> 8:02x}:{vlan & 0xFF:02x}:00:00"


def rate(clients: int) -> int:
    return max(MIN_RATE, -(-clients // int(SPREAD_SECONDS)))


def command(interface: str, clients: int, relay_list: Path, vlan: int) -> list[str]:
    """perfdhcp bounded twice: by count (-n clients) and by time (-p), so it always stops by itself."""
    period = int(SPREAD_SECONDS + clients / rate(clients) + DROP_SECONDS) + 1
    return [
        "perfdhcp",
        "-4",
        "-l",
        interface,
        "-L",
        str(CLIENT_PORT),
        "-B",
        "-J",
        str(relay_list),
        "-b",
        f"mac={mac_base(vlan)}",
        "-R",
        str(clients),
        "-r",
        str(rate(clients)),
        "-n",
        str(clients),
        "-p",
        str(period),
        "-d",
        str(DROP_SECONDS),
        "-W",
        str(EXIT_WAIT_US),
        "-x",
        "t",
        "255.255.255.255",
    ]


def probe(interface: str, relay_list: Path) -> list[str]:
    """One client, one DORA (a MAC outside every VLAN's base): is the path up?"""
    return [
        "perfdhcp", "-4", "-l", interface, "-L", str(CLIENT_PORT), "-B", "-J", str(relay_list),
        "-b", "mac=02:18:00:00:00:01", "-R", "1", "-n", "1", "-p", "10", "-d", str(DROP_SECONDS),
        "-W", str(EXIT_WAIT_US), "255.255.255.255",
    ]  # fmt: skip


def deadline(clients: int) -> float:
    """Seconds after which the caller kills perfdhcp: its own bounds plus a margin."""
    return SPREAD_SECONDS + clients / rate(clients) + DROP_SECONDS + EXIT_WAIT_US / 1e6 + 30


_HEADER = re.compile(r"^\*\*\*(.+?)\*\*\*$", re.M)
_FIELD = re.compile(r"^(sent packets|received packets|drops):\s+(\d+)", re.M)
_RATE = re.compile(r"^Rate:\s+([\d.]+)", re.M)
# -x t: "sent / received: HHMMSS.ffffff / HHMMSS.ffffff", durations since perfdhcp started
# (boost to_iso_string; Kea src/bin/perfdhcp/stats_mgr.cc, ExchangeStats::printTimestamps)
_STAMP = re.compile(r"^sent / received: (\d{6}(?:\.\d+)?) / (\d{6}(?:\.\d+)?)$", re.M)


def _seconds(stamp: str) -> float:
    return int(stamp[:2]) * 3600 + int(stamp[2:4]) * 60 + float(stamp[4:])


def parse(output: str) -> Result:
    """perfdhcp's final report: counters per exchange and, with -x t, the sent/received time of each."""
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
    return Result(offer, ack, float(found.group(1)) if found else 0.0)


def _exchange(stats: str, stamps: str) -> Exchange:
    fields = {name: int(value) for name, value in _FIELD.findall(stats)}
    delays = tuple((_seconds(b) - _seconds(a)) * 1000 for a, b in _STAMP.findall(stamps))
    return Exchange(fields["sent packets"], fields["received packets"], fields["drops"], delays)


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (no interpolation: every figure is one a client saw)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]
