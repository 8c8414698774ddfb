"""The transfers the desktop app asks for, in picklable terms, run on one queue.

Requests say what to move (these files into that folder, these documents, that whole
folder, one document into the cache), never how: the jobs are made here, next to the
client that runs them. That is what lets the app run this service in a helper process
(``helper.py``) with the very same methods, so transfer threads never take the GIL
from the GUI thread. Tests and scripts may run it in their own process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from kafdocs.api import Client

from .cache import cache_target, prepare_cache
from .download import document_job, document_jobs
from .engine import Listener, TransferQueue
from .folders import Folder
from .manifest import Manifest
from .product_images import ImageRequest, image_job
from .records import FINAL_EVENTS, FINAL_STATES, JobEvent, JobRecord, JobState, JobTable, Summary
from .sync import SyncReport, keep_if_changed, plan_folder_download
from .upload import UploadRequest, upload_job
from .watch import WatchEvent, WatchListener, WatchSettings
from .watch.group import WatchGroup

log = logging.getLogger(__name__)


class FolderQueued(NamedTuple):
    """What a folder download found: documents queued, documents already up to date,
    and what was done without a transfer (renamed, removed, kept: ``sync.py``)."""

    to_fetch: int
    up_to_date: int
    report: SyncReport
    batch: int = 0  # the batch of its fetches, when there are some


class Transfers(Protocol):
    """What the app may ask of its transfers, wherever they run.

    Each request is one batch of jobs. What is known of them is in ``table`` (see
    records.py), kept up to date before the listeners hear of an event.
    """

    table: JobTable

    @property
    def jobs(self) -> dict[int, JobRecord]: ...
    def upload(self, requests: Sequence[UploadRequest | ImageRequest]) -> None: ...
    def download(self, records: list[dict[str, Any]], dest: Path) -> None: ...
    def download_folder(self, folder: Folder, dest: Path,
                        mirror: bool = False) -> FolderQueued: ...
    def fetch(self, record: dict[str, Any], cache_root: Path,
              background: bool = False) -> None: ...
    def watch(self, wanted: list[WatchSettings]) -> dict[str, str]: ...
    def subscribe_watch(self, listener: WatchListener) -> None: ...
    def cancel(self, job_id: int) -> None: ...
    def cancel_all(self) -> None: ...
    def retry_failed(self) -> object: ...
    def forget(self, batch: int, only: Collection[JobState] = FINAL_STATES) -> object: ...
    def subscribe(self, listener: Listener) -> None: ...
    def summary(self, batch: int | None = None) -> Summary: ...
    def wait(self, timeout: float | None = None) -> bool: ...
    def shutdown(self, cancel: bool = True, timeout: float = 10.0) -> None: ...

    @property
    def busy(self) -> bool: ...


class TransferService(TransferQueue):
    """A queue with a client: every request becomes jobs on the queue at once."""

    def __init__(self, client: Client, workers: int = 4, *,
                 first_id: int | None = None) -> None:
        super().__init__(workers, retry=client.retry_policy, first_id=first_id)
        self.client = client
        self._facts = client.facts()  # as last told to the listeners
        self._open_plans: dict[int, Manifest] = {}  # folder downloads' batches
        self._plans_lock = threading.RLock()
        self._prepared: set[Path] = set()  # cache roots created and cleaned by this process
        self._watch_listeners: list[WatchListener] = []
        self._watching: WatchGroup | None = None
        self.subscribe(self._compact_finished_plans)

    # -- requests -----------------------------------------------------------
    def upload(self, requests: Sequence[UploadRequest | ImageRequest]) -> None:
        """Files to file as documents, or to add to a product's pictures: one batch."""
        if requests:
            self._yield_to_replace({r.replace_id for r in requests
                                    if isinstance(r, UploadRequest) and r.replace_id})
            self.submit_batch([
                image_job(self.client, request) if isinstance(request, ImageRequest)
                else upload_job(self.client, request) for request in requests])

    def download(self, records: list[dict[str, Any]], dest: Path) -> None:
        if records:
            self.submit_batch(document_jobs(self.client, records, dest))

    def download_folder(self, folder: Folder, dest: Path,
                        mirror: bool = False) -> FolderQueued:
        """List the folder (slow: call it off the GUI thread), follow its renames (and,
        with ``mirror``, its departures) and queue what changed.

        The folder's manifest is compacted once every job of the batch has ended: the
        one way a folder download is planned and finished, for the app and the CLI.
        """
        plan = plan_folder_download(self.client, folder, dest, mirror=mirror)
        if not plan.jobs:
            plan.manifest.compact()
            return FolderQueued(0, plan.up_to_date, plan.report)
        with self._plans_lock:  # a job may end before its batch is known here
            (first, *_others) = self.submit_batch(plan.jobs)
            self._open_plans[first.batch] = plan.manifest
        return FolderQueued(len(plan.jobs), plan.up_to_date, plan.report, first.batch)

    def fetch(self, record: dict[str, Any], cache_root: Path,
              background: bool = False) -> None:
        """One document into the app's cache under ``cache_root``, to open or drag it.
        ``background``: fetched ahead of a drag, not asked for; the job's record says so
        (``meta["background"]``) for the views to leave it out. Such a fetch yields to a
        new version of the document: cancelled when one is sent, or while one is.

        The place is ``cache_target``'s, which the app asks too; an id that is no id
        raises ``BadAnswer`` before anything is created. The copy's manifest records
        what was written; a copy the user changed is never replaced (``cache.py``).
        """
        target = cache_target(cache_root, self.client.endpoint, record)
        if cache_root not in self._prepared:
            prepare_cache(cache_root)
            self._prepared.add(cache_root)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        manifest = Manifest(target.parent)
        previous = manifest.entries.get(str(record.get("id")))
        guard = keep_if_changed(previous, target.parent) if previous is not None else None
        job = document_job(self.client, record, target.parent, target.name, manifest,
                           before_replace=guard)
        if background:
            job.meta["background"] = True
        queued = self.submit(job)
        if background and self._open_jobs(
                lambda r: r.kind == "upload" and r.meta.get("replace_id") == record.get("id")):
            self.cancel(queued.id)  # its file is being replaced: ends at once, as asked

    def _yield_to_replace(self, doc_ids: set[str]) -> None:
        """Copies of these documents fetched ahead, unasked, are cancelled: their files
        are about to be replaced, and fetching the old one would fail or be stale."""
        for record in self._open_jobs(lambda r: r.meta.get("background") is True
                                      and r.meta.get("doc_id") in doc_ids):
            self.cancel(record.id)

    def _open_jobs(self, wanted: Callable[[JobRecord], bool]) -> list[JobRecord]:
        return [r for r in self.table if not r.state.final and wanted(r)]

    def retry_failed(self) -> int:
        """A file refused as too large may fit now (the limit was raised): the limits
        learned so far are checked again rather than refusing it before sending."""
        self.client.forget_limits()
        self._facts = self.client.facts()
        return super().retry_failed()

    def watch(self, wanted: list[WatchSettings]) -> dict[str, str]:
        """Watch exactly these folders, filing on this queue (slow: not on the GUI thread).

        Returns why a folder could not be watched, by folder.
        """
        if self._watching is None:
            self._watching = WatchGroup(self.client, self, self._watch_event)
        return self._watching.apply(wanted)

    def subscribe_watch(self, listener: WatchListener) -> None:
        self._watch_listeners.append(listener)

    def _watch_event(self, event: WatchEvent) -> None:
        for listener in list(self._watch_listeners):
            try:
                listener(event)
            except Exception:  # a broken view must not stop the watchers
                log.exception("watch listener failed")

    def shutdown(self, cancel: bool = True, timeout: float = 10.0) -> None:
        """Stop watching (uploads in flight finished or rolled back), then the queue."""
        started = time.monotonic()
        if self._watching is not None:
            self._watching.stop(timeout)
        super().shutdown(cancel, max(1.0, timeout - (time.monotonic() - started)))

    # -- folder manifests ---------------------------------------------------
    def _compact_finished_plans(self, event: JobEvent) -> None:
        """Rewrite a folder's manifest once every job of its batch has ended."""
        record = self.table.get(event.job_id)
        if event.kind not in FINAL_EVENTS or record is None:
            return
        with self._plans_lock:
            if not self.table.batch_ended(record.batch):
                return
            manifest = self._open_plans.pop(record.batch, None)
        if manifest is not None:
            manifest.compact()

    # -- what the client learned --------------------------------------------
    def _job_ended(self, job_id: int) -> None:
        """Tell the listeners what the client learned while running the job (a refused
        size, FileUpload missing): the app's own client wants to know it too."""
        facts = self.client.facts()
        if facts != self._facts:
            self._facts = facts
            self._emit(JobEvent(job_id, "learned", facts=facts))
