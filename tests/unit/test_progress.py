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
