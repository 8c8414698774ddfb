"""A one-line progress display for the terminal, fed by transfer events."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from kafdocs.i18n import N_, _, decimal
from kafdocs.transfer import FINAL_EVENTS, JobEvent

_UNITS = (N_("{size} B"), N_("{size} KB"), N_("{size} MB"), N_("{size} GB"))


def human_size(n: float) -> str:
    """A size in the user's words: "1.5 MB", "1,5 Mo"."""
    for power, unit in enumerate(_UNITS):
        if abs(n) < 1000 or power == len(_UNITS) - 1:
            return _(unit).format(size=f"{n:.0f}" if power == 0 else decimal(n))
        n /= 1000
    raise AssertionError("unreachable")


class TerminalProgress:
    """Redraws at most 10 times a second; silent when stderr is not a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.totals: dict[int, int] = {}
        self.done: dict[int, int] = {}
        self.ended = 0
        self.started = time.monotonic()
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self, event: JobEvent) -> None:
        with self._lock:
            self.totals[event.job_id] = event.total
            if event.kind in ("progress", "retrying", "finished"):
                self.done[event.job_id] = event.done
            if event.kind in FINAL_EVENTS:
                self.ended += 1
            self._draw(force=event.kind != "progress" and event.kind != "queued")

    def _draw(self, force: bool) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < 0.1):
            return
        self._last = now
        total, done = sum(self.totals.values()), sum(self.done.values())
        share = done / total if total else (self.ended / max(1, len(self.totals)))
        bar = "#" * int(share * 24)
        rate = done / max(1e-6, now - self.started)
        line = f"\r[{bar:<24}] " + _(
            "{percent:>5} %  {ended}/{count} files  {done} / {total}  {rate}/s ").format(
            percent=decimal(share * 100), ended=self.ended, count=len(self.totals),
            done=human_size(done), total=human_size(total), rate=human_size(rate))
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
