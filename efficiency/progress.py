"""A minimal progress bar on stderr for long runs.

It appears only when stderr is a terminal, only after the run has lasted ``DELAY`` seconds (short runs
stay silent), and never when disabled by ``set_enabled(False)`` (the CLI's ``--quiet``) or by the
environment variable ``EFFICIENCY_PROGRESS=0``.
"""

from __future__ import annotations

import os
import sys
import time

DELAY = 2.0
_enabled = True


def set_enabled(flag: bool) -> None:
    """Turn progress bars on or off for this process."""
    global _enabled
    _enabled = bool(flag)


def _active(stream) -> bool:
    if not _enabled or os.environ.get("EFFICIENCY_PROGRESS", "1") == "0":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """``with Progress(total, "radial DEA") as bar: ... bar.advance(k)``."""

    def __init__(self, total: int, label: str, unit: str = "DMUs", stream=None):
        self.total, self.label, self.unit = total, label, unit
        self.stream = stream or sys.stderr
        self.active = _active(self.stream)
        self.done = 0
        self.start = time.perf_counter()
        self.shown = False

    def advance(self, k: int) -> None:
        self.done += k
        if not self.active:
            return
        elapsed = time.perf_counter() - self.start
        if elapsed < DELAY:
            return
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        width = 30
        filled = int(width * self.done / max(1, self.total))
        self.stream.write(f"\r{self.label}: [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                          f"{self.unit}, {rate:,.0f}/s, {left:,.0f} s left ")
        self.stream.flush()
        self.shown = True

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
