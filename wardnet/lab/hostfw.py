"""The ward server's own host firewall, opened for one lab run (a harness, like prove's perfdhcp rewrite).

A server instance (`lab up --servers`) shares the SERVERS endpoint's network namespace, so its host firewall
(roles/server_baseline/templates/nftables.conf.j2: table inet wardnet, input policy drop, other roles' rules
in chain `services`) filters everything that namespace receives. `lab verify` and `lab prove` measure the
site firewall: for the run they accept their own ports in chain `services`, as a role serving them would,
tagged with a comment, and delete exactly the rules carrying that comment afterwards. Without the table
(no server instance) there is nothing to open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from wardnet.lab import system

FAMILY, TABLE, CHAIN = "inet", "wardnet", "services"
TAG = "wardnet-lab-harness"
_HANDLE = re.compile(rf'comment "{TAG}" # handle (\d+)$', re.M)


def _nft(namespace: str, *args: str, check: bool = True) -> str:
    return system.run(["ip", "netns", "exec", namespace, "nft", *args], check=check)


def present(namespace: str) -> bool:
    return bool(_nft(namespace, "list", "chain", FAMILY, TABLE, CHAIN, check=False).strip())


def handles(listing: str) -> list[int]:
    """The harness's rules in `nft -a list chain` output, by handle."""
    return [int(h) for h in _HANDLE.findall(listing)]


def rules(tcp: list[int], udp: list[int]) -> list[str]:
    return [
        f'{proto} dport {{ {", ".join(map(str, sorted(ports)))} }} accept comment "{TAG}"'
        for proto, ports in (("tcp", tcp), ("udp", udp))
        if ports
    ]


def close(namespace: str) -> None:
    listing = _nft(namespace, "-a", "list", "chain", FAMILY, TABLE, CHAIN, check=False)
    for handle in handles(listing):
        _nft(namespace, "delete", "rule", FAMILY, TABLE, CHAIN, "handle", str(handle), check=False)


@contextmanager
def opened(namespace: str | None, tcp: list[int], udp: list[int] | None = None) -> Iterator[bool]:
    """Yields whether a host firewall was there (and opened)."""
    if namespace is None or not present(namespace):
        yield False
        return
    try:
        for rule in rules(tcp, udp or []):
            _nft(namespace, "add", "rule", FAMILY, TABLE, CHAIN, *rule.split(" "))
        yield True
    finally:
        close(namespace)
