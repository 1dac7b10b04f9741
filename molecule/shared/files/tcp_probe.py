"""Open a TCP connection to DESTINATION:PORT from the local address SOURCE through DEVICE; print whether it
connected (JSON). Bounded: one attempt, three seconds.

    python3 tcp_probe.py SOURCE DEVICE DESTINATION PORT
"""

import json
import socket
import sys


def main() -> None:
    source, device, destination, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        sock.bind((source, 0))
        sock.settimeout(3)
        try:
            sock.connect((destination, port))
            banner = sock.recv(64).decode(errors="replace").strip()
        except (TimeoutError, ConnectionRefusedError) as exc:
            print(json.dumps({"connected": False, "error": type(exc).__name__}))
            return
    print(json.dumps({"connected": True, "banner": banner}))


if __name__ == "__main__":
    main()
