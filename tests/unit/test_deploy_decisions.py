"""The site transaction's decisions, device by device: what is committed, confirmed, rolled back, skipped
or failed, and the exit code. Scripted drivers stand in for the devices (the Catalyst/FortiGate replays in
tests/vendor/test_site_transaction.py run the same paths over SSH, 30 s a run); every expected result is
written out here by hand, never computed by wardnet.

Kept fast on purpose: `make mutation` runs these against every mutant of wardnet/deploy/site.py's decisions.
"""

from __future__ import annotations

import time
from typing import Any

import paramiko
import pytest
from napalm.base.exceptions import ConnectionException, ReplaceConfigException

from wardnet.deploy import run as deploy_run
from wardnet.deploy import site
from wardnet.deploy.device import DeviceResult, Options
from wardnet.deploy.targets import Target

COMMIT = Options(commit=True, confirm_timeout=120, settle=0.0)
PROBE = object()  # the NOC probe, handed through to the site checks untouched
REVERTED = "; the device reverted by itself after 120 s and is reachable again"


class Driver:
    """A device's NAPALM session as a script: each call is logged; a method given an exception raises it."""

    def __init__(self, name: str, log: list[tuple[str, str]], diff: str = "", **fail: Exception) -> None:
        self.name, self.log, self.diff, self.fail = name, log, diff, fail
        self.timeout = 60
        self.loaded = ""

    def _call(self, method: str) -> None:
        self.log.append((self.name, method))
        if method in self.fail:
            raise self.fail[method]

    def load_replace_candidate(self, config: str) -> None:
        self._call("load")
        self.loaded = config

    def compare_config(self) -> str:
        self._call("compare")
        return self.diff

    def discard_config(self) -> None:
        self._call("discard")

    def get_config(self, retrieve: str) -> dict[str, str]:
        assert retrieve == "running"
        self._call("get_config")
        return {"running": f"hostname {self.name}\nenable secret 9 $9$abc\n"}

    def commit_config(self, revert_in: int) -> None:
        assert revert_in == 120
        self._call("commit")

    def confirm_commit(self) -> None:
        self._call("confirm")

    def rollback(self) -> None:
        assert self.timeout == 10  # a rollback must not wait a whole session timeout
        self._call("rollback")

    def close(self) -> None:
        pass


def target(name: str, role: str) -> Target:
    return Target(name, "26743", role, "cisco_iosxe", "wardnet_ios", name, f"hostname {name}\n", "netops")


class Site:
    """Three devices of one site, with scripted drivers, site checks and backups."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, **drivers: dict[str, Any]) -> None:
        self.log: list[tuple[str, str]] = []
        self.checks: list[list[str]] = []  # what each site_checks call reports, in order
        self.check_calls: list[bool] = []
        self.check_args: list[tuple[list[str], Options, object, int]] = []
        self.backups: list[tuple[str, str]] = []
        self.targets = [target("fw1", "firewall"), target("as1", "access"), target("core1", "core")]
        self.drivers = {
            t.name: Driver(t.name, self.log, **drivers.get(t.name, {"diff": f"+ {t.name}"}))
            for t in self.targets
        }
        monkeypatch.setattr(site, "open_driver", self._open)
        monkeypatch.setattr(site, "site_checks", self._site_checks)
        self.waited: list[tuple[str, Options, bool]] = []  # (device, options, started after the test began)
        monkeypatch.setattr(site, "_await_revert", self._await_revert)
        self.began = time.monotonic()

    def _open(self, t: Target, timeout: int) -> Driver:
        assert timeout == 15  # a command slower than this means the change cut the session
        return self.drivers[t.name]

    def _await_revert(self, t: Target, options: Options, started: float) -> str:
        self.waited.append((t.name, options, started >= self.began))
        return REVERTED

    def _site_checks(
        self, devices: list[Any], options: Options, probe: object, workers: int, full: bool = True
    ):
        self.check_calls.append(full)
        self.check_args.append(([d.target.name for d in devices], options, probe, workers))
        return self.checks.pop(0) if self.checks else []

    def backup(self, t: Target, text: str) -> None:
        self.backups.append((t.name, text))

    def deploy(self, options: Options = COMMIT) -> list[tuple[str, bool, str, str, str]]:
        results = site.deploy_site(self.targets, options, self.backup, probe=PROBE, workers=1)
        assert {r.site for r in results} == {"26743"}
        # every site check sees the whole site, in commit order, with the run's options, probe and workers
        assert all(args == (["as1", "core1", "fw1"], options, PROBE, 1) for args in self.check_args)
        return [(r.name, r.changed, r.status, r.error, r.diff) for r in results]

    def calls(self, method: str) -> list[str]:
        return [name for name, called in self.log if called == method]


def test_devices_commit_farthest_from_the_noc_first() -> None:
    order = site.commit_order([target("aa", "firewall"), target("bb", "core"), target("zz", "access")])
    assert [t.name for t in order] == ["zz", "bb", "aa"]  # the role decides, not the name
    same = site.commit_order([target("as2", "access"), target("as1", "access"), target("x", "server")])
    assert [t.name for t in same] == ["as1", "as2", "x"]
    unknown = site.commit_order([target("a", "core"), target("z", "server"), target("m", "distribution")])
    assert [t.name for t in unknown] == ["m", "z", "a"]  # an unknown role sits with distribution, before core


def test_a_dry_run_reports_would_change_and_pushes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, core1={"diff": ""})
    assert s.deploy(Options(commit=False)) == [
        ("as1", True, "would-change", "", "+ as1"),
        ("core1", False, "unchanged", "", ""),
        ("fw1", True, "would-change", "", "+ fw1"),
    ]
    assert s.calls("discard") == ["core1", "as1", "fw1"]  # the unchanged one as soon as its diff is empty
    assert s.calls("commit") == [] and s.backups == [] and s.check_calls == []


def test_a_site_with_nothing_to_change_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, fw1={"diff": ""}, as1={"diff": ""}, core1={"diff": ""})
    assert [r[2] for r in s.deploy()] == ["unchanged", "unchanged", "unchanged"]
    assert s.calls("commit") == [] and s.check_calls == []


def test_every_device_committed_then_confirmed_after_the_site_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, core1={"diff": ""})
    assert s.deploy() == [
        ("as1", True, "committed", "", "+ as1"),
        ("core1", False, "unchanged", "", ""),
        ("fw1", True, "committed", "", "+ fw1"),
    ]
    assert s.calls("commit") == ["as1", "fw1"]
    assert s.calls("confirm") == ["as1", "fw1"]
    assert s.check_calls == [True]
    # The backup is taken before each commit, with the secret's hash redacted.
    assert s.backups == [
        ("as1", "hostname as1\nenable secret <secret>\n"),
        ("fw1", "hostname fw1\nenable secret <secret>\n"),
    ]
    assert s.log.index(("fw1", "get_config")) < s.log.index(("fw1", "commit"))


def test_a_device_that_cannot_be_read_skips_its_whole_site(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(
        monkeypatch,
        core1={"load": OSError("no route to host")},
        as1={"diff": "+ as1", "discard": OSError("session gone")},  # a failed discard changes nothing
    )
    why = "site transaction not started: core1 could not be prepared; nothing was pushed"
    assert s.deploy() == [
        ("as1", False, "skipped", why, "+ as1"),
        ("core1", False, "failed", "no route to host", ""),
        ("fw1", False, "skipped", why, "+ fw1"),
    ]
    assert s.calls("commit") == [] and s.calls("discard") == ["as1", "fw1"]


def test_every_device_that_cannot_be_prepared_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, as1={"load": OSError("x")}, fw1={"load": OSError("y")})
    why = "site transaction not started: as1, fw1 could not be prepared; nothing was pushed"
    assert s.deploy()[1] == ("core1", False, "skipped", why, "+ core1")


def test_an_unknown_host_key_is_refused_and_holds_the_site(monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = paramiko.SSHException("Server 'core1' not found in known_hosts")
    s = Site(monkeypatch, core1={"load": ConnectionException("cannot connect")})
    s.drivers["core1"].fail["load"].__cause__ = unknown
    refused = (
        "host key not enrolled (Server 'core1' not found in known_hosts); refused before any credential was "
        "sent: run `wardnet devices enroll` (or deploy with --accept-new)"
    )
    why = "site transaction not started: core1 could not be prepared; nothing was pushed"
    assert s.deploy() == [
        ("as1", False, "skipped", why, "+ as1"),
        ("core1", False, "refused", refused, ""),
        ("fw1", False, "skipped", why, "+ fw1"),
    ]


def test_a_dry_run_is_not_held_back_by_a_broken_device(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, core1={"load": OSError("timed out")})
    assert [r[:4] for r in s.deploy(Options(commit=False))] == [
        ("as1", True, "would-change", ""),
        ("core1", False, "failed", "timed out"),
        ("fw1", True, "would-change", ""),
    ]


def test_a_failed_site_check_rolls_back_every_committed_device(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch)
    s.checks = [["core1: trunk Gi1/0/48 down"], []]
    back = "site transaction failed: core1: trunk Gi1/0/48 down; rolled back; the site is back as it was"
    assert s.deploy() == [
        ("as1", False, "rolled-back", back, "+ as1"),
        ("core1", False, "rolled-back", back, "+ core1"),
        ("fw1", False, "rolled-back", back, "+ fw1"),
    ]
    assert s.calls("rollback") == ["fw1", "core1", "as1"]  # nearest the NOC first
    assert s.calls("confirm") == []
    assert s.check_calls == [True, False]  # then reachability only


def test_a_site_that_does_not_come_back_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, as1={"diff": ""}, core1={"diff": ""})
    s.checks = [["fw1: BGP peer down", "as1: trunk down"], ["fw1: unreachable", "as1: unreachable"]]
    error = (
        "site transaction failed: fw1: BGP peer down; as1: trunk down; rolled back; "
        "the site did NOT come back: fw1: unreachable; as1: unreachable"
    )
    assert s.deploy()[2] == ("fw1", False, "rolled-back", error, "+ fw1")


def test_a_refused_commit_stops_the_push_and_undoes_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(
        monkeypatch,
        core1={"diff": "+ core1", "commit": ReplaceConfigException("% Invalid input")},
        fw1={"diff": "+ fw1", "discard": OSError("session gone")},  # a failed discard changes nothing
    )
    problem = "core1 refused the commit: % Invalid input"
    assert s.deploy() == [
        ("as1", False, "rolled-back", f"site transaction failed: {problem}; rolled back; "
         "the site is back as it was", "+ as1"),
        ("core1", False, "rolled-back", f"not pushed: {problem}; the site is back as it was", "+ core1"),
        ("fw1", False, "rolled-back", f"not pushed: {problem}; the site is back as it was", "+ fw1"),
    ]  # fmt: skip
    assert s.calls("commit") == ["as1", "core1"]  # fw1 never pushed
    assert s.calls("rollback") == ["as1"]
    assert s.calls("discard") == ["fw1", "core1"]
    assert s.check_calls == [False]  # no site check after a failed push: reachability only


def test_a_commit_never_sent_fails_that_device_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, fw1={"diff": "+ fw1", "commit": ConnectionException("Socket is closed")})
    lost = "the commit was not sent, nothing changed: Socket is closed"
    back = f"site transaction failed: fw1: {lost}; rolled back; the site is back as it was"
    assert s.deploy() == [
        ("as1", False, "rolled-back", back, "+ as1"),
        ("core1", False, "rolled-back", back, "+ core1"),
        ("fw1", False, "failed", f"{lost}; the site transaction was rolled back; the site is back as it was",
         "+ fw1"),
    ]  # fmt: skip
    assert s.calls("rollback") == ["core1", "as1"]


def test_a_commit_that_cuts_its_session_waits_for_the_device_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, as1={"diff": ""}, fw1={"diff": "+ fw1", "commit": EOFError("")})
    cut = "fw1: the commit cut its session (EOFError)"
    assert s.deploy()[1:] == [
        ("core1", False, "rolled-back", f"site transaction failed: {cut}; rolled back; "
         "the site is back as it was", "+ core1"),
        ("fw1", False, "rolled-back", f"site transaction failed: {cut}; {REVERTED[2:]}; "
         "the site is back as it was", "+ fw1"),
    ]  # fmt: skip
    assert s.calls("rollback") == ["core1"]  # no rollback on the cut session: its timer reverts it
    assert s.waited == [("fw1", COMMIT, True)]


def test_a_rollback_that_fails_falls_back_to_the_device_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, as1={"diff": ""}, core1={"diff": "+ core1", "rollback": TimeoutError()})
    s.checks = [["fw1: firewall policy missing"], []]
    assert s.deploy()[1] == (
        "core1",
        False,
        "rolled-back",
        f"site transaction failed: fw1: firewall policy missing; {REVERTED[2:]}; the site is back as it was",
        "+ core1",
    )
    assert s.waited == [("core1", COMMIT, True)]


def test_a_backup_that_fails_stops_the_push_before_that_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, as1={"diff": ""}, core1={"diff": "+ core1", "get_config": OSError("disk full")})
    problem = "core1: backup of the running config failed (OSError)"
    assert [r[2:4] for r in s.deploy()] == [
        ("unchanged", ""),
        ("rolled-back", f"not pushed: {problem}; the site is back as it was"),
        ("rolled-back", f"not pushed: {problem}; the site is back as it was"),
    ]
    assert s.calls("commit") == []


def test_a_confirm_too_late_reports_the_device_reverted(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, fw1={"diff": "+ fw1", "confirm": ConnectionException("")})
    results = s.deploy()
    assert results[0][2] == "committed"
    assert results[2] == (
        "fw1",
        False,
        "rolled-back",
        "not confirmed within 120 s: the device reverted by itself",
        "+ fw1",
    )


def test_the_secret_in_a_failure_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, core1={"load": OSError("bad line: username netops secret Hunter2!")})
    s.targets[2] = Target(
        "core1", "26743", "core", "cisco_iosxe", "wardnet_ios", "core1", "x <<secret:enable>>", "netops",
        secrets={"enable": "Hunter2!"},
    )  # fmt: skip
    assert s.deploy()[1][3] == "bad line: username netops secret <<secret:enable>>"
    assert s.drivers["core1"].loaded == ""  # the load itself failed


def test_the_candidate_carries_the_secret_values(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Site(monkeypatch, core1={"diff": "+ secret Hunter2!"})
    s.targets[2] = Target(
        "core1", "26743", "core", "cisco_iosxe", "wardnet_ios", "core1", "x <<secret:enable>>\n", "netops",
        secrets={"enable": "Hunter2!"},
    )  # fmt: skip
    assert s.deploy(Options(commit=False))[1] == (
        "core1",
        True,
        "would-change",
        "",
        "+ secret <<secret:enable>>",
    )
    assert s.drivers["core1"].loaded == "x Hunter2!\n"
    assert s.drivers["as1"].loaded == "hostname as1\n"


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ([], 0),
        (["committed", "unchanged", "would-change"], 0),
        (["committed", "rolled-back"], 1),
        (["committed", "skipped"], 1),
        (["unchanged", "failed"], 1),
        (["unchanged", "refused"], 1),
        (["failed", "refused"], 2),
        (["failed"], 2),
        (["refused"], 2),
    ],
)
def test_the_exit_code(statuses: list[str], code: int) -> None:
    results = [DeviceResult(f"d{i}", "26743", False, status) for i, status in enumerate(statuses)]
    assert deploy_run.exit_code(results) == code
