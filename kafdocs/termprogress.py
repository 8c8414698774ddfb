"""A one-line progress display for the terminal, fed by transfer events."""

from __future__ import annotations

import re
import sys
import threading
import time
from typing import TextIO

from kafdocs.i18n import N_, _, decimal
from kafdocs.transfer import JobEvent, JobState, JobTable

_UNITS = (N_("{size} B"), N_("{size} KB"), N_("{size} MB"), N_("{size} GB"))

# Control characters (terminal escape sequences), bidirectional overrides (which make
# "fdp.exe" read "exe.pdf") and lone surrogates (which cannot be written at all).
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                         "\ud800-\udfff]")


def terminal_text(value: object) -> str:
    """Text from the server as it may reach a terminal: what could drive or garble it
    is shown escaped (``\\x1b``), never sent as is."""
    return _UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xff
                           else f"\\x{ord(m.group()):02x}", str(value))


def human_size(n: float) -> str:
    """A size in the user's words: "1.5 MB", "1,5 Mo"."""
    for power, unit in enumerate(_UNITS):
        if abs(n) < 1000 or power == len(_UNITS) - 1:
            return _(unit).format(size=f"{n:.0f}" if power == 0 else decimal(n))
        n /= 1000
    raise AssertionError("unreachable")


class TerminalProgress:
    """Redraws at most 10 times a second from the transfers' table; silent when stderr
    is not a terminal. Subscribe it to the transfers: events only say when to redraw."""

    def __init__(self, table: JobTable, stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self.table = table
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self, event: JobEvent) -> None:
        with self._lock:
            self._draw(force=False)

    def _draw(self, force: bool) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < 0.1):
            return
        self._last = now
        records = list(self.table)
        total = sum(r.total for r in records)
        done = sum(r.total if r.state is JobState.DONE else r.done for r in records)
        ended = sum(r.state.final for r in records)
        share = done / total if total else (ended / max(1, len(records)))
        bar = "#" * int(share * 24)
        rate = done / max(1e-6, now - self.started)
        line = f"\r[{bar:<24}] " + _(
            "{percent:>5} %  {ended}/{count} files  {done} / {total}  {rate}/s ").format(
            percent=decimal(share * 100), ended=ended, count=len(records),
            done=human_size(done), total=human_size(total), rate=human_size(rate))
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            with self._lock:
                self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()
