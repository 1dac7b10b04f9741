"""Concurrent TCP sessions, run inside a lab namespace (`ip netns exec NS python3 tcpload.py ...`): standard
library only, no wardnet import (like probe.py). Bounded in count and in time: it stops by itself.

  tcpload.py serve SECONDS ADDR:PORT[,ADDR:PORT...]
      echo servers (one line back per line) on each address and port; prints "ready" once all are bound and
      exits after SECONDS, whatever happens.
  tcpload.py hold
      reads {"sessions": [[src, dst, port], ...], "connect_s": C, "hold_s": H} (JSON) on stdin; opens every
      session (bound to its source address) and checks one echo on each, prints {"established": ...} (one
      JSON line), keeps them open until a line "release" arrives on stdin or H seconds pass, checks one more
      echo on each (still held?), closes them all and prints {"held": ...}. Exits by C + H + GRACE_S at the
      latest.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
from typing import Any

MAX_SESSIONS = 100_000  # per process: what one namespace's client may open
MAX_SECONDS = 600.0
IN_FLIGHT = 256  # handshakes at once: a burst of SYNs the listeners' backlog (4096) always absorbs
ECHO_S = 5.0
GRACE_S = 15.0
BACKLOG = 4096


def _more_files() -> None:
    """Every session is a descriptor: raise the soft limit to the hard one."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while line := await reader.readline():
            writer.write(line)
            await writer.drain()
    writer.close()


async def serve(seconds: float, places: list[tuple[str, int]]) -> None:
    servers = [await asyncio.start_server(_echo, host, port, backlog=BACKLOG) for host, port in places]
    print("ready", flush=True)
    await asyncio.sleep(min(seconds, MAX_SECONDS))
    for server in servers:
        server.close()


Session = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _check(session: Session, token: bytes) -> None:
    reader, writer = session
    writer.write(token)
    await writer.drain()
    if await asyncio.wait_for(reader.readline(), ECHO_S) != token:
        raise ConnectionError("no echo")


async def _open(src: str, dst: str, port: int, gate: asyncio.Semaphore) -> tuple[Session | str, float]:
    started = time.monotonic()
    async with gate:
        try:
            session = await asyncio.open_connection(dst, port, local_addr=(src, 0))
            await _check(session, b"hello\n")
        except (OSError, TimeoutError, ConnectionError) as exc:
            return type(exc).__name__, 0.0
    return session, (time.monotonic() - started) * 1000


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _release(hold_s: float) -> None:
    """Until the caller's "release" line (or EOF) on stdin, or hold_s."""
    loop = asyncio.get_running_loop()
    released = loop.create_future()
    loop.add_reader(sys.stdin.fileno(), _settle, released)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(released, hold_s)
    finally:
        loop.remove_reader(sys.stdin.fileno())


def _errors(outcomes: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in outcomes:
        counts[name] = counts.get(name, 0) + 1
    return counts


async def hold(plan: dict[str, Any]) -> None:
    todo = [(str(s), str(d), int(p)) for s, d, p in plan["sessions"]][:MAX_SESSIONS]
    connect_s = min(float(plan["connect_s"]), MAX_SECONDS)
    hold_s = min(float(plan["hold_s"]), MAX_SECONDS)
    gate = asyncio.Semaphore(IN_FLIGHT)
    started = time.monotonic()
    tasks = [asyncio.ensure_future(_open(s, d, p, gate)) for s, d, p in todo]
    done, late = await asyncio.wait(tasks, timeout=connect_s) if tasks else (set(), set())
    for task in late:
        task.cancel()
    results = [t.result() if t in done else ("TimeoutError", 0.0) for t in tasks]
    sessions: list[tuple[int, Session]] = [
        (i, r) for i, (r, _) in enumerate(results) if not isinstance(r, str)
    ]
    line = {
        "planned": len(todo),
        "established": len(sessions),
        "seconds": round(time.monotonic() - started, 3),
        "errors": _errors([r for r, _ in results if isinstance(r, str)]),
        "connect_ms": sorted(round(ms, 2) for r, ms in results if not isinstance(r, str)),
    }
    print(json.dumps({"established": line}), flush=True)
    await _release(hold_s)
    checks = await asyncio.gather(*(_check(s, b"still\n") for _, s in sessions), return_exceptions=True)
    held = {i for (i, _), c in zip(sessions, checks, strict=True) if c is None}
    for _, (_, writer) in sessions:
        writer.close()
    sources = {s for s, _, _ in todo}
    lost = {todo[i][0] for i in range(len(todo)) if i not in held}
    line = {"sessions": len(held), "sources": len(sources), "sources_held": len(sources - lost)}
    print(json.dumps({"held": line}), flush=True)


def main(argv: list[str]) -> int:
    _more_files()
    if argv[:1] == ["serve"] and len(argv) == 3:
        places = [(a.rsplit(":", 1)[0], int(a.rsplit(":", 1)[1])) for a in argv[2].split(",") if a]
        asyncio.run(serve(float(argv[1]), places))
        return 0
    if argv[:1] == ["hold"]:
        plan = json.loads(sys.stdin.readline())
        limit = min(float(plan["connect_s"]) + float(plan["hold_s"]), 2 * MAX_SECONDS) + GRACE_S
        asyncio.run(asyncio.wait_for(hold(plan), limit))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
