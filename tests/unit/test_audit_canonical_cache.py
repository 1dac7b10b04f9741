"""The canonical-intended cache saves the device two agent calls per audit, and can never hide drift."""

from __future__ import annotations

from pathlib import Path

from wardnet.audit.collect import CanonicalCache, _canonical_intended
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
