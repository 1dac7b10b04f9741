"""A spoofed lab device: an SSH server with a host key of its own on the device's management address,
recording every connection and authentication request it receives (one JSON line each) and granting none.

Run inside the device's namespace: python impostor.py ADDRESS PORT LOG KEYFILE
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from pathlib import Path

import paramiko


class Recorder(paramiko.ServerInterface):
    def __init__(self, log: Path, peer: str) -> None:
        self.log, self.peer = log, peer

    def write(self, **event: str) -> None:
        with self.log.open("a") as handle:
            handle.write(json.dumps({"peer": self.peer, **event}) + "\n")

    def get_allowed_auths(self, username: str) -> str:
        return "password,publickey"

    def check_auth_none(self, username: str) -> int:
        self.write(event="auth", method="none", username=username)
        return paramiko.AUTH_FAILED

    def check_auth_password(self, username: str, password: str) -> int:
        self.write(event="auth", method="password", username=username, password=password)
        return paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        self.write(event="auth", method="publickey", username=username, key=key.get_base64())
        return paramiko.AUTH_FAILED


def serve(conn: socket.socket, peer: str, key: paramiko.PKey, log: Path) -> None:
    recorder = Recorder(log, peer)
    recorder.write(event="connection")
    transport = paramiko.Transport(conn)
    transport.add_server_key(key)
    try:
        transport.start_server(server=recorder)
        transport.join(30)
    except Exception as exc:  # the client hung up after the key exchange: what a strict client does
        recorder.write(event="closed", detail=type(exc).__name__)
    finally:
        transport.close()


def main() -> None:
    address, port, log, key_file = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    key = paramiko.Ed25519Key(filename=key_file)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, port))
    server.listen(8)
    log.write_text("")
    print("listening", flush=True)
    while True:
        conn, peer = server.accept()
        threading.Thread(target=serve, args=(conn, f"{peer[0]}", key, log), daemon=True).start()


if __name__ == "__main__":
    main()
