"""A job queue on worker threads: events, cancellation, retries with backoff, a summary.

Modelled on s3transfer's futures-with-subscribers: each job reports ``queued``,
``started``, ``progress``, and one of ``finished``/``failed``/``skipped``/``cancelled``
to a listener. Progress events are rate-limited per job so a view never receives
one signal per chunk.
"""

from __future__ import annotations

import enum
import errno
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from kafdocs.api.errors import Cancelled, KafdocsError
from kafdocs.api.retry import DEFAULT_RETRY, RetryPolicy
from kafdocs.i18n import _, decimal, ngettext

log = logging.getLogger(__name__)
T = TypeVar("T")
PROGRESS_INTERVAL = 0.1  # seconds between two progress events of one job


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "finished"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self not in (JobState.QUEUED, JobState.RUNNING)


# the event kinds that end a job: its final JobState's values
FINAL_EVENTS = frozenset(state.value for state in JobState if state.final)


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


@dataclass(frozen=True)
class JobEvent:
    job_id: int
    kind: str  # queued | started | progress | finished | failed | skipped | cancelled | retrying
    done: int = 0
    total: int = 0
    message: str = ""


Listener = Callable[[JobEvent], None]


class JobContext:
    """What a running job may do: report progress, check for cancellation, skip."""

    def __init__(self, job: Job, emit: Listener) -> None:
        self.job = job
        self._emit = emit
        self._last = 0.0

    def cancelled(self) -> bool:
        return self.job.cancel_event.is_set()

    def check(self) -> None:
        if self.cancelled():
            raise Cancelled(_("Cancelled"))

    def set_total(self, total: int) -> None:
        self.job.total = total

    def progress(self, done: int) -> None:
        self.job.done = done
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL or done >= self.job.total:
            self._last = now
            self._emit(JobEvent(self.job.id, "progress", done, self.job.total))

    def base(self, offset: int) -> Callable[[int], None]:
        """A progress callback for one part of the job, starting at ``offset`` bytes."""
        return lambda done: self.progress(offset + done)


@dataclass
class Job:
    """One unit of work; ``run`` returns a short result message or raises."""

    label: str
    run: Callable[[JobContext], str]
    total: int = 0
    kind: str = "transfer"
    meta: dict[str, Any] = field(default_factory=dict)
    id: int = 0
    state: JobState = JobState.QUEUED
    done: int = 0
    message: str = ""
    attempts: int = 0
    started_at: float = 0.0
    finished_at: float = 0.0
    cancel_event: threading.Event = field(default_factory=threading.Event)


@dataclass
class Summary:
    finished: int = 0
    failed: int = 0
    skipped: int = 0
    cancelled: int = 0
    bytes: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (label, reason)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.cancelled == 0

    def counts(self) -> str:
        """"2 done, 1 failed" with each word agreeing with its number ("2 réussis");
        kinds that did not happen are left out, except "done"."""
        forms = [(self.finished, ngettext("{count} done", "{count} done", self.finished)),
                 (self.skipped, ngettext("{count} skipped", "{count} skipped", self.skipped)),
                 (self.failed, ngettext("{count} failed", "{count} failed", self.failed)),
                 (self.cancelled,
                  ngettext("{count} cancelled", "{count} cancelled", self.cancelled))]
        return ", ".join(text.format(count=n) for i, (n, text) in enumerate(forms) if n or not i)

    def line(self) -> str:
        rate = self.bytes / self.seconds / 1e6 if self.seconds else 0.0
        return _("{counts} — {size} MB in {seconds} s ({rate} MB/s)").format(
            counts=self.counts(), size=decimal(self.bytes / 1e6), seconds=decimal(self.seconds),
            rate=decimal(rate))


class TransferQueue:
    """A bounded pool of workers running jobs in submission order."""

    _ids = itertools.count(1)

    def __init__(self, workers: int = 4, *, retry: RetryPolicy = DEFAULT_RETRY,
                 listener: Listener | None = None, first_id: int | None = None) -> None:
        if first_id is not None:  # a helper process numbering after a lost one
            self._ids = itertools.count(first_id)
        self.workers = max(1, workers)
        self.retry_policy = retry  # repeats what the client could not (see kafdocs.api.retry)
        self.listeners: list[Listener] = [listener] if listener else []
        self.jobs: dict[int, Job] = {}
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="kafdocs-transfer")
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._started = 0.0
        self._closed = False

    # -- events -------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    def _emit(self, event: JobEvent) -> None:
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # a broken view must not kill a transfer
                log.exception("transfer listener failed")

    # -- submitting and controlling -------------------------------------------
    def submit(self, job: Job) -> Job:
        job.id = next(self._ids)
        self.jobs[job.id] = job
        self._emit(JobEvent(job.id, "queued", 0, job.total, job.label))
        self._schedule(job)
        return job

    def _schedule(self, job: Job) -> None:
        """After shutdown, jobs end at once as cancelled, and say so."""
        with self._lock:
            closed = self._closed
            if not closed:
                if self._pending == 0:
                    self._started = time.monotonic()
                self._pending += 1
                job.state = JobState.QUEUED
                self._pool.submit(self._run, job)
        if closed:
            job.cancel_event.set()
            self._end(job, JobState.CANCELLED, _("Cancelled"))

    def cancel(self, job_id: int) -> None:
        job = self.jobs.get(job_id)
        if job is not None and not job.state.final:
            job.cancel_event.set()

    def cancel_all(self) -> None:
        for job_id in list(self.jobs):
            self.cancel(job_id)

    def retry(self, job_id: int) -> bool:
        """Run a failed or cancelled job again; returns False if it cannot be retried."""
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.state not in (JobState.FAILED, JobState.CANCELLED):
                return False
            job.cancel_event = threading.Event()
            job.done, job.message, job.attempts = 0, "", 0
            job.state = JobState.QUEUED
        self._emit(JobEvent(job.id, "queued", 0, job.total, job.label))
        self._schedule(job)
        return True

    def retry_failed(self) -> int:
        return sum(self.retry(j.id) for j in list(self.jobs.values())
                   if j.state is JobState.FAILED)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job has ended; False if ``timeout`` ran out first."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout)

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._pending > 0

    def summary(self) -> Summary:
        return summarize(self.jobs.values())

    def shutdown(self, cancel: bool = True, timeout: float = 10.0) -> None:
        if cancel:
            self.cancel_all()
        self.wait(timeout)
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=False)  # queued jobs end at once as cancelled

    # -- running ------------------------------------------------------------
    def _run(self, job: Job) -> None:
        try:
            self._attempts(job)
        finally:
            job.finished_at = time.monotonic()
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _attempts(self, job: Job) -> None:
        if job.cancel_event.is_set():
            self._end(job, JobState.CANCELLED, _("Cancelled"))
            return
        job.state = JobState.RUNNING
        job.started_at = time.monotonic()
        self._emit(JobEvent(job.id, "started", 0, job.total, job.label))
        ctx = JobContext(job, self._emit)
        while True:
            job.attempts += 1
            try:
                message = job.run(ctx)
            except Skipped as exc:
                self._end(job, JobState.SKIPPED, str(exc))
            except Cancelled:
                self._end(job, JobState.CANCELLED, _("Cancelled"))
            except KafdocsError as exc:
                if self.retry_policy.should_retry(exc, job.attempts) and self._pause(job, exc):
                    continue
                if job.cancel_event.is_set():
                    self._end(job, JobState.CANCELLED, _("Cancelled"))
                else:
                    self._end(job, JobState.FAILED, str(exc))
            except OSError as exc:
                self._end(job, JobState.FAILED, describe_os_error(exc))
            except Exception as exc:  # a bug: fail this job, keep the batch going
                log.exception("job %s crashed", job.label)
                reason = _("Unexpected error: {error}").format(error=repr(exc))
                self._end(job, JobState.FAILED, reason)
            else:
                self._end(job, JobState.DONE, message)
            return

    def _pause(self, job: Job, exc: KafdocsError) -> bool:
        """Back off before a retry; False if the job was cancelled meanwhile."""
        delay = self.retry_policy.delay(job.attempts)
        log.info("%s: %s; retrying in %.1f s", job.label, exc, delay)
        job.done = 0
        self._emit(JobEvent(job.id, "retrying", 0, job.total, str(exc)))
        return not job.cancel_event.wait(delay)

    def _end(self, job: Job, state: JobState, message: str) -> None:
        job.state, job.message = state, message
        self._emit(JobEvent(job.id, state.value, job.done, job.total, message))


def summarize(jobs: Iterable[Job]) -> Summary:
    """Counts, bytes and wall time of a set of jobs (in this process or mirrored)."""
    result = Summary()
    first, last = None, 0.0
    for job in jobs:
        if job.started_at:
            first = job.started_at if first is None else min(first, job.started_at)
            last = max(last, job.finished_at)
        if job.state is JobState.DONE:
            result.finished += 1
            result.bytes += job.done
        elif job.state is JobState.FAILED:
            result.failed += 1
            result.failures.append((job.label, job.message))
        elif job.state is JobState.SKIPPED:
            result.skipped += 1
        elif job.state is JobState.CANCELLED:
            result.cancelled += 1
    result.seconds = max(0.0, last - first) if first is not None else 0.0
    return result


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
