"""A one-line progress display for the terminal, fed by transfer events."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from kafdocs.transfer import FINAL_EVENTS, JobEvent


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


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
        line = (f"\r[{bar:<24}] {share * 100:5.1f}%  {self.ended}/{len(self.totals)} files  "
                f"{human_size(done)} / {human_size(total)}  {human_size(rate)}/s ")
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
