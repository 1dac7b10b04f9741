"""A site as one transaction: push every device under its revert timer, verify the whole site, then confirm
all or roll back all. Never raises: every device ends with a DeviceResult.

Why not device by device: a core confirms as soon as its own management answers, even when its new trunk
config has just cut off the access switches behind it. Here nothing is confirmed until every device of the
site answers from the NOC side and the site's routing, trunks and firewall policy hold.

Order: devices are committed farthest from the NOC first (access, then distribution/core, then the firewall,
the site's edge towards the city core and the NOC). A commit can only cut the management path of devices
behind the one changed; those were pushed already, so no push depends on a path an earlier push of this
transaction may have broken. The timers run from each device's own commit; the earliest one bounds the
verification, so the site is verified within `confirm_timeout` of its first commit.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from wardnet import secrets
from wardnet.deploy import hostkeys
from wardnet.deploy.device import (
    NOT_SENT,
    REFUSED,
    SESSION_TIMEOUT_S,
    DeviceResult,
    Options,
    _await_revert,
    describe,
    open_driver,
)
from wardnet.deploy.targets import Target
from wardnet.platforms import get_platform

ROLE_ORDER = {"access": 0, "distribution": 1, "core": 2, "firewall": 3}  # farthest from the NOC first
# Management reachable from the NOC side, beyond a fresh SSH session: a problem, or None.
NocProbe = Callable[[Target], "str | None"]


@dataclass
class _Device:
    target: Target
    driver: Any = None
    used: dict[str, str] = field(default_factory=dict)
    diff: str = ""
    result: DeviceResult | None = None  # decided before the site's outcome (unchanged, failed, refused)
    committed: bool = False
    cut: bool = False  # the commit killed the session: only the device's own timer can revert it
    lost: str = ""  # the session was lost before its commit was sent: the device failed, unchanged
    started: float = 0.0

    def close(self) -> None:
        if self.driver is not None:
            with contextlib.suppress(Exception):
                self.driver.close()
            self.driver = None


def commit_order(targets: list[Target]) -> list[Target]:
    return sorted(targets, key=lambda t: (ROLE_ORDER.get(t.role, 1), t.name))


def deploy_site(
    targets: list[Target],
    options: Options,
    backup: Callable[[Target, str], object],
    probe: NocProbe | None = None,
    workers: int = 8,
) -> list[DeviceResult]:
    devices = [_Device(t) for t in commit_order(targets)]
    try:
        with ThreadPoolExecutor(max(1, workers)) as pool:
            list(pool.map(_prepare, devices))
        return _transaction(devices, options, backup, probe, workers)
    finally:
        for device in devices:
            device.close()


def _prepare(device: _Device) -> None:
    """Open, load, diff: what the device would change. A device that cannot be read decides its result."""
    target = device.target
    try:
        intended, device.used = secrets.resolve(target.intended, target.secrets)
        device.driver = open_driver(target, timeout=SESSION_TIMEOUT_S)
        device.driver.load_replace_candidate(config=intended)
        device.diff = secrets.mask(device.driver.compare_config(), device.used)
        if not device.diff:
            device.driver.discard_config()
            device.result = DeviceResult(target.name, target.site, False, "unchanged")
    except Exception as exc:
        refused = hostkeys.refusal(exc)
        if refused is not None:
            device.result = DeviceResult(target.name, target.site, False, "refused", refused.message)
        else:
            error = secrets.mask(str(exc), device.used)
            device.result = DeviceResult(target.name, target.site, False, "failed", error)


def _transaction(
    devices: list[_Device],
    options: Options,
    backup: Callable[[Target, str], object],
    probe: NocProbe | None,
    workers: int,
) -> list[DeviceResult]:
    changed = [d for d in devices if d.result is None]
    broken = [d for d in devices if d.result is not None and d.result.status in ("failed", "refused")]
    if not changed:
        return [_final(d) for d in devices]
    if not options.commit or broken:
        why = ""
        if options.commit:  # all or nothing: a site transaction needs every device of the site
            names = ", ".join(d.target.name for d in broken)
            why = f"site transaction not started: {names} could not be prepared; nothing was pushed"
        for d in changed:
            with contextlib.suppress(Exception):
                d.driver.discard_config()
            status = "skipped" if options.commit else "would-change"
            d.result = DeviceResult(d.target.name, d.target.site, not why, status, why, d.diff)
        return [_final(d) for d in devices]

    problem = _commit_all(changed, options, backup)
    if not problem:
        problems = site_checks(devices, options, probe, workers)
        problem = "; ".join(problems)
    if not problem:
        return _confirm_all(devices, changed, options)
    return _roll_back_all(devices, changed, options, problem, probe=probe, workers=workers)


def _commit_all(changed: list[_Device], options: Options, backup: Callable[[Target, str], object]) -> str:
    """Commit in order; the first failure stops the push and names the device."""
    for d in changed:
        target = d.target
        try:
            running = d.driver.get_config(retrieve="running")["running"]
            backup(target, secrets.redact(target.platform, secrets.mask(running, d.used)))
        except Exception as exc:
            return f"{target.name}: backup of the running config failed ({type(exc).__name__})"
        d.started = time.monotonic()
        try:
            d.driver.commit_config(revert_in=options.confirm_timeout)
            d.committed = True
        except REFUSED as exc:  # checked before anything changed on that device
            return f"{target.name} refused the commit: {secrets.mask(str(exc), d.used)}"
        except NOT_SENT as exc:  # the session was lost before the commit: that device is unchanged
            d.lost = f"the commit was not sent, nothing changed: {secrets.mask(str(exc), d.used)}"
            return f"{target.name}: {d.lost}"
        except Exception as exc:  # the change cut the session: the device's timer reverts it
            d.committed, d.cut = True, True
            return f"{target.name}: the commit cut its session ({secrets.mask(describe(exc), d.used)})"
    return ""


def site_checks(
    devices: list[_Device], options: Options, probe: NocProbe | None, workers: int, full: bool = True
) -> list[str]:
    """Every device of the site, changed or not: its platform's post-checks (BGP neighbours, firewall
    ruleset) and site checks (default route, trunks up with the designed VLANs), then reachable from the NOC
    (a fresh session answering with its hostname, and the probe). `full=False`: reachability only."""
    time.sleep(options.settle)

    def one(d: _Device) -> list[str]:
        target = d.target
        found = []
        try:
            fresh = open_driver(target, timeout=15)
            try:
                if fresh.get_facts()["hostname"] != target.name:
                    found.append("management answers with another hostname")
                if full:
                    session = d.driver or fresh
                    platform = get_platform(target.platform)
                    wait = options.neighbor_wait
                    found += platform.post_checks(session, target.role, target.bgp_neighbors, wait)
                    found += platform.site_checks(session, target.role, target.intended, wait)
            finally:
                fresh.close()
        except Exception as exc:
            found.append(f"management unreachable ({type(exc).__name__})")
        if probe is not None:
            seen = probe(target)
            if seen:
                found.append(seen)
        return [f"{target.name}: {p}" for p in found]

    with ThreadPoolExecutor(max(1, workers)) as pool:
        return [p for found in pool.map(one, devices) for p in found]


def _confirm_all(devices: list[_Device], changed: list[_Device], options: Options) -> list[DeviceResult]:
    for d in changed:
        target = d.target
        try:
            d.driver.confirm_commit()
            d.result = DeviceResult(target.name, target.site, True, "committed", diff=d.diff)
        except Exception:  # the timer fired first: the device is back as it was
            error = f"not confirmed within {options.confirm_timeout} s: the device reverted by itself"
            d.result = DeviceResult(target.name, target.site, False, "rolled-back", error, d.diff)
    return [_final(d) for d in devices]


def _roll_back_all(
    devices: list[_Device],
    changed: list[_Device],
    options: Options,
    problem: str,
    *,
    probe: NocProbe | None,
    workers: int,
) -> list[DeviceResult]:
    """Undo every committed device (its own session, else its timer), then verify the site came back."""
    for d in reversed(changed):  # nearest the NOC first: it restores the path to the others
        target = d.target
        if not d.committed:
            with contextlib.suppress(Exception):
                d.driver.discard_config()
            if d.lost:  # the device that stopped the transaction: its own failure, then the site's fate
                error = f"{d.lost}; the site transaction was rolled back"
                d.result = DeviceResult(target.name, target.site, False, "failed", error, d.diff)
                continue
            error = f"not pushed: {problem}"
            d.result = DeviceResult(target.name, target.site, False, "rolled-back", error, d.diff)
            continue
        how = ""
        if not d.cut:
            try:
                d.driver.timeout = 10
                d.driver.rollback()
                how = "rolled back"
            except Exception:
                how = ""
        if not how:
            how = _await_revert(target, options, d.started).lstrip("; ")
        error = f"site transaction failed: {problem}; {how}"
        d.result = DeviceResult(target.name, target.site, False, "rolled-back", error, d.diff)
    for d in devices:  # sessions may have been cut: verify on fresh ones
        d.close()
    back = site_checks(devices, options, probe, workers, full=False)
    verdict = "the site is back as it was" if not back else "the site did NOT come back: " + "; ".join(back)
    for d in changed:
        assert d.result is not None
        d.result.error += f"; {verdict}"
    return [_final(d) for d in devices]


def _final(device: _Device) -> DeviceResult:
    assert device.result is not None
    return device.result
