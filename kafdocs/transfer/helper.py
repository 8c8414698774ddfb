"""The transfer service in a helper process, for the desktop app.

Transfer threads run Python (requests, JSON, the engine) for every file. In the GUI's
process they take the GIL from the GUI thread: with 2,000 small files the window froze
for up to 600 ms at a time, however little the GUI thread itself did. In a helper
process they cannot: the GUI process keeps one thread that mostly waits on a pipe.

``HelperTransfers`` offers ``TransferService``'s methods. Requests go down a pipe as
``(method, call id, arguments)``; the helper answers each call and sends engine events
back in batches, which are applied here to a ``JobTable`` exactly as the helper
applied them to its own, so views and summaries work as with an in-process queue.
What the helper's client learns (the server's upload limit) comes back on the same
stream and is taught to the app's client. The helper starts with the first transfer,
with the app's session (no second login); it ends with the app or when the pipe
closes, and a new one starts with the next transfer if it died.

The helper says it is alive every second, even with nothing to report: one that falls
silent (hung, or stopped by the system) is killed and its jobs fail with a reason,
instead of showing "Running" for ever. Stopping it never makes the caller wait longer
than it asks: the helper cancels and cleans up on its own, and ends.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import pickle
import threading
import time
from collections.abc import Collection, Sequence
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from kafdocs import i18n, logfile
from kafdocs.api import Client, ClientSpec, KafdocsError
from kafdocs.i18n import _

from .engine import Inbox, Listener
from .folders import Folder
from .product_images import ImageRequest
from .records import FINAL_STATES, JobEvent, JobRecord, JobState, JobTable, Summary
from .service import FolderQueued, TransferService
from .upload import UploadRequest
from .watch import WatchEvent, WatchListener, WatchSettings

log = logging.getLogger(__name__)
BATCH_SECONDS = 0.05  # how long events wait in the helper to travel together
# requests that (re)queue jobs: the app is busy until the helper has answered them
JOB_REQUESTS = frozenset({"upload", "download", "download_folder", "fetch", "retry_failed"})
REQUESTS = JOB_REQUESTS | {"cancel", "cancel_all", "forget", "held", "watch"}
# requests that start a helper if none runs (a new one has no failed jobs to retry)
STARTING = (JOB_REQUESTS - {"retry_failed"}) | {"watch"}
RESTART_AFTER = 10.0  # a helper that lived this long is started again if it was watching
SLOW_REQUESTS = frozenset({"download_folder"})  # answered from their own thread
HEARTBEAT_SECONDS = 1.0  # the helper says it is alive at least this often
HUNG_SECONDS = 15.0  # silent for this long: the helper is hung
STARTING_SECONDS = 60.0  # a new helper imports its modules before its first word
GRACE_SECONDS = 5.0  # at shutdown, how long the helper waits for cancelled jobs to end


class HelperStopped(KafdocsError):
    """The helper process ended while transfers were running."""


# -- the app's side -------------------------------------------------------------
class HelperTransfers:
    """TransferService's methods, carried out by a helper process."""

    def __init__(self, client: Client, workers: int = 4, *,
                 hung_after: float = HUNG_SECONDS) -> None:
        self.client = client
        self.workers = workers
        self.hung_after = hung_after
        self.table = JobTable()
        self.listeners: list[Listener] = []
        self._state = threading.Condition()
        self._send_lock = threading.Lock()
        self._calls: dict[int, tuple[str, Future[Any]]] = {}
        self._call_ids = itertools.count(1)
        self._last_id = 0  # ids of a new helper continue after every id seen
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        self._started = 0.0
        self._closed = False
        self._watched: list[WatchSettings] = []  # what the helper is asked to watch
        self.watch_listeners: list[WatchListener] = []

    @property
    def jobs(self) -> dict[int, JobRecord]:
        """Every record by id (read only: the table changes them)."""
        return self.table.records

    def _start(self) -> None:
        """Start a helper; job ids continue after those already seen."""
        context = multiprocessing.get_context("spawn")  # fork is unsafe with Qt threads
        ours, theirs = context.Pipe()
        first_id = self._last_id + 1
        self._process = context.Process(
            target=serve, name="kafdocs-transfers", daemon=True,
            args=(theirs, self.client.spec(), self.workers, i18n.language(), first_id))
        self._process.start()
        self._started = time.monotonic()
        theirs.close()
        self._conn = ours
        threading.Thread(target=self._read, args=(ours, self._process),
                         name="kafdocs-helper-reader", daemon=True).start()

    # -- requests -----------------------------------------------------------
    def upload(self, requests: Sequence[UploadRequest | ImageRequest]) -> None:
        if requests:
            self._call("upload", requests)

    def download(self, records: list[dict[str, Any]], dest: Path) -> None:
        if records:
            self._call("download", records, dest)

    def download_folder(self, folder: Folder, dest: Path,
                        mirror: bool = False) -> FolderQueued:
        """Blocks until the helper has listed the folder: call it off the GUI thread."""
        return FolderQueued(*self._call("download_folder", folder, dest, mirror).result())

    def fetch(self, record: dict[str, Any], cache_root: Path,
              background: bool = False) -> None:
        self._call("fetch", record, cache_root, background)

    def cancel(self, job_id: int) -> None:
        self._call("cancel", job_id)

    def cancel_all(self) -> None:
        self._call("cancel_all")

    def retry_failed(self) -> None:
        self._call("retry_failed")

    def forget(self, batch: int, only: Collection[JobState] = FINAL_STATES) -> list[int]:
        """Drop the batch's ended records here and in the helper (its work too)."""
        dropped = self.table.forget(batch, only)
        self._call("forget", batch, frozenset(only))
        return dropped

    def watch(self, wanted: list[WatchSettings]) -> dict[str, str]:
        """Blocks until the helper watches exactly ``wanted``: not on the GUI thread."""
        self._watched = list(wanted)
        if not wanted and self._conn is None:
            return {}  # nothing watched, no helper needed
        return dict(self._call("watch", self._watched).result())

    def subscribe_watch(self, listener: WatchListener) -> None:
        self.watch_listeners.append(listener)

    def held(self) -> tuple[int, int]:
        """(records, jobs' work) the helper keeps: memory checks. Blocks: not on the
        GUI thread."""
        records, work = self._call("held").result(10)
        return int(records), int(work)

    def _call(self, name: str, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.add_done_callback(_log_failure)
        with self._send_lock:
            if self._closed:
                future.set_exception(HelperStopped(_("The transfers are shut down")))
                return future
            if self._conn is None and name not in STARTING:
                future.set_result(None)  # no helper, nothing of it to act on
                return future
            if self._conn is None:
                self._start()
                if self._watched and name != "watch":  # a new helper watches as the last
                    self._send_locked("watch", (self._watched,), Future())
            self._send_locked(name, args, future)
        return future

    def _send_locked(self, name: str, args: tuple[Any, ...], future: Future[Any]) -> None:
        call_id = next(self._call_ids)
        self._calls[call_id] = (name, future)
        try:
            assert self._conn is not None
            self._conn.send((name, call_id, args))
        except (OSError, ValueError) as exc:
            self._calls.pop(call_id, None)
            future.set_exception(HelperStopped(str(exc)))

    # -- state --------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    @property
    def busy(self) -> bool:
        """Jobs running or queued, or requested and not yet queued by the helper."""
        return self.table.open > 0 or any(name in JOB_REQUESTS
                                          for name, _future in list(self._calls.values()))

    def summary(self, batch: int | None = None) -> Summary:
        return self.table.summary(batch)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every mirrored job has ended; False if ``timeout`` ran out."""
        with self._state:
            return self._state.wait_for(lambda: not self.busy, timeout)

    def shutdown(self, cancel: bool = True, timeout: float = 10.0) -> None:
        """Ask the helper to cancel (or finish) its transfers and end; wait for that at
        most ``timeout`` seconds (the window asks for less than one). A helper still
        cleaning up ends on its own; call again with a longer timeout to wait for it."""
        with self._send_lock:
            conn, process = self._conn, self._process
            if conn is not None and not self._closed:
                with suppress(OSError, ValueError):  # already gone
                    conn.send(("shutdown", 0, (cancel, GRACE_SECONDS)))
            self._closed = True
        if process is None:
            return
        process.join(timeout)
        if process.is_alive() and timeout >= GRACE_SECONDS:
            log.warning("the transfer helper did not end in time: stopping it")
            process.kill()  # past its own grace time: hung
            process.join(1)

    # -- the reader thread --------------------------------------------------
    def _read(self, conn: Connection, process: BaseProcess) -> None:
        heard, limit, reason = time.monotonic(), max(self.hung_after, STARTING_SECONDS), ""
        while True:
            try:
                if not conn.poll(HEARTBEAT_SECONDS):
                    if time.monotonic() - heard > limit:
                        reason = self._hung(process)
                        break
                    continue
                message = conn.recv()
            except (EOFError, OSError):
                break
            heard, limit = time.monotonic(), self.hung_after
            if message[0] == "alive":
                continue
            if message[0] == "events":
                self._mirror(message[1])
            elif message[0] == "watch":
                for listener in list(self.watch_listeners):
                    try:
                        listener(message[1])
                    except Exception:
                        log.exception("watch listener failed")
            else:
                _, call_id, ok, value = message
                _name, future = self._calls.pop(call_id, ("", None))
                if future is not None:
                    future.set_result(value) if ok else future.set_exception(value)
                with self._state:
                    self._state.notify_all()  # busy may have changed
        self._helper_lost(conn, reason)

    def _hung(self, process: BaseProcess) -> str:
        """Silent too long: killed, so that it frees what it holds; its jobs fail."""
        log.error("the transfer helper gave no sign of life for %.0f s: stopping it",
                  self.hung_after)
        process.kill()
        return _("The transfer helper stopped answering; start this transfer again")

    def _mirror(self, events: list[JobEvent]) -> None:
        with self._state:
            for event in events:
                self._last_id = max(self._last_id, event.job_id)
                self.table.apply(event)
                if event.facts is not None:
                    self.client.learn(event.facts)
            self._state.notify_all()
        for event in events:
            for listener in list(self.listeners):
                try:
                    listener(event)
                except Exception:  # a broken view must not stop the mirror
                    log.exception("transfer listener failed")

    def _helper_lost(self, conn: Connection, reason: str = "") -> None:
        """The pipe closed (at shutdown, or the helper died) or the helper hung."""
        with self._send_lock:
            if self._conn is conn:
                self._conn = None
            calls, self._calls = self._calls, {}
        conn.close()
        reason = reason or _("The transfer helper stopped unexpectedly; start this transfer "
                             "again")
        for _name, future in calls.values():
            future.set_exception(HelperStopped(reason))
        lost = [JobEvent(r.id, "failed", r.done, r.total, reason)
                for r in self.table if not r.state.final]
        if lost and not self._closed:
            log.error("the transfer helper stopped with %d transfers running", len(lost))
        self._mirror(lost)
        if self._watched and not self._closed and time.monotonic() - self._started > \
                RESTART_AFTER:  # watched folders go on; a helper dying at once is not retried
            log.error("the transfer helper stopped while watching folders: starting another")
            self._call("watch", self._watched)


def _log_failure(future: Future[Any]) -> None:
    exc = future.exception()
    if exc is not None:
        log.info("transfer request failed: %s", exc)


# -- the helper's side ------------------------------------------------------------
def serve(conn: Connection, spec: ClientSpec, workers: int, language: str,
          first_id: int) -> None:
    """The helper process: carry out requests until told to stop or the app is gone."""
    logfile.start_in_helper()
    i18n.set_language(language)
    client = Client.from_spec(spec)
    service = TransferService(client, workers, first_id=first_id)
    outbox = Outbox(conn)
    service.subscribe(outbox.put)
    service.subscribe_watch(outbox.put_watch)
    cancel, timeout = True, 5.0
    try:
        while True:
            try:
                name, call_id, args = conn.recv()
            except (EOFError, OSError):
                break  # the app is gone: cancel everything
            if name == "shutdown":
                cancel, timeout = args
                break
            if name in SLOW_REQUESTS or name == "watch":  # watch: its stops may take time
                threading.Thread(target=outbox.answer, daemon=True,
                                 args=(call_id, getattr(service, name), args)).start()
            elif name == "held":
                outbox.answer(call_id, lambda: (len(service.table), len(service.held_work)), ())
            elif name in REQUESTS:
                outbox.answer(call_id, getattr(service, name), args)
    finally:
        service.shutdown(cancel=cancel, timeout=timeout)
        outbox.close()
        if client.spec().session != spec.session:
            client.logout()  # a session of its own; the app's stays the app's
        client.http.close()


class Outbox:
    """Sends answers at once and events in batches, from any thread of the helper."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._events: Inbox[JobEvent] = Inbox()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sent = 0.0  # the first "alive" goes at once: the app knows it started
        self._thread = threading.Thread(target=self._run, name="kafdocs-outbox", daemon=True)
        self._thread.start()

    def put(self, event: JobEvent) -> None:  # worker threads
        if event.record is not None:  # a copy as it is now: the table's own may change
            event = replace(event, record=replace(event.record, meta=dict(event.record.meta)))
        self._events(event)

    def put_watch(self, event: WatchEvent) -> None:  # worker and watcher threads
        """A watched folder's news: rare, sent at once, after the job events before it."""
        self._flush()
        self._send(("watch", event))

    def answer(self, call_id: int, method: Any, args: tuple[Any, ...]) -> None:
        try:
            result = (True, method(*args))
        except Exception as exc:
            result = (False, _portable(exc))
        self._flush()  # the events a request caused arrive before its answer
        self._send(("answer", call_id, *result))

    def _run(self) -> None:
        while not self._stop.wait(BATCH_SECONDS):
            self._flush()
            if time.monotonic() - self._sent > HEARTBEAT_SECONDS:
                self._send(("alive",))  # nothing to say, but alive

    def _flush(self) -> None:
        with self._lock:  # drained and sent in one go, so batches keep their order
            batch = self._events.drain()
            if batch:
                self._send_locked(("events", batch))

    def _send(self, message: tuple[Any, ...]) -> None:
        with self._lock:
            self._send_locked(message)

    def _send_locked(self, message: tuple[Any, ...]) -> None:
        try:
            self._conn.send(message)
            self._sent = time.monotonic()
        except (OSError, ValueError):
            self._stop.set()  # the app is gone; serve() sees the pipe closed and ends

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._flush()
        self._conn.close()


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling, else one that says the same."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return KafdocsError(str(exc))
    return exc
