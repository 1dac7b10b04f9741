"""Packet probes run inside a lab namespace (`ip netns exec NS python3 probe.py ...`): standard library only,
no wardnet import, so it starts fast in any namespace.

  probe.py listen PORTS [ADDRESSES]
                            TCP and UDP listeners on every port (IPv4 and IPv6): TCP accepts and echoes,
                            UDP echoes each datagram back. Prints "ready" once every socket is bound, then
                            " busy=tcp/22,udp/53" when a port is held already in the namespace (a server
                            instance sharing it): that one is left to its owner.
  probe.py send             reads [{"id", "proto", "src", "dst", "port"}] (JSON) on stdin, runs them all at
                            once and prints {"id": "open" | "refused" | "timeout" | "unreachable" | error}.
"""

from __future__ import annotations

import contextlib
import errno
import json
import selectors
import socket
import struct
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from ipaddress import ip_address
from typing import Any

TIMEOUT_S = 2.0
WORKERS = 128
TOKEN = b"wardnet-probe"


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _bound(kind: socket.SocketKind, address: str, port: int) -> socket.socket:
    sock = socket.socket(_family(address), kind)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if address == "::":
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)  # one socket, both families
        sock.bind((address, port))
        if kind == socket.SOCK_STREAM:
            sock.listen(256)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def listen(ports: list[int], addresses: list[str]) -> None:
    """UDP on each given address when there are several: a reply from a wildcard socket leaves from the
    route's address, not the one the probe was sent to, and the prober (and the firewall) would drop it."""
    selector = selectors.DefaultSelector()
    busy = []
    for port in ports:
        for kind, where in ((socket.SOCK_STREAM, ["::"]), (socket.SOCK_DGRAM, addresses or ["::"])):
            for address in where:
                try:
                    selector.register(_bound(kind, address, port), selectors.EVENT_READ, kind)
                except OSError as exc:
                    if exc.errno != errno.EADDRINUSE:
                        raise
                    busy.append(f"{'tcp' if kind == socket.SOCK_STREAM else 'udp'}/{port}")
    print("ready" + (f" busy={','.join(busy)}" if busy else ""), flush=True)
    while True:
        for key, _ in selector.select():
            ready = key.fileobj
            if not isinstance(ready, socket.socket):
                continue
            try:
                if key.data == socket.SOCK_DGRAM:
                    data, peer = ready.recvfrom(512)
                    ready.sendto(data, peer)
                else:
                    conn, _ = ready.accept()
                    threading.Thread(target=_echo, args=(conn,), daemon=True).start()
            except OSError:
                continue


def _echo(conn: socket.socket) -> None:
    with conn:
        conn.settimeout(TIMEOUT_S)
        with contextlib.suppress(OSError):
            conn.sendall(conn.recv(512))


def _outcome(exc: OSError) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if exc.errno == errno.ECONNREFUSED:
        return "refused"
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM):
        return "unreachable"
    return f"error {exc.errno}"


def _send(probe: dict[str, Any]) -> str:
    proto, src, dst, port = probe["proto"], probe["src"], probe["dst"], int(probe.get("port", 0))
    if proto == "icmp":
        return _ping(src, dst, int(probe["id"]))
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(_family(dst), kind) as sock:
        sock.settimeout(TIMEOUT_S)
        try:
            sock.bind((src, 0))
            sock.connect((dst, port))
            if kind == socket.SOCK_STREAM:
                return "open"  # the three-way handshake crossed the firewall both ways
            sock.send(TOKEN)
            return "open" if sock.recv(512) == TOKEN else "timeout"
        except OSError as exc:
            return _outcome(exc)


def _checksum(data: bytes) -> int:
    data += b"\0" * (len(data) % 2)
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF


def _ping(src: str, dst: str, ident: int) -> str:
    """One ICMP / ICMPv6 echo on a raw socket (root; this machine has no ping binary). Every raw socket
    sees every echo reply: ours is the one from dst carrying our identifier."""
    v6 = ":" in dst
    ident &= 0xFFFF
    request, reply = (128, 129) if v6 else (8, 0)
    header = struct.pack("!BBHHH", request, 0, 0, ident, 1) + TOKEN
    if not v6:  # the kernel fills in the ICMPv6 checksum itself
        header = header[:2] + struct.pack("!H", _checksum(header)) + header[4:]
    family = socket.AF_INET6 if v6 else socket.AF_INET
    with socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP) as sock:
        try:
            sock.bind((src, 0))
            sock.sendto(header, (dst, 0))
        except OSError as exc:
            return _outcome(exc)
        deadline = time.monotonic() + TIMEOUT_S
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, peer = sock.recvfrom(2048)
            except TimeoutError:
                break
            icmp = data if v6 else data[(data[0] & 0x0F) * 4 :]
            kind, _, _, got, _ = struct.unpack("!BBHHH", icmp[:8])
            if kind == reply and got == ident and ip_address(peer[0]) == ip_address(dst):
                return "open"
    return "timeout"


def send(probes: list[dict[str, Any]]) -> dict[str, str]:
    with ThreadPoolExecutor(min(WORKERS, max(1, len(probes)))) as pool:
        seen = list(pool.map(_send, probes))
    return {str(p["id"]): s for p, s in zip(probes, seen, strict=True)}


def main(argv: list[str]) -> int:
    if argv[:1] == ["listen"] and len(argv) in (2, 3):
        listen([int(p) for p in argv[1].split(",") if p], [a for a in (argv[2:] or [""])[0].split(",") if a])
        return 0
    if argv[:1] == ["send"]:
        json.dump(send(json.load(sys.stdin)), sys.stdout)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
