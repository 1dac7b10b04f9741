"""Collect running configs concurrently (Nornir thread pool + NAPALM get_config).

For each device: the running config, and the intended config in the form the device itself would show it
(on a platform whose agent makes the candidate canonical, as frr's: nftables listed back by nft, OVS in
port order), so the compare sees only real differences. A device that cannot be reached or refuses the
login is kept as an error, never fatal to the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nornir.core.inventory import Host
from nornir.core.task import AggregatedResult, MultiResult, Result, Task

from wardnet import secrets
from wardnet.audit.normalise import normalise
from wardnet.deploy.device import open_driver
from wardnet.deploy.targets import Target
from wardnet.nornir_inventory import nornir_for
from wardnet.platforms import get_platform
from wardnet.progress import Tracker

SESSION_TIMEOUT_S = 20


@dataclass
class Collected:
    target: Target
    running: str = ""
    intended: str = ""
    defaults: str = ""  # FortiOS: `show full-configuration`, for the values `show` leaves out at default
    error: str = ""  # why the device was not audited
    checked: str = field(default="", repr=False)  # running as the rule pack reads it (values hidden)
    secret_values: dict[str, str] = field(default_factory=dict, repr=False)


def reason(exc: BaseException, step: str = "") -> str:
    """A short, operator-facing cause: unreachable, login refused, the session lost during `step` (the
    device was reached, then dropped or went silent), or the command that failed."""
    from wardnet.deploy.hostkeys import refusal

    refused = refusal(exc)
    if refused is not None:  # before "auth" below: this session never reached authentication
        return refused.message
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "Authentication" in name or "auth" in text.lower():
        return f"authentication failed ({name})"
    # ProxyCommandFailure: the ssh_config ProxyCommand (the lab's `nc`) died with the device's end.
    lost = isinstance(exc, (TimeoutError, ConnectionError, EOFError)) or name == "ProxyCommandFailure"
    if step and (lost or "Connection" in name):
        return f"session lost while {step} ({name}: {text[:200]})"
    # "connection refused" (nothing listens), not any "refused": a device refusing a command was reached.
    if (
        "Timeout" in name
        or "timed out" in text.lower()
        or "connection refused" in text.lower()
        or isinstance(exc, ConnectionRefusedError)
        or "ConnectionError" in name
    ):
        return f"unreachable ({name}: {text[:160]})"
    return f"{name}: {text[:200]}"


class CanonicalCache:
    """The frr platform's intended config in device-canonical form, by the hash of the intended text.

    Making it canonical costs the device an agent run (nft in throw-away namespaces, FRR's parser) per
    audit; the intended config changes rarely. With nothing cached, the frr driver reads the running config
    and makes the intended one canonical in one agent call (`_running_and_canonical`).
    A cached form is only trusted when the running config matches it: any difference is recomputed on
    the device, so a stale entry can cost time but never report false drift."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def _path(self, target: Target) -> Path | None:
        if self.root is None:
            return None
        digest = hashlib.sha256(f"{target.platform}\0{target.intended}".encode()).hexdigest()
        return self.root / f"{digest}.{target.platform}"

    def get(self, target: Target) -> str:
        path = self._path(target)
        return path.read_text() if path is not None and path.is_file() else ""

    def put(self, target: Target, text: str) -> None:
        path = self._path(target)
        if path is None:
            return
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(text)
            temporary.replace(path)  # atomic: concurrent workers never read half a file
        except OSError:  # a full state disk costs the next audit time, never this device's result
            temporary.unlink(missing_ok=True)


def _canonical_intended(driver: Any, target: Target, running: str, cache: CanonicalCache) -> str:
    cached = cache.get(target)
    if cached and normalise(target.platform, cached) == normalise(target.platform, running):
        return cached
    driver.load_replace_candidate(config=target.intended)  # masks only: nothing secret is sent
    candidate: str = driver.get_config(retrieve="candidate")["candidate"]
    driver.discard_config()
    cache.put(target, candidate)
    return candidate


def collect_device(target: Target, cache: CanonicalCache | None = None) -> Collected:
    item = Collected(target)
    driver = None
    step = ""  # once connected, what the session was doing: a drop mid-session is named by it
    try:
        # Secret values are needed only to mask them in what the device returns.
        with contextlib.suppress(secrets.MissingSecretError):
            _, item.secret_values = secrets.resolve(target.intended, target.secrets)
        driver = open_driver(target, timeout=SESSION_TIMEOUT_S)
        platform = get_platform(target.platform)
        cache = cache or CanonicalCache(None)
        canonical = ""  # the intended config made canonical by the device in this session
        # Nothing cached (a first night, a changed intended config): both from one agent call, where the
        # driver has one (frr's, outside NAPALM's interface).
        pair = getattr(driver, "_running_and_canonical", None)
        if platform.canonical_on_device and pair is not None and not cache.get(target):
            step = "reading the running config and making the intended config canonical on the device"
            # target.intended holds the secrets' placeholders, never their values: nothing secret is sent
            running, canonical = pair(target.intended)
            cache.put(target, canonical)
        else:
            step = "reading the running config"
            running = driver.get_config(retrieve="running")["running"]
        if platform.hidden_commands:  # what the running config hides (IOS-XE: SNMPv3 users)
            running += "\n" + platform.hidden_config(driver.cli(list(platform.hidden_commands)))
        item.running = secrets.redact(target.platform, secrets.mask(running, item.secret_values))
        item.checked = platform.rule_form(secrets.mask(running, item.secret_values))
        if platform.canonical_on_device:
            step = "making the intended config canonical on the device"
            item.intended = canonical or _canonical_intended(driver, target, item.running, cache)
        else:
            item.intended = target.intended
        if platform.reads_defaults:
            step = "reading the full config"
            full = driver.get_config(retrieve="running", full=True)["running"]
            item.defaults = secrets.redact(target.platform, secrets.mask(full, item.secret_values))
            # `show` hides values at their default: the rules judge every value the device applies.
            item.checked = platform.rule_form(secrets.mask(full, item.secret_values))
    except Exception as exc:  # one device's failure is its own
        item.error = secrets.mask(reason(exc, step), item.secret_values)
        item.running = ""
    finally:
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.close()
    return item


class _Progress:
    """Nornir processor: each collected device advances the bar."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def task_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None:
        value = result[0].result
        if isinstance(value, Collected):
            self.tracker.advance(f"{value.target.name} {'error' if value.error else 'ok'}")

    def task_started(self, task: Task) -> None: ...
    def task_completed(self, task: Task, result: AggregatedResult) -> None: ...
    def task_instance_started(self, task: Task, host: Host) -> None: ...
    def subtask_instance_started(self, task: Task, host: Host) -> None: ...
    def subtask_instance_completed(self, task: Task, host: Host, result: MultiResult) -> None: ...


def _task(task: Task, cache: CanonicalCache) -> Result:
    return Result(host=task.host, result=collect_device(task.host.data["target"], cache))


def collect(targets: list[Target], workers: int = 16, cache_dir: Path | None = None) -> list[Collected]:
    """Every target, in the given order; NAPALM sessions run in Nornir's thread pool."""
    with Tracker(len(targets), "collecting running configs") as tracker:
        nornir = nornir_for(targets, workers, [_Progress(tracker)])
        results = nornir.run(task=_task, cache=CanonicalCache(cache_dir), on_failed=True)
    out = []
    for target in targets:
        value = results[target.name][0].result
        if not isinstance(value, Collected):  # an exception escaped the task (a bug): still report it
            value = Collected(target, error=f"collection crashed: {results[target.name][0].exception}")
        out.append(value)
    return out
