"""The agent's cache of the running ruleset's canonical form: an unchanged listing is answered from it, any
other listing (one character changed), a damaged entry or another nft binary is made canonical afresh.
A listing met while the same run made a candidate canonical (`audit`: a device running that candidate) is
answered from that run; any other listing is not.

The listing and the namespace round trip are replaced here (they need root and a device's ruleset): what
is under test is only which listing's answer `show` may reuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from wardnet.node import nft

LISTING = (
    "flush ruleset\ntable inet wardnet {\n\tchain input {\n\t\tip saddr { 10.65.52.0/23 } accept\n\t}\n}\n"
)
CANONICAL = (
    "flush ruleset\ntable inet wardnet {\n\tchain input {\n\t\tip saddr 10.65.52.0/23 accept\n\t}\n}\n"
)


@pytest.fixture
def device(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """`listing`: what `nft list ruleset` prints next; `made`: each text made canonical, in order."""
    seen: dict[str, list[str]] = {"listing": [LISTING], "made": []}

    def canonical(text: str) -> str:
        seen["made"].append(text)
        return text.replace("{ 10.65.52.0/23 }", "10.65.52.0/23")

    monkeypatch.setattr(nft, "_listing", lambda: seen["listing"][-1])
    monkeypatch.setattr(nft, "canonical", canonical)
    return seen


def test_an_unchanged_ruleset_is_answered_from_the_cache(
    device: dict[str, list[str]], tmp_path: Path
) -> None:
    assert nft.read_live(tmp_path) == CANONICAL
    assert nft.read_live(tmp_path) == CANONICAL
    assert device["made"] == [LISTING]  # once, not twice


def test_any_change_of_the_ruleset_is_made_canonical_afresh(
    device: dict[str, list[str]], tmp_path: Path
) -> None:
    assert nft.read_live(tmp_path) == CANONICAL
    drifted = LISTING.replace("accept", "drop")
    device["listing"].append(drifted)
    assert nft.read_live(tmp_path) == CANONICAL.replace("accept", "drop")
    device["listing"].append(LISTING.replace("10.65.52.0/23", "10.65.52.0/24"))  # one character
    assert "ip saddr { 10.65.52.0/24 } accept" in nft.read_live(tmp_path)
    assert len(device["made"]) == 3


def test_a_damaged_entry_is_recomputed(device: dict[str, list[str]], tmp_path: Path) -> None:
    (tmp_path / nft.CACHE_NAME).write_text('{"key": "half a fi')
    assert nft.read_live(tmp_path) == CANONICAL
    (tmp_path / nft.CACHE_NAME).write_text('["not", "an", "entry"]')
    assert nft.read_live(tmp_path) == CANONICAL
    assert len(device["made"]) == 2


def test_another_nft_binary_misses_the_cache(
    device: dict[str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert nft.read_live(tmp_path) == CANONICAL
    other = tmp_path / "bin" / "nft"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")
    monkeypatch.setattr(nft, "_which", lambda name: str(other))
    assert nft.read_live(tmp_path) == CANONICAL
    assert len(device["made"]) == 2


def test_a_state_that_cannot_be_written_still_answers(device: dict[str, list[str]], tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "state"
    assert nft.read_live(missing) == CANONICAL
    assert nft.read_live(missing) == CANONICAL
    assert len(device["made"]) == 2  # nothing kept, nothing wrong
    assert not missing.exists()


def test_a_listing_met_by_the_same_run_is_not_made_again(
    device: dict[str, list[str]], tmp_path: Path
) -> None:
    assert nft.read_live(tmp_path, known={LISTING: CANONICAL}) == CANONICAL
    assert device["made"] == []
    assert nft.read_live(tmp_path) == CANONICAL  # and kept for the next night
    assert device["made"] == []


def test_a_listing_the_run_did_not_meet_is_made_canonical(
    device: dict[str, list[str]], tmp_path: Path
) -> None:
    """The device runs another ruleset than the candidate's (drift): its own listing is made canonical."""
    drifted = LISTING.replace("\t\t", "\t\tip saddr 192.0.2.66 accept\n\t\t", 1)
    device["listing"].append(drifted)
    known = {LISTING: CANONICAL, CANONICAL: CANONICAL}
    assert "ip saddr 192.0.2.66 accept" in nft.read_live(tmp_path, known=known)
    assert device["made"] == [drifted]


def test_canonical_maps_each_text_it_met_to_the_form_they_settle_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """section → LISTING (first load) → CANONICAL (loaded again) → CANONICAL: each of the three settles on
    CANONICAL, so each is recorded with it; the round trips are nft's only (replaced here)."""
    section = "table inet wardnet {\n}\n"
    monkeypatch.setattr(nft, "_round_trip", lambda text: {nft.FLUSH + section: LISTING}.get(text, CANONICAL))
    listed: dict[str, str] = {}
    assert nft.canonical(section, listed) == CANONICAL
    assert listed == {nft.FLUSH + section: CANONICAL, LISTING: CANONICAL, CANONICAL: CANONICAL}
