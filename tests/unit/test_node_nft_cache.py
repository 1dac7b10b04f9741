"""The agent's cache of the running ruleset's canonical form: an unchanged listing is answered from it, any
other listing (one character changed), a damaged entry or another nft binary is made canonical afresh.

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
    monkeypatch.setattr(nft.shutil, "which", lambda name: str(other))
    assert nft.read_live(tmp_path) == CANONICAL
    assert len(device["made"]) == 2


def test_a_state_that_cannot_be_written_still_answers(device: dict[str, list[str]], tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "state"
    assert nft.read_live(missing) == CANONICAL
    assert nft.read_live(missing) == CANONICAL
    assert len(device["made"]) == 2  # nothing kept, nothing wrong
    assert not missing.exists()
