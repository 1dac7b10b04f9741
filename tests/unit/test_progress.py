"""Progress bars only on an interactive terminal: CI logs and pipes stay machine-readable."""

from __future__ import annotations

import pytest

from wardnet import progress


def test_no_bar_in_ci(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CI", "true")
    assert list(progress.progress(iter([1, 2, 3]), 3, "x")) == [1, 2, 3]
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress, "interactive", lambda: True)
    assert list(progress.progress(iter([1, 2]), 2, "x")) == [1, 2]


def test_tracker_counts_from_threads_and_draws_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("CI", "true")
    with progress.Tracker(40, "deploy") as tracker, ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: tracker.advance(f"device-{n}"), range(40)))
    assert tracker.done == 40
    assert capsys.readouterr().err == ""

    monkeypatch.setattr(progress, "interactive", lambda: True)
    with progress.Tracker(2, "deploy") as tracker:
        assert tracker._bar is not None
        tracker.advance("a")
        tracker.advance("b")
    assert tracker._bar.finished
