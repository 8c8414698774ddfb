"""Shared by the hot-folder tests: a watcher on a real directory, filing into the sandbox."""

from __future__ import annotations

import io
import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kafdocs.api import Client, Query
from kafdocs.api.retry import RetryPolicy
from kafdocs.transfer import TransferQueue
from kafdocs.transfer.watch import Watcher, WatchEvent, WatchSettings

FOLDER = "22x1"  # Default: exists on both flavours (stock vtiger cannot create folders)


class Watching:
    """A started watcher whose events a test can wait for."""

    def __init__(self, client: Client, directory: Path, workers: int = 2,
                 attempts: int = 3, **settings: Any) -> None:
        settings.setdefault("settle", 0.2)
        self.events: queue.Queue[WatchEvent] = queue.Queue()
        self.seen: list[WatchEvent] = []
        self.queue = TransferQueue(workers, retry=RetryPolicy(attempts, first_delay=0.01))
        self.watcher = Watcher(client, self.queue, WatchSettings(directory, FOLDER, **settings),
                               self.events.put)

    def start(self) -> Watching:
        self.watcher.start()
        return self

    def stop(self) -> None:
        self.watcher.stop(8)
        self.queue.shutdown(cancel=True, timeout=2)

    def wait(self, kind: str, count: int = 1, timeout: float = 30) -> list[WatchEvent]:
        """The first ``count`` events of ``kind`` (earlier ones included)."""
        deadline = time.monotonic() + timeout
        while sum(e.kind == kind for e in self.seen) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"waited for {count} {kind!r}; saw {self.seen}"
            try:
                self.seen.append(self.events.get(timeout=left))
            except queue.Empty:
                continue
        return [e for e in self.seen if e.kind == kind][:count]


def wait_until(condition: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def documents(client: Client, name: str | None = None) -> list[dict[str, Any]]:
    query = Query("Documents").where("folderid", "=", FOLDER)
    if name is not None:
        query = query.where("filename", "=", name)
    return list(client.iter_query(query))


def content(client: Client, doc_id: str) -> bytes:
    file_id = client.retrieve(doc_id)["imageattachmentids"].split(",")[0]
    out = io.BytesIO()
    client.files_retrieve(file_id, lambda index: out)
    return out.getvalue()
