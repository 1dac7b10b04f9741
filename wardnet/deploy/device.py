"""One device: load the intended config, diff, and (with --commit) back up, commit with a revert timer,
post-check, then confirm or roll back. Never raises: every outcome is a DeviceResult."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import napalm
from napalm.base.exceptions import (
    CommitConfirmException,
    ConnectionException,
    MergeConfigException,
    ReplaceConfigException,
)

from wardnet import secrets
from wardnet.deploy import hostkeys
from wardnet.deploy.targets import Target
from wardnet.platforms import get_platform

NEIGHBOR_WAIT_S = 45.0
ROLLBACK_TIMEOUT_S = 10
SETTLE_S = 2.0  # FRR hands changes to the kernel asynchronously: check what has settled
SESSION_TIMEOUT_S = 15  # a command that takes longer means the change cut the session
REVERT_GRACE_S = 30  # how long after its revert timer a device may take to apply its previous config
# Raised by a driver's checks before the device changed anything: fail at once, no revert to wait for.
REFUSED = (ReplaceConfigException, MergeConfigException, CommitConfirmException)
# Raised by commit_config when the session was already lost: the commit never reached the device.
NOT_SENT = ConnectionException


@dataclass(frozen=True)
class Options:
    commit: bool = False
    confirm_timeout: int = 120
    neighbor_wait: float = NEIGHBOR_WAIT_S
    settle: float = SETTLE_S
    per_device: bool = False  # confirm each device on its own checks (default: a site is one transaction)


@dataclass
class DeviceResult:
    name: str
    site: str
    changed: bool
    status: str  # unchanged | would-change | committed | rolled-back | failed | refused | skipped
    error: str = ""
    diff: str = ""
    enrolled: str = ""  # the host key this run enrolled on first contact (--accept-new)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "site": self.site,
            "changed": self.changed,
            "status": self.status,
            "error": self.error,
            "diff": self.diff,
            "enrolled": self.enrolled,
        }


def open_driver(target: Target, timeout: int = 30) -> Any:
    driver = napalm.get_network_driver(target.driver)(
        target.host, target.username, target.password, timeout=timeout, optional_args=target.optional_args
    )
    driver.open()
    return driver


def deploy_device(target: Target, options: Options, backup: Callable[[Target, str], object]) -> DeviceResult:
    used: dict[str, str] = {}
    driver = None
    try:
        intended, used = secrets.resolve(target.intended, target.secrets)
        driver = open_driver(target, timeout=SESSION_TIMEOUT_S)
        driver.load_replace_candidate(config=intended)
        diff = secrets.mask(driver.compare_config(), used)
        if not diff:
            driver.discard_config()
            return DeviceResult(target.name, target.site, False, "unchanged")
        if not options.commit:
            driver.discard_config()
            return DeviceResult(target.name, target.site, True, "would-change", diff=diff)
        running = driver.get_config(retrieve="running")["running"]
        backup(target, secrets.redact(target.platform, secrets.mask(running, used)))
        started = time.monotonic()
        try:
            driver.commit_config(revert_in=options.confirm_timeout)
        except REFUSED as exc:  # checked before anything changed (IOS: archive, timer range): no wait
            error = f"the device refused the commit, nothing changed: {exc}"
            return DeviceResult(target.name, target.site, False, "failed", secrets.mask(error, used), diff)
        except NOT_SENT as exc:  # the session dropped or went silent before the commit: no timer to await
            error = f"the commit was not sent, nothing changed: {exc}"
            return DeviceResult(target.name, target.site, False, "failed", secrets.mask(error, used), diff)
        except Exception as exc:  # the session died during the change: the device's timer reverts it,
            # or, on a FortiGate cluster (no device timer: see plugins/napalm_fortinet), the driver itself
            how = (
                _await_revert(target, options, started)
                if getattr(driver, "device_timer", True)
                else _roll_back(target, driver, options, started)
            )
            return DeviceResult(
                target.name,
                target.site,
                False,
                "rolled-back",
                secrets.mask(f"commit cut the session ({describe(exc)}){how}", used),
                diff,
            )
        try:
            problems = post_checks(target, driver, options)
        except Exception as exc:  # the session dropped after the commit: roll back, or the timer does
            problems = [f"session lost during the post-checks ({describe(exc)})"]
        if problems:
            how = _roll_back(target, driver, options, started)
            return DeviceResult(
                target.name, target.site, False, "rolled-back", "; ".join(problems) + how, diff
            )
        try:
            driver.confirm_commit()
        except Exception:  # nothing left to confirm: the timer fired first and the device is back as it was
            error = f"not confirmed within {options.confirm_timeout} s: the device reverted by itself"
            return DeviceResult(target.name, target.site, False, "rolled-back", error, diff)
        return DeviceResult(target.name, target.site, True, "committed", diff=diff)
    except Exception as exc:  # a device's failure is its own; the run goes on
        refused = hostkeys.refusal(exc)
        if refused is not None:  # its host key is not the enrolled one: no credential was sent
            return DeviceResult(target.name, target.site, False, "refused", refused.message)
        error = str(exc) or describe(exc)  # a bare timeout has no message: name it
        return DeviceResult(target.name, target.site, False, "failed", secrets.mask(error, used))
    finally:
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.close()


def describe(exc: BaseException) -> str:
    """The exception's type and message: a timeout or a reset often carries no message of its own."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def post_checks(target: Target, driver: Any, options: Options) -> list[str]:
    problems = []
    time.sleep(options.settle)
    try:  # a new session: the one we hold proves nothing about reachability
        fresh = open_driver(target, timeout=15)
        try:
            if fresh.get_facts()["hostname"] != target.name:
                problems.append("management answers with another hostname")
        finally:
            fresh.close()
    except Exception as exc:
        return [f"management unreachable after commit ({type(exc).__name__})"]
    platform = get_platform(target.platform)
    return problems + platform.post_checks(driver, target.role, target.bgp_neighbors, options.neighbor_wait)


def _roll_back(target: Target, driver: Any, options: Options, started: float) -> str:
    try:
        driver.timeout = ROLLBACK_TIMEOUT_S
        driver.rollback()
        return "; rolled back"
    except Exception as exc:
        if not getattr(driver, "device_timer", True):  # a cluster: no timer to wait for, say so at once
            return f"; ROLLBACK FAILED, the change stays applied: restore the backup ({exc})"
    return _await_revert(target, options, started)


def revert_after(target: Target, confirm_timeout: int) -> int:
    """When the device's own timer fires (IOS-XE counts whole minutes: see the platform)."""
    return get_platform(target.platform).revert_after(confirm_timeout)


def _await_revert(target: Target, options: Options, started: float) -> str:
    """The device's own timer reverts an unconfirmed commit: wait for it, then verify it is reachable.

    Applying the previous config takes the device a few seconds after its timer fires (longer for a
    larger config), so reachability is retried until REVERT_GRACE_S past the timer, not tried once.
    """
    fires = started + revert_after(target, options.confirm_timeout)
    time.sleep(max(0.0, fires + 2 - time.monotonic()))
    while True:
        try:
            fresh = open_driver(target, timeout=15)
            fresh.close()
            return f"; the device reverted by itself after {options.confirm_timeout} s and is reachable again"
        except Exception as exc:
            if time.monotonic() > fires + REVERT_GRACE_S:
                return f"; the device did not come back after its revert timer ({type(exc).__name__})"
            time.sleep(2)
