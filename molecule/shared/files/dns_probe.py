"""Ask the DNS server at SERVER for NAME/A from the local address SOURCE through DEVICE; print the response
code and the number of answers, or "timeout" when nothing came back (JSON). Bounded: one query, three
seconds.

    python3 dns_probe.py SERVER SOURCE DEVICE NAME
"""

import json
import os
import socket
import struct
import sys

RCODES = {0: "NOERROR", 2: "SERVFAIL", 3: "NXDOMAIN", 5: "REFUSED"}


def query(name: str, ident: bytes) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split("."))
    return (
        ident + b"\x01\x00" + struct.pack("!HHHH", 1, 0, 0, 0) + labels + b"\x00" + struct.pack("!HH", 1, 1)
    )


def main() -> None:
    server, source, device, name = sys.argv[1:5]
    ident = os.urandom(2)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        sock.bind((source, 0))
        sock.settimeout(3)
        sock.sendto(query(name, ident), (server, 53))
        try:
            data, _ = sock.recvfrom(4096)
        except TimeoutError:
            print(json.dumps({"rcode": "timeout", "answers": 0}))
            return
    flags, _, answers = struct.unpack("!HHH", data[2:8])
    result = {"rcode": RCODES.get(flags & 0xF, str(flags & 0xF)), "answers": answers}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
