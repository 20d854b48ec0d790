"""The progress bar: silent off a terminal, on short runs and when disabled; drawn otherwise."""

from __future__ import annotations

import io

from efficiency import progress


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def _fresh(monkeypatch):
    """Other tests in the same worker may have run the CLI with --quiet (process-wide) or the
    benchmarks (which set EFFICIENCY_PROGRESS=0)."""
    monkeypatch.setattr(progress, "_enabled", True)
    monkeypatch.delenv("EFFICIENCY_PROGRESS", raising=False)


def test_bar_draws_on_a_terminal_after_the_delay(monkeypatch):
    _fresh(monkeypatch)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    out = FakeTTY()
    with progress.Progress(10, "radial DEA", stream=out) as bar:
        bar.advance(4)
        bar.advance(6)
    text = out.getvalue()
    assert "radial DEA" in text and "10/10 DMUs" in text and text.endswith("\n")


def test_bar_is_silent_off_a_terminal_on_short_runs_and_when_disabled(monkeypatch):
    _fresh(monkeypatch)
    plain = io.StringIO()
    with progress.Progress(10, "x", stream=plain) as bar:
        bar.advance(10)
    assert plain.getvalue() == ""
    short = FakeTTY()                                   # default delay: a short run draws nothing
    with progress.Progress(10, "x", stream=short) as bar:
        bar.advance(10)
    assert short.getvalue() == ""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    progress.set_enabled(False)
    try:
        off = FakeTTY()
        with progress.Progress(10, "x", stream=off) as bar:
            bar.advance(10)
        assert off.getvalue() == ""
    finally:
        progress.set_enabled(True)
    monkeypatch.setenv("EFFICIENCY_PROGRESS", "0")
    env = FakeTTY()
    with progress.Progress(10, "x", stream=env) as bar:
        bar.advance(10)
    assert env.getvalue() == ""
