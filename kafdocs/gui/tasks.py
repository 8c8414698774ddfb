"""One way to run work in the background and get its result back on the GUI thread.

Like Picard's ``run_task`` or Anki's ``QueryOp``: ``tasks.run(fn, on_done, on_error)``
runs ``fn`` on a pool thread; the callbacks run on the GUI thread through a queued
signal. A counter lets shutdown wait for what is still running.

Work that may hang on a server that never answers (signing in) runs ``detached``: on a
daemon thread the app does not wait for when it quits — a pool thread would keep the
process alive, since the pool waits for its threads when it is deleted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; emitting it from a pool thread queues the call."""

    done = Signal(object, object)  # result, error


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None, threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relays: set[_Relay] = set()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            owner: QObject | None = None, detached: bool = False) -> None:
        """``owner``: the object the callbacks act on; if it is deleted before the result
        arrives (a window closed meanwhile), the result is dropped. ``detached``: never
        waited for (see the module's docstring); ``wait`` does not count it."""
        relay = _Relay()
        self._relays.add(relay)

        def deliver(result: Any, error: BaseException | None) -> None:
            self._relays.discard(relay)
            relay.deleteLater()
            if owner is not None and not shiboken6.isValid(owner):
                return
            if error is not None:
                if on_error is not None:
                    on_error(error)
                else:
                    log.error("background task failed: %s", error)
            elif on_done is not None:
                on_done(result)

        relay.done.connect(deliver)

        def work() -> None:
            try:
                result, error = fn(), None
            except BaseException as exc:
                result, error = None, exc
            with suppress(RuntimeError):  # the app quit meanwhile (detached): nobody to tell
                relay.done.emit(result, error)

        if detached:
            threading.Thread(target=work, name="kafdocs-detached", daemon=True).start()
        else:
            self.pool.start(work)

    @property
    def active(self) -> int:
        return len(self._relays)

    def wait(self, msecs: int = 10_000) -> bool:
        return self.pool.waitForDone(msecs)
