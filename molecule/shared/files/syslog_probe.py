"""Stand in for a city syslog server inside a Molecule instance: listen on ADDRESS:PORT/udp, log one message
with logger(1) and print the line rsyslog forwarded (JSON). Bounded: ten seconds.

    python3 syslog_probe.py ADDRESS PORT
"""

import json
import os
import socket
import subprocess
import sys
import time


def main() -> None:
    address, port = sys.argv[1], int(sys.argv[2])
    token = "wardnet-molecule-" + os.urandom(6).hex()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, port))
        sock.settimeout(1)
        subprocess.run(["logger", "-p", "auth.info", "-t", "molecule", token], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                data, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            line = data.decode(errors="replace")
            if token in line:
                print(json.dumps({"received": True, "from": peer[0], "line": line}))
                return
    print(json.dumps({"received": False, "token": token}))


if __name__ == "__main__":
    main()
