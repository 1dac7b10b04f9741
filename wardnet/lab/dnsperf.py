"""dnsperf (Debian dnsperf, DNS-OARC) against a resolver: its command line and its statistics. Pure.

Options as in dnsperf(1) 2.10 (https://www.dns-oarc.net/tools/dnsperf): -s server, -d query file, -l
seconds (the run stops by itself), -Q maximum queries/s, -v one line per answer with its latency (for the
percentiles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Names every resolver answers from its own data (RFC 6761 special-use names, unbound's default local
# zones): the lab has no Internet, so a query that needed an upstream would only measure a timeout.
QUERIES = (
    "localhost A",
    "localhost AAAA",
    "1.0.0.127.in-addr.arpa PTR",
    "example.invalid A",
    "prove.test A",
)
SECONDS = 3
MAX_QPS = 2000


@dataclass(frozen=True)
class Result:
    sent: int
    completed: int
    lost: int
    qps: float
    latencies_ms: tuple[float, ...]


def command(server: str, query_file: str, seconds: int = SECONDS, max_qps: int = MAX_QPS) -> list[str]:
    return ["dnsperf", "-s", server, "-d", query_file, "-l", str(seconds), "-Q", str(max_qps), "-v"]


_SENT = re.compile(r"Queries sent:\s+(\d+)")
_COMPLETED = re.compile(r"Queries completed:\s+(\d+)")
_LOST = re.compile(r"Queries lost:\s+(\d+)")
_QPS = re.compile(r"Queries per second:\s+([\d.]+)")
_ANSWER = re.compile(r"^> \S+ .* ([\d.]+)$", re.M)


def parse(output: str) -> Result:
    sent, completed, lost, qps = (p.search(output) for p in (_SENT, _COMPLETED, _LOST, _QPS))
    if sent is None or completed is None or lost is None or qps is None:
        raise ValueError(f"dnsperf printed no statistics:\n{output[-600:]}")
    return Result(
        int(sent.group(1)),
        int(completed.group(1)),
        int(lost.group(1)),
        float(qps.group(1)),
        tuple(float(s) * 1000 for s in _ANSWER.findall(output)),
    )
