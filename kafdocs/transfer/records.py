"""What is known of the transfers: one record per job, in one table, changed by events only.

The job's work (what to run, its cancel switch) lives where it runs; everyone else —
the in-process queue, the app's mirror of the helper process, the transfer panel, the
terminal progress line — reads a ``JobTable`` that ``apply(event)`` alone changes. One
state machine, whatever the process: a record travels as plain data (it pickles), and
the events that change it are the ones every listener already receives.

Jobs are grouped in batches (one request: these files, that folder); a batch is summed
up on its own, stops early on its own when the server is down, and is forgotten on its
own, so memory stays bounded however long the app runs.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from kafdocs.api.client import ClientFacts
from kafdocs.i18n import _, decimal, ngettext


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"  # waiting before the next try, after an exchange was lost
    DONE = "finished"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in FINAL_STATES

    @property
    def retryable(self) -> bool:
        return self in (JobState.FAILED, JobState.CANCELLED)


FINAL_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.SKIPPED,
                          JobState.CANCELLED})
# the event kinds that end a job: its final JobState's values
FINAL_EVENTS = frozenset(state.value for state in FINAL_STATES)


@dataclass
class JobRecord:
    """One job as everyone may see it: plain data, changed only by ``JobTable.apply``."""

    id: int
    batch: int
    batch_size: int  # how many jobs its batch has: the batch is complete when all arrived
    label: str
    kind: str = "transfer"  # upload | download
    total: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    state: JobState = JobState.QUEUED
    done: int = 0
    message: str = ""
    attempts: int = 0  # tries started since it was queued
    started_at: float = 0.0  # time.monotonic() of the process that applied the event
    finished_at: float = 0.0

    @property
    def reason(self) -> str:
        """Its message for a line that names the job already: a check that names its
        file ("contrat.pdf: the file is empty…") does not say the name twice."""
        return self.message.removeprefix(f"{self.label}: ")


@dataclass(frozen=True)
class JobEvent:
    """Something that happened to a job; the only way its record changes.

    kinds: queued | started | progress | retrying | finished | failed | skipped |
    cancelled, plus ``halted`` (the job's batch stopped early, ``message`` says why) and
    ``learned`` (the client learned ``facts`` about the server while running the job).
    """

    job_id: int
    kind: str
    done: int = 0
    total: int = 0
    message: str = ""
    record: JobRecord | None = None  # with "queued": the record, for a table new to it
    meta: dict[str, Any] | None = None  # with the final event: what the job found out
    facts: ClientFacts | None = None  # with "learned"


@dataclass
class Batch:
    id: int
    size: int
    jobs: list[int] = field(default_factory=list)
    open: int = 0  # jobs not in a final state
    halted: str = ""  # why it stopped early, if it did

    @property
    def ended(self) -> bool:
        return self.open == 0 and len(self.jobs) >= self.size


@dataclass
class Summary:
    finished: int = 0
    failed: int = 0
    skipped: int = 0
    cancelled: int = 0
    bytes: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (label, reason) of those
    # that ran; the others were not started (a batch that stopped early, a lost helper)
    halted: str = ""  # why the batch stopped early
    not_started: int = 0  # failed jobs that never ran because it stopped

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
        text = _("{counts} — {size} MB in {seconds} s ({rate} MB/s)").format(
            counts=self.counts(), size=decimal(self.bytes / 1e6), seconds=decimal(self.seconds),
            rate=decimal(rate))
        if self.halted:
            text += "\n" + ngettext(
                "Stopped early, {count} not started: {reason}",
                "Stopped early, {count} not started: {reason}",
                self.not_started).format(count=self.not_started, reason=self.halted)
        return text


class JobTable:
    """Every job's record, by id and by batch. ``apply`` is the one writer (any thread)."""

    def __init__(self) -> None:
        self.records: dict[int, JobRecord] = {}
        self.batches: dict[int, Batch] = {}
        self.open = 0  # records not in a final state
        self._lock = threading.RLock()

    def get(self, job_id: int) -> JobRecord | None:
        return self.records.get(job_id)

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[JobRecord]:
        with self._lock:
            return iter(list(self.records.values()))

    def apply(self, event: JobEvent) -> JobRecord | None:
        """Change the event's record; returns it, or None for a job this table forgot."""
        with self._lock:
            record = self.records.get(event.job_id)
            if event.kind == "queued":
                return self._queued(record, event)
            if record is None:
                return None
            batch = self.batches[record.batch]
            if event.kind == "halted":
                batch.halted = event.message
            elif event.kind == "learned" or record.state.final:
                pass  # late progress of an ended job changes nothing
            elif event.kind == "started":
                record.state, record.started_at = JobState.RUNNING, time.monotonic()
                record.attempts = 1
            elif event.kind in ("progress", "retrying"):
                record.done, record.total = event.done, event.total or record.total
                if event.kind == "retrying":
                    record.state, record.message = JobState.RETRYING, event.message
                    record.attempts += 1
                elif record.state is JobState.RETRYING:
                    record.state = JobState.RUNNING
            elif event.kind in FINAL_EVENTS:
                record.state, record.message = JobState(event.kind), event.message
                record.done, record.total = event.done, event.total or record.total
                record.finished_at = time.monotonic()
                record.meta.update(event.meta or {})
                self.open -= 1
                batch.open -= 1
            return record

    def _queued(self, record: JobRecord | None, event: JobEvent) -> JobRecord | None:
        """A new job, or an ended one queued again (retried)."""
        if record is None:
            if event.record is None:
                return None
            record = event.record
            self.records[record.id] = record
            batch = self.batches.setdefault(record.batch, Batch(record.batch, record.batch_size))
            batch.jobs.append(record.id)
        elif not record.state.final:
            return record
        batch = self.batches[record.batch]
        batch.halted = ""
        batch.open += 1
        self.open += 1
        record.state, record.done, record.message, record.attempts = JobState.QUEUED, 0, "", 0
        record.started_at = record.finished_at = 0.0
        return record

    # -- reading ------------------------------------------------------------
    def batch_ids(self, batch: int) -> list[int]:
        with self._lock:
            found = self.batches.get(batch)
            return list(found.jobs) if found else []

    def batch_records(self, batch: int) -> list[JobRecord]:
        with self._lock:
            found = self.batches.get(batch)
            return [self.records[i] for i in found.jobs] if found else []

    def batch_ended(self, batch: int) -> bool:
        found = self.batches.get(batch)
        return found is not None and found.ended

    def summary(self, batch: int | None = None) -> Summary:
        """Counts, bytes and wall time of one batch, or of every job in the table (then
        ``halted`` is the reason of the first batch that stopped early)."""
        with self._lock:
            if batch is None:
                result = summarize(list(self.records.values()))
                result.halted = next((b.halted for b in self.batches.values() if b.halted), "")
                return result
            found = self.batches.get(batch)
            result = summarize(self.batch_records(batch))
            result.halted = found.halted if found else ""
            return result

    def with_state(self, states: Collection[JobState]) -> list[JobRecord]:
        with self._lock:
            return [r for r in self.records.values() if r.state in states]

    # -- forgetting ---------------------------------------------------------
    def forget(self, batch: int, only: Collection[JobState] = FINAL_STATES) -> list[int]:
        """Drop the batch's records in one of the ``only`` states; the batch goes once
        empty. Returns the ids dropped, for the process running the work to drop its own."""
        with self._lock:
            found = self.batches.get(batch)
            if found is None:
                return []
            dropped = [i for i in found.jobs if self.records[i].state in only]
            gone = set(dropped)
            for job_id in dropped:
                record = self.records.pop(job_id)
                if not record.state.final:
                    self.open -= 1
                    found.open -= 1
            found.jobs = [i for i in found.jobs if i not in gone]
            found.size -= len(dropped)
            if not found.jobs:
                del self.batches[batch]
            return dropped


def summarize(records: list[JobRecord]) -> Summary:
    """Counts, bytes and wall time of a set of job records."""
    result = Summary()
    first, last = None, 0.0
    for record in records:
        if record.started_at:
            first = record.started_at if first is None else min(first, record.started_at)
            last = max(last, record.finished_at)
        if record.state is JobState.DONE:
            result.finished += 1
            result.bytes += record.done
        elif record.state is JobState.FAILED and not record.started_at:
            result.failed += 1
            result.not_started += 1
        elif record.state is JobState.FAILED:
            result.failed += 1
            result.failures.append((record.label, record.reason))
        elif record.state is JobState.SKIPPED:
            result.skipped += 1
        elif record.state is JobState.CANCELLED:
            result.cancelled += 1
    result.seconds = max(0.0, last - first) if first is not None else 0.0
    return result
