"""Act as the site firewall's DHCP relay inside a Molecule instance: send one relayed DHCPDISCOVER for a
client of the VLAN whose gateway is GIADDR to the Kea server at SERVER, print the DHCPOFFER as JSON.

    python3 dhcp_relay_probe.py GIADDR SERVER DEVICE

The packet leaves through DEVICE (the site firewall's side of the instance's veth pair), so it reaches Kea
through the server's NIC and its host firewall, as a relayed packet would. Runs only inside the instance's
own network namespace (every address is the instance's); bounded: one packet, five seconds.
"""

import json
import os
import socket
import struct
import sys

BOOTREQUEST, HTYPE_ETHER, MAGIC = 1, 1, b"\x63\x82\x53\x63"


def discover(giaddr: str, xid: bytes, mac: bytes) -> bytes:
    header = struct.pack(
        "!BBBB4sHH4s4s4s4s16s64s128s",
        BOOTREQUEST,
        HTYPE_ETHER,
        6,
        1,
        xid,
        0,
        0,
        bytes(4),
        bytes(4),
        bytes(4),
        socket.inet_aton(giaddr),
        mac.ljust(16, b"\0"),
        b"",
        b"",
    )
    # option 53 DHCPDISCOVER, option 55 parameter list (mask, routers, DNS, domain, NTP)
    return header + MAGIC + b"\x35\x01\x01" + b"\x37\x05\x01\x03\x06\x0f\x2a" + b"\xff"


def options(packet: bytes) -> dict[int, bytes]:
    found, i = {}, 240
    while i < len(packet) and packet[i] != 255:
        if packet[i] == 0:
            i += 1
            continue
        code, length = packet[i], packet[i + 1]
        found[code] = packet[i + 2 : i + 2 + length]
        i += 2 + length
    return found


def addresses(raw: bytes) -> list[str]:
    return [socket.inet_ntoa(raw[j : j + 4]) for j in range(0, len(raw), 4)]


def main() -> None:
    giaddr, server, device = sys.argv[1], sys.argv[2], sys.argv[3]
    xid, mac = os.urandom(4), bytes.fromhex("02005e") + os.urandom(3)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        sock.bind((giaddr, 67))  # a relay sends from and listens on the server port
        sock.settimeout(5)
        sock.sendto(discover(giaddr, xid, mac), (server, 67))
        while True:
            packet, peer = sock.recvfrom(4096)
            if packet[4:8] == xid:
                break
    opts = options(packet)
    print(
        json.dumps(
            {
                "message_type": opts[53][0],  # 2 = DHCPOFFER
                "yiaddr": socket.inet_ntoa(packet[16:20]),
                "from": peer[0],
                "subnet_mask": addresses(opts.get(1, b"")),
                "routers": addresses(opts.get(3, b"")),
                "dns": addresses(opts.get(6, b"")),
                "domain": opts.get(15, b"").decode(),
                "ntp": addresses(opts.get(42, b"")),
                "lease_seconds": struct.unpack("!I", opts[51])[0] if 51 in opts else None,
            }
        )
    )


if __name__ == "__main__":
    main()
