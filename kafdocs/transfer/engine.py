"""A job queue on worker threads: events, cancellation, retries, batches that stop early.

Modelled on s3transfer's futures-with-subscribers: each job reports ``queued``,
``started``, ``progress``, and one of ``finished``/``failed``/``skipped``/``cancelled``
to its listeners; the queue applies every event to its ``JobTable`` first, so the
table is what everyone reads (see records.py). Progress events are rate-limited per
job so a view never receives one per chunk.

The work of a job (``Job``: what to run, its cancel switch) stays here, where it runs,
and only while it may still run: a finished job keeps its record, not its closures.
"""

from __future__ import annotations

import errno
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from kafdocs.api.errors import Cancelled, KafdocsError
from kafdocs.api.retry import DEFAULT_RETRY, Failure, RetryPolicy, classify
from kafdocs.i18n import _

from .records import (
    FINAL_STATES,
    JobEvent,
    JobRecord,
    JobState,
    JobTable,
    Summary,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
PROGRESS_INTERVAL = 0.1  # seconds between two progress events of one job
LOST_IN_A_ROW = 3  # jobs of one batch whose exchanges were lost, with no success between:
# the server is down, and the rest of the batch is not started


class Inbox(Generic[T]):
    """Items appended by worker threads, taken all at once by one consumer.

    Thousands of small jobs make thousands of events; waking a consumer (the GUI
    thread, the helper's pipe) for each would make it fight for the GIL thousands of
    times. Producers append here and the consumer drains a few times a second.
    """

    def __init__(self) -> None:
        self._items: deque[T] = deque()

    def __call__(self, item: T) -> None:  # any thread
        self._items.append(item)

    def drain(self) -> list[T]:
        out = []
        while self._items:
            out.append(self._items.popleft())
        return out


class Skipped(Exception):
    """Raised by a job that has nothing to do, with the reason shown to the user."""


Listener = Callable[[JobEvent], None]


@dataclass
class Job:
    """The work of one job: ``run`` returns a short result message or raises."""

    label: str
    run: Callable[[JobContext], str]
    total: int = 0
    kind: str = "transfer"
    meta: dict[str, Any] = field(default_factory=dict)
    cancel_event: threading.Event = field(default_factory=threading.Event)


class JobContext:
    """What a running job may do: report progress, check for cancellation, note facts."""

    def __init__(self, job_id: int, job: Job, total: int, emit: Listener) -> None:
        self.job_id = job_id
        self.job = job
        self.total = total
        self.done = 0
        self.meta: dict[str, Any] = {}  # sent with the job's final event, into its record
        self._emit = emit
        self._last = 0.0

    def cancelled(self) -> bool:
        return self.job.cancel_event.is_set()

    def check(self) -> None:
        if self.cancelled():
            raise Cancelled(_("Cancelled"))

    def set_total(self, total: int) -> None:
        self.total = total

    def progress(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL or done >= self.total:
            self._last = now
            self._emit(JobEvent(self.job_id, "progress", done, self.total))

    def base(self, offset: int) -> Callable[[int], None]:
        """A progress callback for one part of the job, starting at ``offset`` bytes."""
        return lambda done: self.progress(offset + done)


class TransferQueue:
    """A bounded pool of workers running jobs in submission order, batch by batch."""

    _ids = itertools.count(1)
    _batch_ids = itertools.count(1)

    def __init__(self, workers: int = 4, *, retry: RetryPolicy = DEFAULT_RETRY,
                 listener: Listener | None = None, first_id: int | None = None) -> None:
        if first_id is not None:  # a helper process numbering after a lost one
            self._ids = itertools.count(first_id)
            self._batch_ids = itertools.count(first_id)
        self.workers = max(1, workers)
        self.retry_policy = retry  # repeats what the client could not (see kafdocs.api.retry)
        self.listeners: list[Listener] = [listener] if listener else []
        self.table = JobTable()
        self._work: dict[int, Job] = {}  # jobs that may still run: open or retryable
        self._open: set[int] = set()  # submitted and not ended
        self._waiting: deque[int] = deque()
        self._running: set[int] = set()
        self._lost: dict[int, int] = {}  # batch -> jobs lost in a row
        self._halted: set[int] = set()  # batches stopped early, until retried
        self._threads: list[threading.Thread] = []
        self._lock = threading.Condition(threading.RLock())
        self._closed = False

    @property
    def jobs(self) -> dict[int, JobRecord]:
        """Every record by id (read only: the table changes them)."""
        return self.table.records

    @property
    def held_work(self) -> dict[int, Job]:
        """The work kept: jobs that may still run or be retried (memory checks)."""
        return self._work

    # -- events -------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    def _emit(self, event: JobEvent) -> None:
        self.table.apply(event)
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # a broken view must not kill a transfer
                log.exception("transfer listener failed")

    # -- submitting and controlling -------------------------------------------
    def submit(self, job: Job) -> JobRecord:
        """One job, in a batch of its own."""
        return self.submit_batch([job])[0]

    def submit_batch(self, jobs: list[Job]) -> list[JobRecord]:
        """Jobs of one request: summed up, stopped early and forgotten together."""
        batch = next(self._batch_ids)
        records = []
        for job in jobs:
            record = JobRecord(next(self._ids), batch, len(jobs), job.label, job.kind,
                               job.total, dict(job.meta))
            with self._lock:
                self._work[record.id] = job
                self._open.add(record.id)
            self._emit(JobEvent(record.id, "queued", 0, job.total, job.label, record=record))
            records.append(record)
        self._start([r.id for r in records])
        return records

    def _start(self, job_ids: list[int]) -> None:
        """Hand queued jobs to the workers, all at once: a batch that stops early stops
        whole, even while the workers begin on its first jobs."""
        with self._lock:
            closed = self._closed
            if not closed:
                self._waiting.extend(job_ids)
                while len(self._threads) < min(self.workers, len(self._waiting)):
                    self._start_worker()
                self._lock.notify_all()
        if closed:  # after shutdown, jobs end at once as cancelled, and say so
            for job_id in job_ids:
                self._end(job_id, JobState.CANCELLED, _("Cancelled"))

    def cancel(self, job_id: int) -> None:
        with self._lock:
            job = self._work.get(job_id)
            if job is None or job_id not in self._open:
                return
            job.cancel_event.set()
            running = job_id in self._running
        if not running:  # still waiting: it ends now, its worker will pass it by
            self._end(job_id, JobState.CANCELLED, _("Cancelled"))

    def cancel_all(self) -> None:
        with self._lock:
            open_ids = sorted(self._open)
        for job_id in open_ids:
            self.cancel(job_id)

    def retry(self, job_id: int) -> bool:
        """Run a failed or cancelled job again; returns False if it cannot be retried."""
        if not self._requeue(job_id):
            return False
        self._start([job_id])
        return True

    def retry_failed(self) -> int:
        again = [r.id for r in self.table.with_state({JobState.FAILED}) if self._requeue(r.id)]
        self._start(again)
        return len(again)

    def _requeue(self, job_id: int) -> bool:
        with self._lock:
            job, record = self._work.get(job_id), self.table.get(job_id)
            if job is None or record is None or not record.state.retryable \
                    or job_id in self._open:
                return False
            job.cancel_event = threading.Event()
            self._lost.pop(record.batch, None)
            self._halted.discard(record.batch)
            self._open.add(job_id)
        self._emit(JobEvent(job_id, "queued", 0, record.total, record.label))
        return True

    def forget(self, batch: int, only: Collection[JobState] = FINAL_STATES) -> list[int]:
        """Drop the batch's ended records (and work) in one of the ``only`` states."""
        dropped = self.table.forget(batch, only)
        with self._lock:
            for job_id in dropped:
                self._work.pop(job_id, None)
        return dropped

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job has ended; False if ``timeout`` ran out first."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._open, timeout)

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._open)

    def summary(self, batch: int | None = None) -> Summary:
        return self.table.summary(batch)

    def shutdown(self, cancel: bool = True, timeout: float = 10.0) -> None:
        if cancel:
            self.cancel_all()
        self.wait(timeout)
        with self._lock:
            self._closed = True
            left, self._waiting = list(self._waiting), deque()
            self._lock.notify_all()
        for job_id in left:  # never to run: they end, and say so
            self._end(job_id, JobState.CANCELLED, _("Cancelled"))

    # -- running ------------------------------------------------------------
    def _start_worker(self) -> None:
        thread = threading.Thread(target=self._work_loop, daemon=True,
                                  name=f"kafdocs-transfer-{len(self._threads) + 1}")
        self._threads.append(thread)
        thread.start()

    def _work_loop(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._waiting or self._closed)
                if self._closed:
                    return
                job_id = self._waiting.popleft()
                job, record = self._work.get(job_id), self.table.get(job_id)
                if job is None or record is None or job_id not in self._open \
                        or record.batch in self._halted:
                    continue  # cancelled or stopped while it waited: ended elsewhere
                self._running.add(job_id)
            try:
                self._attempts(job_id, job)
            finally:
                with self._lock:
                    self._running.discard(job_id)

    def _attempts(self, job_id: int, job: Job) -> None:
        if job.cancel_event.is_set():
            self._end(job_id, JobState.CANCELLED, _("Cancelled"))
            return
        self._emit(JobEvent(job_id, "started", 0, job.total, job.label))
        ctx = JobContext(job_id, job, job.total, self._emit)
        attempt = 1
        while True:
            try:
                message = job.run(ctx)
            except Skipped as exc:
                self._end(job_id, JobState.SKIPPED, str(exc), ctx)
            except Cancelled:
                self._end(job_id, JobState.CANCELLED, _("Cancelled"), ctx)
            except KafdocsError as exc:
                if self.retry_policy.should_retry(exc, attempt) and self._pause(ctx, exc, attempt):
                    attempt += 1
                    continue
                if job.cancel_event.is_set():
                    self._end(job_id, JobState.CANCELLED, _("Cancelled"), ctx)
                else:
                    self._end(job_id, JobState.FAILED, str(exc), ctx)
                    self._count_failure(job_id, exc)
            except OSError as exc:
                self._end(job_id, JobState.FAILED, describe_os_error(exc), ctx)
            except Exception as exc:  # a bug: fail this job, keep the batch going
                log.exception("job %s crashed", job.label)
                reason = _("Unexpected error: {error}").format(error=repr(exc))
                self._end(job_id, JobState.FAILED, reason, ctx)
            else:
                self._end(job_id, JobState.DONE, message, ctx)
            return

    def _pause(self, ctx: JobContext, exc: KafdocsError, attempt: int) -> bool:
        """Back off before the next try; False if the job was cancelled meanwhile."""
        delay = self.retry_policy.delay(attempt)
        log.info("%s: %s; retrying in %.1f s", ctx.job.label, exc, delay)
        ctx.done = 0
        self._emit(JobEvent(ctx.job_id, "retrying", 0, ctx.total, str(exc)))
        return not ctx.job.cancel_event.wait(delay)

    def _end(self, job_id: int, state: JobState, message: str,
             ctx: JobContext | None = None) -> None:
        """The one way a job ends: once, whoever gets there first (worker or cancel)."""
        with self._lock:
            if job_id not in self._open:
                return
            self._open.discard(job_id)
            if state in (JobState.DONE, JobState.SKIPPED):
                self._work.pop(job_id, None)  # cannot run again: drop its closures
        record = self.table.get(job_id)
        done = ctx.done if ctx else 0
        total = ctx.total if ctx else (record.total if record else 0)
        self._emit(JobEvent(job_id, state.value, done, total, message,
                            meta=dict(ctx.meta) if ctx else None))
        if ctx is not None:
            self._job_ended(job_id)
        if state is JobState.DONE and record is not None:
            with self._lock:
                self._lost.pop(record.batch, None)
        with self._lock:
            self._lock.notify_all()

    def _job_ended(self, job_id: int) -> None:
        """Called after a job that ran has ended; a hook for what the queue serves."""

    # -- a server that is down ------------------------------------------------
    def _count_failure(self, job_id: int, exc: KafdocsError) -> None:
        """Stop the batch when the server is down, rather than fail each job slowly."""
        record = self.table.get(job_id)
        failure = classify(exc)
        if record is None or failure is Failure.FINAL:
            return
        with self._lock:
            lost = self._lost[record.batch] = self._lost.get(record.batch, 0) + 1
        if failure is Failure.UNREACHABLE or lost >= LOST_IN_A_ROW:
            self._halt(job_id, record.batch, str(exc))

    def _halt(self, job_id: int, batch: int, reason: str) -> None:
        """The batch's jobs that have not started end now, failed, ready to be retried."""
        with self._lock:
            if batch in self._halted:
                return
            self._halted.add(batch)
            waiting = [i for i in self.table.batch_ids(batch)
                       if i in self._open and i not in self._running]
        self._emit(JobEvent(job_id, "halted", message=reason))
        log.warning("the server is down: %d transfers not started (%s)", len(waiting), reason)
        for waiting_id in waiting:
            self._end(waiting_id, JobState.FAILED,
                      _("Not started: the server could not be reached"))


def describe_os_error(exc: OSError) -> str:
    """Disk errors in words a user understands: a file that cannot be created is told as
    its folder being read-only, not by the name of a temporary file."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return _("The disk is full") + where
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        path = Path(exc.filename) if exc.filename else None
        if path is not None and (exc.errno == errno.EROFS or not path.exists()):
            return read_only(path if path.is_dir() else path.parent)
        return _("Not allowed to write or read here") + where
    if exc.errno == errno.ENOENT:
        return _("File or folder not found") + where
    return f"{exc.strerror or exc}{where}"


def read_only(folder: Path) -> str:
    return _("The folder {folder} is read-only: kafdocs cannot save files there. Choose "
             "another folder, or ask for the right to write in it.").format(folder=folder)
