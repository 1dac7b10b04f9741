"""A replay SSH server on 127.0.0.1: an interactive shell that answers like a recorded device.

Drivers talk to it exactly as to a box: Netmiko opens a pty shell, types commands and reads the echo and
the prompt; NAPALM ios copies its candidate with SCP on a second connection (`scp -t flash:/...`). What the
device answers comes from an emulator (ios_device, fortigate_device) that keeps state: running and saved
configs, files on flash, revert timers.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import paramiko
from paramiko.kex_group14 import KexGroup14SHA256


class Shell(Protocol):
    """One interactive session: what it prints first, its prompt, and its answer to one line."""

    def greeting(self) -> str: ...

    def prompt(self) -> str: ...

    def continues(self, line: str) -> bool:
        """True while a line is only part of a command (an open quote on FortiOS)."""
        ...

    def handle(self, line: str) -> str | None:
        """The output of one command; None ends the session (exit, reload)."""
        ...


class Device(Protocol):
    lock: threading.RLock

    def shell(self, username: str) -> Shell: ...

    def receive_file(self, path: str, data: bytes) -> str | None:
        """SCP upload; an error text refuses it."""
        ...

    def attach(self, server: ReplayServer) -> None: ...


def _moduli_file(directory: Path) -> Path:
    """Group exchange needs primes on the server side; netmiko's fortinet class offers only
    diffie-hellman-group-exchange-sha256 with paramiko 5. RFC 3526 group 14 is enough."""
    path = directory / "moduli"
    prime = f"{KexGroup14SHA256.P:X}"
    path.write_text(f"20240101000000 2 6 100 2047 2 {prime}\n")
    return path


class _Interface(paramiko.ServerInterface):
    def __init__(self, server: ReplayServer) -> None:
        self.server = server
        self.username = ""

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_none(self, username: str) -> int:
        self.server.auth_attempts.append((username, "none", ""))
        return paramiko.AUTH_FAILED

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        self.server.auth_attempts.append((username, "publickey", key.get_base64()))
        return paramiko.AUTH_FAILED

    def check_auth_password(self, username: str, password: str) -> int:
        self.server.auth_attempts.append((username, "password", password))
        if self.server.users.get(username) == password:
            self.username = username
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, *args: object) -> bool:
        return True

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        self.server.spawn(self.server.run_shell, channel, self.username)
        return True

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        words = command.decode().split()
        if words[:2] != ["scp", "-t"] or len(words) != 3:
            return False
        self.server.spawn(self.server.run_scp_sink, channel, words[2].strip("'"))
        return True


class ReplayServer:
    def __init__(self, device: Device, users: dict[str, str], workdir: Path) -> None:
        self.device = device
        self.users = users
        self.host_key = paramiko.ECDSAKey.generate()
        key_file = workdir / "replay_host_key"
        self.host_key.write_private_key_file(str(key_file))  # kept in the test's tmp only
        self.host_key = paramiko.ECDSAKey.from_private_key_file(str(key_file))
        paramiko.Transport.load_server_moduli(str(_moduli_file(workdir)))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port: int = self.sock.getsockname()[1]
        # What a client that enrolled this device trusts (paramiko's name for a non-22 port).
        self.known_hosts = workdir / f"replay_known_hosts_{self.port}"  # one per server: two may share a tmp
        self.known_hosts.write_text(
            f"[127.0.0.1]:{self.port} {self.host_key.get_name()} {self.host_key.get_base64()}\n"
        )
        self.auth_attempts: list[tuple[str, str, str]] = []  # (username, method, secret) as received
        self.transports: list[paramiko.Transport] = []
        self.logins = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        device.attach(self)

    def spawn(self, target: Callable[..., object], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def start(self) -> ReplayServer:
        self.spawn(self._accept)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.sock.close()
        self.drop_sessions()

    def drop_sessions(self) -> None:
        """What a reboot does to every open session."""
        for transport in list(self.transports):
            transport.close()
        self.transports.clear()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            transport = paramiko.Transport(conn)
            transport.add_server_key(self.host_key)
            self.transports.append(transport)
            try:
                transport.start_server(server=_Interface(self))
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()
                continue
            # Channels are served from the interface callbacks; accept() only drains the queue.
            self.spawn(self._drain, transport)

    def _drain(self, transport: paramiko.Transport) -> None:
        held = []  # a channel nobody holds is closed by the garbage collector before its shell request
        while transport.is_active():
            channel = transport.accept(timeout=1)
            if channel is not None:
                held.append(channel)

    def run_shell(self, channel: paramiko.Channel, username: str) -> None:
        self.logins += 1
        with self.device.lock:
            shell = self.device.shell(username)
            channel.sendall(_crlf(shell.greeting() + shell.prompt()))
        pending, line, last = "", "", ""
        try:
            while True:
                data = channel.recv(65536)
                if not data:
                    return
                out: list[str] = []  # echo and answers of one read, sent as one packet
                for char in data.decode(errors="replace"):
                    if char == "\n" and last == "\r":
                        last = char
                        continue
                    last = char
                    if char not in "\r\n":
                        if char.isprintable() or char == "\t":
                            line += char
                            out.append(char)  # a pty echoes what is typed
                        continue
                    out.append("\n")
                    text, line = pending + line, ""
                    if shell.continues(text):
                        pending = text + "\n"
                        continue
                    pending = ""
                    with self.device.lock:
                        output = shell.handle(text)
                        prompt = shell.prompt() if output is not None else ""
                    if output is None:
                        channel.sendall(_crlf("".join(out)))
                        channel.close()
                        return
                    out.append(output + prompt)
                channel.sendall(_crlf("".join(out)))
        except (OSError, EOFError):
            return

    def run_scp_sink(self, channel: paramiko.Channel, path: str) -> None:
        """Receive side of `scp -t`: one file, no directories, no times."""
        try:
            channel.sendall(b"\x00")
            header = b""
            while not header.endswith(b"\n"):
                header += channel.recv(1)
            _, size, _ = header.decode().split(" ", 2)
            channel.sendall(b"\x00")
            data = b""
            while len(data) < int(size) + 1:
                data += channel.recv(65536)
            with self.device.lock:
                error = self.device.receive_file(path, data[: int(size)])
            channel.sendall(b"\x00" if error is None else b"\x01" + error.encode() + b"\n")
            channel.send_exit_status(0 if error is None else 1)
        finally:
            channel.close()


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
