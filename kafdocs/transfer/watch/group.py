"""The watched folders of one app, on one queue: started, changed and stopped as asked.

The app keeps its list of watched folders in its settings and hands the enabled ones
here whenever the list changes; each runs a ``Watcher`` on the app's transfer queue,
so what they file appears among the app's transfers.
"""

from __future__ import annotations

import logging
import threading

from kafdocs.api import Client, KafdocsError
from kafdocs.transfer.engine import TransferQueue

from .chain import WatchSettings
from .watcher import Watcher, WatchListener

log = logging.getLogger(__name__)


class WatchGroup:
    def __init__(self, client: Client, queue: TransferQueue, listener: WatchListener) -> None:
        self.client = client
        self.queue = queue
        self.listener = listener
        self._watchers: dict[WatchSettings, Watcher] = {}
        self._lock = threading.Lock()

    def apply(self, wanted: list[WatchSettings]) -> dict[str, str]:
        """Watch exactly ``wanted``; returns why a folder could not be watched, by folder."""
        problems: dict[str, str] = {}
        with self._lock:
            _stop_all([self._watchers.pop(s) for s in list(self._watchers) if s not in wanted])
            for settings in wanted:
                if settings in self._watchers:
                    continue
                watcher = Watcher(self.client, self.queue, settings, self.listener)
                try:
                    self._watchers[settings] = watcher.start()
                except (KafdocsError, OSError) as exc:
                    log.info("cannot watch %s: %s", settings.directory, exc)
                    problems[str(settings.directory)] = str(exc)
        return problems

    @property
    def watching(self) -> list[WatchSettings]:
        with self._lock:
            return list(self._watchers)

    def stop(self, timeout: float = 8.0) -> None:
        """Stop every watcher; uploads still running are finished or rolled back."""
        with self._lock:
            watchers, self._watchers = list(self._watchers.values()), {}
        _stop_all(watchers, timeout)


def _stop_all(watchers: list[Watcher], timeout: float = 8.0) -> None:
    """Side by side, so that stopping several takes no longer than stopping one."""
    threads = [threading.Thread(target=w.stop, args=(timeout,), name="kafdocs-watch-stop")
               for w in watchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
