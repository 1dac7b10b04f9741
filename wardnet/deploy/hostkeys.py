"""Known devices only: the SSH host keys wardnet trusts, and the Netmiko settings that enforce them.

The store is an OpenSSH known_hosts file in the backups' git repository (`<state>/backups/known_hosts`),
committed like the configs, so who enrolled which key when is `git log known_hosts`. Every driver loads it
with paramiko's RejectPolicy, through Netmiko's own options `ssh_strict=True` (RejectPolicy instead of
AutoAddPolicy), `alt_host_keys=True` and `alt_key_file=<store>` (Netmiko 4.8 BaseConnection parameters,
https://ktbyers.github.io/netmiko/docs/netmiko/index.html#netmiko.BaseConnection). paramiko's
SSHClient.connect checks the server's key right after key exchange, before any authentication request:
an unknown key raises SSHException (RejectPolicy), a changed one BadHostKeyException, so a device that is
not the one enrolled never receives the password or a key signature.

A key enters the store only by an explicit `wardnet devices enroll` or a deploy run given `--accept-new`
(then the run's results name the enrolled keys); a changed key is never overwritten by either.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko

STORE_NAME = "known_hosts"


def store_path(state_dir: Path) -> Path:
    return state_dir / "backups" / STORE_NAME


def netmiko_args(known_hosts: str | None) -> dict[str, Any]:
    """Netmiko connection arguments that refuse any host key not in `known_hosts`.

    Without a store the user's own ~/.ssh/known_hosts is the only one trusted (what `ssh` does with
    StrictHostKeyChecking yes); nothing is ever auto-added."""
    if known_hosts:
        return {
            "ssh_strict": True,
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": known_hosts,
        }
    return {"ssh_strict": True, "system_host_keys": True, "alt_host_keys": False}


def ssh_client(known_hosts: str | None, host: str | None = None, port: int = 22) -> paramiko.SSHClient:
    """A paramiko client with the same trust as `netmiko_args`: only the keys in `known_hosts` (without a
    store, the user's ~/.ssh/known_hosts), RejectPolicy for any other. For drivers that need no
    interactive shell (frr: one exec channel per command), which Netmiko would open and probe anyway.

    Given the `host` (and `port`) it will connect to, the client holds only the store's keys for that
    name, the name paramiko looks the server's key up by: the same answer (the key, a mismatch, or none,
    refused), without parsing every device's key again for each session (66 sessions each parsing a
    66-device store took ~0.6 s of the runner's CPU per audit). The parsed store is kept per content
    (`_parsed`): any change to the file, an enrolment, is read afresh."""
    client = paramiko.SSHClient()
    if known_hosts and host is not None:
        store = _parsed(known_hosts)  # None: a missing store trusts nothing, every key is refused
        name = _lookup_name(host, port)
        found = store.lookup(name) if store is not None else None
        for keytype, key in (found or {}).items():
            client.get_host_keys().add(name, keytype, key)
    elif known_hosts:
        if Path(known_hosts).is_file():  # a missing store trusts nothing: every key is refused
            client.load_host_keys(known_hosts)
    else:
        client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    return client


_PARSED: dict[str, tuple[bytes, paramiko.HostKeys]] = {}  # path → (sha256 of its content, parsed)
_PARSED_LOCK = threading.Lock()


def _parsed(known_hosts: str) -> paramiko.HostKeys | None:
    """The store as paramiko loads it (HostKeys.load: the same lines kept, the same first match), reused
    while its content is unchanged: its SHA-256 read before and after the load, compared in full."""
    path = Path(known_hosts)
    try:
        digest = hashlib.sha256(path.read_bytes()).digest()
        with _PARSED_LOCK:
            kept = _PARSED.get(known_hosts)
            if kept is not None and kept[0] == digest:
                return kept[1]
            keys = paramiko.HostKeys(known_hosts)
            if hashlib.sha256(path.read_bytes()).digest() != digest:  # rewritten meanwhile: not kept
                return keys
            _PARSED[known_hosts] = (digest, keys)
            return keys
    except OSError:
        return None


class ProxyCommand(paramiko.ProxyCommand):  # type: ignore[misc]  # paramiko has no type hints
    """paramiko's ProxyCommand (ssh_config's `ProxyCommand`, the lab's `ip netns exec NS nc %h %p`), closed
    the way a child process should be: paramiko's close only sends SIGTERM to the pid, never reaps it (a
    zombie per session until exit: paramiko issue #1713) and raises ProcessLookupError when that pid is
    already gone (the command exited with its device and was reaped; a second close: the transport's thread
    and Transport.close both close it), which showed as a traceback from `_join_lingering_threads` at
    interpreter exit. Here an exited command is only reaped, a running one is ended (SIGTERM, then SIGKILL
    after `GRACE_S`) and reaped, and a second close does nothing. The signal goes through Popen, which
    never signals a pid it has reaped (so never a process that reused it). Its stdin and stderr are closed
    (paramiko issue #1715); stdout is left to the garbage collector, as the transport's thread may still
    be reading it when another thread closes the session."""

    GRACE_S = 2.0

    def close(self) -> None:
        process = self.process
        if process.poll() is None:  # also the ECHILD case: reaped elsewhere → returncode 0, nothing sent
            process.terminate()  # a no-op if it exited meanwhile (Popen suppresses ProcessLookupError)
            try:
                process.wait(self.GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pipe in (process.stdin, process.stderr):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):  # stdin not flushed to a command that has exited
                    pipe.close()


def proxy_command(command_line: str) -> ProxyCommand:
    """The socket for an ssh_config `ProxyCommand` (already expanded: %h, %p)."""
    return ProxyCommand(command_line)


def _lookup_name(host: str, port: int) -> str:
    """The name paramiko looks a host up by in known_hosts."""
    return host if port == 22 else f"[{host}]:{port}"


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's form: SHA256:<base64 without padding>."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class Refusal:
    """Why a device's SSH session was refused before authentication."""

    kind: str  # mismatch (a security finding) | unknown (not enrolled)
    message: str


def refusal(exc: BaseException) -> Refusal | None:
    """The host-key refusal behind a connection error (drivers wrap paramiko's exception), or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, paramiko.BadHostKeyException):
            message = (
                f"SECURITY: host key mismatch for {current.hostname}: the device offered "
                f"{current.key.get_name()} {fingerprint(current.key)}, enrolled is "
                f"{current.expected_key.get_name()} {fingerprint(current.expected_key)}; refused before "
                "any credential was sent (a replaced device: check it, then re-enrol it by hand)"
            )
            return Refusal("mismatch", message)
        text = str(current)
        if isinstance(current, paramiko.SSHException) and "not found in known_hosts" in text:
            message = (
                f"host key not enrolled ({text}); refused before any credential was sent: "
                "run `wardnet devices enroll` (or deploy with --accept-new)"
            )
            return Refusal("unknown", message)
        current = current.__cause__ or current.__context__
    return None


def scan(
    host: str, port: int = 22, timeout: float = 10.0, sock: Any = None, prefer: tuple[str, ...] = ()
) -> paramiko.PKey:
    """The host key a device offers (of a `prefer` type first): key exchange only, no authentication."""
    channel = sock or socket.create_connection((host, port), timeout=timeout)
    transport = paramiko.Transport(channel)
    try:
        if prefer:  # as paramiko's SSHClient does: ask for the type already known
            options = transport.get_security_options()
            options.key_types = tuple(prefer) + tuple(t for t in options.key_types if t not in prefer)
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    finally:
        transport.close()


@dataclass(frozen=True)
class Enrolment:
    name: str
    entry: str  # the known_hosts name: address, or [address]:port
    status: str  # added | known | mismatch | unreachable
    detail: str


def _enroll_one(store: Path, name: str, host: str, port: int = 22, timeout: float = 10.0) -> Enrolment:
    """Record the key `host` offers if the store has none for it; a different key is reported, not kept."""
    entry = _lookup_name(host, port)
    keys = paramiko.HostKeys(str(store)) if store.exists() else paramiko.HostKeys()
    known = keys.lookup(entry)
    try:
        key = scan(host, port, timeout, prefer=tuple(known.keys()) if known else ())
    except Exception as exc:  # unreachable, not SSH: nothing enrolled
        return Enrolment(name, entry, "unreachable", f"{type(exc).__name__}: {exc}")
    if known:
        if known.get(key.get_name()) == key:
            return Enrolment(name, entry, "known", f"{key.get_name()} {fingerprint(key)}")
        enrolled = next(iter(known.values()))
        return Enrolment(
            name,
            entry,
            "mismatch",
            f"SECURITY: offers {key.get_name()} {fingerprint(key)}, enrolled is "
            f"{enrolled.get_name()} {fingerprint(enrolled)}; not changed",
        )
    store.parent.mkdir(parents=True, exist_ok=True)
    with store.open("a", encoding="ascii") as handle:
        handle.write(f"{entry} {key.get_name()} {key.get_base64()}\n")
    return Enrolment(name, entry, "added", f"{key.get_name()} {fingerprint(key)}")


def enroll(store: Path, devices: list[tuple[str, str, int]], why: str) -> list[Enrolment]:
    """Enrol (name, host, port) devices one by one, then commit the store in the backups' git."""
    from wardnet.deploy.backups import BackupStore

    done = [_enroll_one(store, name, host, port) for name, host, port in devices]
    added = [f"{e.name} {e.detail}" for e in done if e.status == "added"]
    if added:
        BackupStore(store.parent).commit(f"host keys enrolled ({why}): " + "; ".join(added))
    return done
