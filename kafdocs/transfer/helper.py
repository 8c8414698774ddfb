"""The transfer service in a helper process, for the desktop app.

Transfer threads run Python (requests, JSON, the engine) for every file. In the GUI's
process they take the GIL from the GUI thread: with 2,000 small files the window froze
for up to 600 ms at a time, however little the GUI thread itself did. In a helper
process they cannot: the GUI process keeps one thread that mostly waits on a pipe.

``HelperTransfers`` offers ``TransferService``'s methods. Requests go down a pipe as
``(method, call id, arguments)``; the helper answers each call and sends engine events
back in batches, which are mirrored here into ``Job`` records so views and summaries
work as with an in-process queue. The helper starts with the app's session (no second
login), ends with the app or when the pipe closes, and is started again if it dies.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import pickle
import threading
import time
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from kafdocs import i18n, logfile
from kafdocs.api import Client, ClientSpec, KafdocsError
from kafdocs.i18n import _

from .engine import Inbox, Job, JobContext, JobEvent, JobState, Listener, Summary, summarize
from .folders import Folder
from .service import TransferService
from .upload import UploadRequest

log = logging.getLogger(__name__)
BATCH_SECONDS = 0.05  # how long events wait in the helper to travel together
# requests that (re)queue jobs: the app is busy until the helper has answered them
JOB_REQUESTS = frozenset({"upload", "download", "download_folder", "fetch", "retry_failed"})
REQUESTS = JOB_REQUESTS | {"cancel", "cancel_all"}
SLOW_REQUESTS = frozenset({"download_folder"})  # answered from their own thread


class HelperStopped(KafdocsError):
    """The helper process ended while transfers were running."""


@dataclass(frozen=True)
class JobInfo:
    """What the app shows of a job, sent with its first ``queued`` event."""

    label: str
    kind: str
    total: int
    meta: dict[str, Any] = field(default_factory=dict)


# -- the app's side -------------------------------------------------------------
class HelperTransfers:
    """TransferService's methods, carried out by a helper process."""

    def __init__(self, client: Client, workers: int = 4) -> None:
        self.client = client
        self.workers = workers
        self.jobs: dict[int, Job] = {}
        self.listeners: list[Listener] = []
        self._state = threading.Condition()
        self._send_lock = threading.Lock()
        self._open = 0  # mirrored jobs not in a final state
        self._calls: dict[int, tuple[str, Future[Any]]] = {}
        self._call_ids = itertools.count(1)
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        self._closed = False
        self._start()

    def _start(self) -> None:
        """Start a helper; job ids continue after those already mirrored."""
        context = multiprocessing.get_context("spawn")  # fork is unsafe with Qt threads
        ours, theirs = context.Pipe()
        first_id = max(self.jobs, default=0) + 1
        self._process = context.Process(
            target=serve, name="kafdocs-transfers", daemon=True,
            args=(theirs, self.client.spec(), self.workers, i18n.language(), first_id))
        self._process.start()
        theirs.close()
        self._conn = ours
        threading.Thread(target=self._read, args=(ours,), name="kafdocs-helper-reader",
                         daemon=True).start()

    # -- requests -----------------------------------------------------------
    def upload(self, requests: list[UploadRequest]) -> None:
        if requests:
            self._call("upload", requests)

    def download(self, records: list[dict[str, Any]], dest: Path) -> None:
        if records:
            self._call("download", records, dest)

    def download_folder(self, folder: Folder, dest: Path) -> int:
        """Blocks until the helper has listed the folder: call it off the GUI thread."""
        return int(self._call("download_folder", folder, dest).result())

    def fetch(self, record: dict[str, Any], cache_root: Path) -> None:
        self._call("fetch", record, cache_root)

    def cancel(self, job_id: int) -> None:
        self._call("cancel", job_id)

    def cancel_all(self) -> None:
        self._call("cancel_all")

    def retry_failed(self) -> None:
        self._call("retry_failed")

    def _call(self, name: str, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.add_done_callback(_log_failure)
        with self._send_lock:
            if self._closed:
                future.set_exception(HelperStopped(_("The transfers are shut down")))
                return future
            if self._conn is None:
                self._start()
            call_id = next(self._call_ids)
            self._calls[call_id] = (name, future)
            try:
                assert self._conn is not None
                self._conn.send((name, call_id, args))
            except (OSError, ValueError) as exc:
                self._calls.pop(call_id, None)
                future.set_exception(HelperStopped(str(exc)))
        return future

    # -- state --------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    @property
    def busy(self) -> bool:
        """Jobs running or queued, or requested and not yet queued by the helper."""
        return self._open > 0 or any(name in JOB_REQUESTS
                                     for name, _future in list(self._calls.values()))

    def summary(self) -> Summary:
        return summarize(list(self.jobs.values()))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every mirrored job has ended; False if ``timeout`` ran out."""
        with self._state:
            return self._state.wait_for(lambda: not self.busy, timeout)

    def shutdown(self, cancel: bool = True, timeout: float = 10.0) -> None:
        """Cancel (or finish) the transfers, then stop the helper."""
        with self._send_lock:
            conn, process = self._conn, self._process
            self._closed = True
            if conn is not None:
                with suppress(OSError, ValueError):  # already gone
                    conn.send(("shutdown", 0, (cancel, timeout)))
        if process is not None:
            process.join(timeout + 2)
            if process.is_alive():
                process.terminate()
                process.join(2)
        if conn is not None:
            conn.close()

    # -- the reader thread --------------------------------------------------
    def _read(self, conn: Connection) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "events":
                self._mirror(message[1])
            else:
                _, call_id, ok, value = message
                _name, future = self._calls.pop(call_id, ("", None))
                if future is not None:
                    future.set_result(value) if ok else future.set_exception(value)
                with self._state:
                    self._state.notify_all()  # busy may have changed
        self._helper_lost(conn)

    def _mirror(self, batch: list[tuple[JobEvent, JobInfo | None]]) -> None:
        with self._state:
            for event, info in batch:
                self._apply(event, info)
            self._state.notify_all()
        for event, _info in batch:
            for listener in list(self.listeners):
                try:
                    listener(event)
                except Exception:  # a broken view must not stop the mirror
                    log.exception("transfer listener failed")

    def _apply(self, event: JobEvent, info: JobInfo | None) -> None:
        job = self.jobs.get(event.job_id)
        kind, now = event.kind, time.monotonic()
        if job is None:
            if info is None:
                return
            job = Job(info.label, _runs_in_helper, info.total, info.kind, info.meta,
                      id=event.job_id)
            self.jobs[job.id] = job
            self._open += 1
        elif kind == "queued" and job.state.final:  # retried
            self._open += 1
        if kind == "queued":
            job.state, job.done, job.message = JobState.QUEUED, 0, ""
        elif kind == "started":
            job.state, job.started_at = JobState.RUNNING, now
        elif kind in ("progress", "retrying"):
            job.done, job.total = event.done, max(job.total, event.total)
        elif not job.state.final:
            self._open -= 1
            job.state, job.message, job.finished_at = JobState(kind), event.message, now
            job.done = event.done

    def _helper_lost(self, conn: Connection) -> None:
        """The pipe closed: at shutdown, or because the helper died."""
        with self._send_lock:
            if self._conn is conn:
                self._conn = None
            calls, self._calls = self._calls, {}
        reason = _("The transfer helper stopped unexpectedly; start this transfer again")
        for _name, future in calls.values():
            future.set_exception(HelperStopped(reason))
        lost = [JobEvent(j.id, "failed", j.done, j.total, reason)
                for j in list(self.jobs.values()) if not j.state.final]
        if lost and not self._closed:
            log.error("the transfer helper stopped with %d transfers running", len(lost))
        self._mirror([(event, None) for event in lost])


def _runs_in_helper(ctx: JobContext) -> str:
    raise RuntimeError("a mirrored job runs in the helper process")


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
    outbox = Outbox(conn, service.jobs)
    service.subscribe(outbox.put)
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
            if name in SLOW_REQUESTS:
                threading.Thread(target=outbox.answer, daemon=True,
                                 args=(call_id, getattr(service, name), args)).start()
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

    def __init__(self, conn: Connection, jobs: dict[int, Job]) -> None:
        self._conn = conn
        self._jobs = jobs
        self._events: Inbox[tuple[JobEvent, JobInfo | None]] = Inbox()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kafdocs-outbox", daemon=True)
        self._thread.start()

    def put(self, event: JobEvent) -> None:  # worker threads
        info = None
        if event.kind == "queued":
            job = self._jobs[event.job_id]
            info = JobInfo(job.label, job.kind, job.total, dict(job.meta))
        self._events((event, info))

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
