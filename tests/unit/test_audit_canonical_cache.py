"""The canonical-intended cache saves the device an agent run per audit, and can never hide drift; with
nothing cached, one agent call answers both the running config and the canonical intended one."""

from __future__ import annotations

from pathlib import Path

import pytest

from wardnet.audit import collect
from wardnet.audit.collect import CanonicalCache, Collected, _canonical_intended
from wardnet.audit.compare import audit_device
from wardnet.deploy.targets import Target

INTENDED = "!== frr\nhostname a\n!== nftables\nflush ruleset\n!== ovs\nbridge br0\n"
CANONICAL = "! candidate configuration (frr platform)\n" + INTENDED.replace("flush ruleset\n", "")


class RecordingDriver:
    """Answers like the frr driver's candidate calls and records them (the agent's cost)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def load_replace_candidate(self, config: str) -> None:
        self.calls.append("load")

    def get_config(self, retrieve: str) -> dict[str, str]:
        self.calls.append(retrieve)
        return {"candidate": CANONICAL}

    def discard_config(self) -> None:
        self.calls.append("discard")


def target() -> Target:
    return Target("a", "26743", "access", "frr", "frr", "a", INTENDED, "u")


def test_a_matching_running_config_uses_the_cache(tmp_path: Path) -> None:
    cache = CanonicalCache(tmp_path)
    running = "! running configuration: a (frr platform)\n" + CANONICAL.split("\n", 1)[1]
    first = RecordingDriver()
    assert _canonical_intended(first, target(), running, cache) == CANONICAL
    assert first.calls == ["load", "candidate", "discard"]  # computed on the device once
    second = RecordingDriver()
    assert _canonical_intended(second, target(), running, cache) == CANONICAL
    assert second.calls == []  # then read from the cache


def test_drift_is_always_compared_with_a_fresh_canonical_form(tmp_path: Path) -> None:
    cache = CanonicalCache(tmp_path)
    cache.put(target(), CANONICAL.replace("bridge br0", "bridge br9"))  # stale or tampered entry
    driver = RecordingDriver()
    running = CANONICAL.replace("hostname a", "hostname b")
    assert _canonical_intended(driver, target(), running, cache) == CANONICAL
    assert driver.calls == ["load", "candidate", "discard"]
    assert cache.get(target()) == CANONICAL  # refreshed


def test_without_a_folder_nothing_is_cached() -> None:
    cache = CanonicalCache(None)
    cache.put(target(), CANONICAL)
    assert cache.get(target()) == ""


class FrrSession:
    """The frr driver as collect_device sees it: the device runs `running`; each agent call is recorded."""

    def __init__(self, running: str) -> None:
        self.running = running
        self.calls: list[str] = []

    def _running_and_canonical(self, config: str) -> tuple[str, str]:
        self.calls.append("running+canonical")
        assert config == INTENDED
        return self.running, CANONICAL

    def get_config(self, retrieve: str) -> dict[str, str]:
        self.calls.append(retrieve)
        return {"running": self.running, "candidate": CANONICAL}

    def load_replace_candidate(self, config: str) -> None:
        self.calls.append("load")

    def discard_config(self) -> None:
        self.calls.append("discard")

    def close(self) -> None:
        pass


RUNNING = "! running configuration: a (frr platform)\n" + CANONICAL.split("\n", 1)[1]


def _collect(monkeypatch: pytest.MonkeyPatch, session: FrrSession, cache: CanonicalCache) -> Collected:
    monkeypatch.setattr(collect, "open_driver", lambda target, timeout: session)
    return collect.collect_device(target(), cache)


def test_a_first_night_is_one_agent_call_and_the_next_night_a_show(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = CanonicalCache(tmp_path)
    first = FrrSession(RUNNING)
    item = _collect(monkeypatch, first, cache)
    assert (item.error, item.intended) == ("", CANONICAL)
    assert first.calls == ["running+canonical"]  # nothing cached: both answers from one agent run
    assert cache.get(target()) == CANONICAL
    nightly = FrrSession(RUNNING)
    item = _collect(monkeypatch, nightly, cache)
    assert (item.error, item.intended) == ("", CANONICAL)
    assert nightly.calls == ["running"]


@pytest.mark.parametrize("cached", [False, True], ids=["first-night", "nightly"])
@pytest.mark.parametrize(
    ("change", "feature"),
    [
        ("hostname a\n", "hostname a\nusername backdoor nopassword\n"),  # an FRR change
        ("bridge br0\n", "bridge br0\n port rogue1 tag=10\n"),  # an OVS port
    ],
)
def test_drift_is_found_on_the_first_night_and_every_night(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cached: bool, change: str, feature: str
) -> None:
    """Whichever path collect takes (one combined call, or the cached form), the device's own running
    config is what is compared: a change on the device is drift."""
    cache = CanonicalCache(tmp_path)
    if cached:
        _collect(monkeypatch, FrrSession(RUNNING), cache)
    session = FrrSession(RUNNING.replace(change, feature))
    item = _collect(monkeypatch, session, cache)
    assert item.error == ""
    audit = audit_device(
        "a", "26743", "frr", "access", intended=item.intended, running=item.running, rules=[]
    )
    lines = [d.running for d in audit.findings]
    assert audit.status == "drift" and feature.split("\n")[1].strip() in lines, lines
    if cached:  # the cached form did not match the running config: made afresh on the device
        assert session.calls == ["running", "load", "candidate", "discard"]
    else:
        assert session.calls == ["running+canonical"]
