"""The hot folder: file what lands in a directory, once and complete.

File-system events (``watchdog``) say quickly that something changed; they get lost
on network shares and when the kernel's queue overflows, so a full scan every
``rescan`` seconds is the safety net. A changed file is watched until it settles
(``settle.py``), then filed by a job on the ordinary transfer queue (``chain.py``):
the same parallel workers, retries and events as any upload, so a burst of a
thousand files is a thousand queued uploads.

Threads: watchdog's observer only marks paths dirty and wakes this watcher's own
thread, which stats, settles and submits; jobs run on the queue's workers and report
back through the queue's events. Idle, the watcher's thread sleeps until an event or
the next scan: no polling loop.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kafdocs.api import Client, KafdocsError
from kafdocs.api.retry import RetryPolicy
from kafdocs.i18n import _
from kafdocs.transfer.engine import Job, TransferQueue, describe_os_error
from kafdocs.transfer.records import FINAL_EVENTS, JobEvent, JobState

from .chain import AfterFiling, Filer, Filing, Outcome, WatchSettings, identity_of
from .journal import DirectoryLock, Identity, Journal
from .rules import hidden_attribute, server_key, watched
from .settle import Settler

log = logging.getLogger(__name__)
# a file the server could not take (down, unreachable) stays and is tried again later:
# the one retry policy, on the scale of a folder watched all day
LATER = RetryPolicy(first_delay=10.0, factor=2.0)
LATER_MAX = 600.0
CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed"})  # watchdog's kinds
STOP_MARGIN = 3.0  # of the stop timeout, kept to roll back uploads still running


class WatchError(KafdocsError):
    """The directory cannot be watched."""


@dataclass(frozen=True)
class WatchEvent:
    """What the watcher tells its user: one line of the CLI, a notification in the app."""

    kind: str  # filed | failed | later | problem (the folder cannot be read) | resumed
    path: str  # relative to the watched directory
    directory: str
    doc_id: str = ""
    number: str = ""
    reason: str = ""
    retry_in: float = 0.0


WatchListener = Callable[[WatchEvent], None]


class Watcher:
    """Watches one directory and files what settles there into one CRM folder."""

    def __init__(self, client: Client, queue: TransferQueue, settings: WatchSettings,
                 listener: WatchListener | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        settings = dataclasses.replace(settings, directory=settings.directory.resolve())
        self.settings = settings
        self.directory = settings.directory
        self.client = client
        self.queue = queue
        self.listener = listener
        self.clock = clock
        self.poll = min(0.5, max(0.05, settings.settle / 4))  # re-stat files settling
        # re-entrant: a queue that was shut down ends a submitted job inside submit()
        self._lock = threading.RLock()
        self._ended = threading.Condition(self._lock)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._settler = Settler(settings.settle, clock)
        self._dirty: set[str] = set()
        self._rescan_due = 0.0
        self._jobs: dict[int, Filing] = {}  # job id → its filing, while queued or running
        self._filing: dict[str, Filing] = {}  # path → the same filings
        self._later: dict[str, float] = {}  # path → when to try again
        self._failures: dict[str, int] = {}  # path → failed attempts in a row
        self._paused: dict[str, Identity] = {}  # cancelled by the user: until it changes
        self._kept: dict[str, Identity] = {}
        self._names: dict[str, str] = {}  # server name → the path being filed under it
        self._blocked: dict[str, set[str]] = {}  # server name → paths waiting for it
        self._dirlock = DirectoryLock(self.directory)
        self._journal: Journal | None = None
        self._filer: Filer | None = None
        self._observer: object | None = None
        self._problem = ""  # why the folder cannot be read, once said
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------
    def start(self) -> Watcher:
        """Take the directory, finish what a previous run left, then watch."""
        if not self.directory.is_dir():
            raise WatchError(_("{directory} is not a folder").format(directory=self.directory))
        self._dirlock.acquire()
        try:
            self._journal = Journal(self.directory)
            self._filer = Filer(self.client, self.settings, self._journal)
            self._kept = self._journal.kept()
            self.queue.subscribe(self._on_job_event)
            self._recover()
            self._journal.compact()
        except BaseException:
            self._dirlock.release()
            raise
        self._observer = self._observe()
        self._thread = threading.Thread(target=self._run, name="kafdocs-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 8.0) -> None:
        """Stop watching; uploads still running after a grace time are rolled back."""
        deadline = time.monotonic() + timeout
        self._stopping.set()
        self._wake.set()
        if self._observer is not None:
            # Not waited for: watchdog's stop joins its threads, which hold a name moved
            # away (a file filed) for half a second to pair it with its arrival. Nothing
            # the observer says now matters; its threads end on their own.
            threading.Thread(target=self._observer.stop,  # type: ignore[attr-defined]
                             name="kafdocs-watch-observer-stop", daemon=True).start()
        if self._thread is not None:
            self._thread.join()
        # cancelled outside the lock: a job cancelled while it waits ends at once, and
        # its end comes back to _on_job_event on this very thread
        with self._lock:
            waiting = [f.job.id for f in self._jobs.values()
                       if f.job is not None and f.job.state is JobState.QUEUED]
        for job_id in waiting:
            self.queue.cancel(job_id)
        with self._ended:
            self._ended.wait_for(lambda: not self._jobs,
                                 max(0.0, deadline - STOP_MARGIN - time.monotonic()))
            running = [f.job.id for f in self._jobs.values() if f.job is not None]
        for job_id in running:
            self.queue.cancel(job_id)
        with self._ended:
            self._ended.wait_for(lambda: not self._jobs, max(0.0, deadline - time.monotonic()))
        if self._journal is not None:
            self._journal.compact()
            self._journal.close()
        self._dirlock.release()

    @property
    def filing(self) -> int:
        """Files queued or being filed."""
        with self._lock:
            return len(self._jobs)

    # -- what a previous run left -------------------------------------------------
    def _recover(self) -> None:
        """Finish the chains a killed run left; those still to be sent wait for their file.

        A confirmed document only needs its file moved; a file on its way to Failed/
        only needs to get there. A begun chain whose file is gone is settled by a job
        (the server decides whether its document is whole). A begun chain whose file
        is still there goes through the usual settling: it may have been half-written.
        """
        assert self._journal is not None and self._filer is not None
        for chain in self._journal.open_chains():
            if chain.reason:
                self._filer.finish_failing(chain)
                self._emit(WatchEvent("failed", chain.path, str(self.directory),
                                      reason=chain.reason))
            elif chain.doc:
                self._filer.after_filing(chain)
                self._emit(WatchEvent("filed", chain.path, str(self.directory),
                                      doc_id=chain.doc, number=chain.number))
            elif identity_of(self.directory / chain.path) is None:
                with self._lock:
                    self._submit(chain.path, chain.identity)

    # -- the watcher's thread -----------------------------------------------------
    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._tick()
            except Exception:  # a bug must not end the watch silently
                log.exception("watching %s failed", self.directory)
            self._wake.wait(self._sleep())
            self._wake.clear()

    def _tick(self) -> None:
        now = self.clock()
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            for path, due in list(self._later.items()):
                if due <= now:
                    del self._later[path]
                    dirty.add(path)
            busy = set(self._filing) | set(self._later)
            ignore = {**self._kept, **self._paused}
        if now >= self._rescan_due:
            self._rescan_due = now + self.settings.rescan
            found = set(self._scan())
            for path in self._settler.paths():
                if path not in found:
                    self._settler.forget(path)
            dirty |= found
        for path in dirty | set(self._settler.paths()):
            self._look(path, busy, ignore)
        self._start_ready()

    def _sleep(self) -> float:
        """Until the next scan, the next retry, or the next look at a settling file."""
        now = self.clock()
        wake = [self._rescan_due]
        if len(self._settler):
            wake.append(now + self.poll)
        with self._lock:
            wake += self._later.values()
            if self._dirty:
                wake.append(now)
        return max(0.0, min(wake) - now)

    def _scan(self) -> Iterator[str]:
        """Every file that may be filed, by a walk of the directory."""
        stack = [""]
        while stack:
            prefix = stack.pop()
            try:
                entries = list(os.scandir(self.directory / prefix))
            except OSError as exc:
                log.info("cannot read %s: %s", self.directory / prefix, exc)
                if not prefix:
                    self._unreadable(exc)
                continue
            if not prefix and self._problem:
                self._problem = ""
                self._emit(WatchEvent("resumed", "", str(self.directory)))
            for entry in entries:
                relative = f"{prefix}{entry.name}"
                if not watched(relative, self.settings.recursive):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if self.settings.recursive:
                        stack.append(relative + "/")
                elif entry.is_file():
                    yield relative

    def _unreadable(self, exc: OSError) -> None:
        """The folder went away (a share unmounted, a drive unplugged): say so once."""
        reason = describe_os_error(exc)
        if reason != self._problem:
            self._problem = reason
            self._emit(WatchEvent("problem", "", str(self.directory), reason=reason))

    def _look(self, path: str, busy: set[str], ignore: dict[str, Identity]) -> None:
        if path in busy or not watched(path, self.settings.recursive):
            return
        try:
            info = os.stat(self.directory / path)
        except OSError:
            info = None
        if info is None or not stat.S_ISREG(info.st_mode) or hidden_attribute(info):
            self._settler.forget(path)
            return
        identity = (info.st_size, info.st_mtime_ns)
        if ignore.get(path) == identity:
            self._settler.forget(path)
        else:
            self._settler.observe(path, identity)

    def _start_ready(self) -> None:
        ready = self._settler.ready()
        if not ready:
            return
        assert self._journal is not None
        open_names = {server_key(Path(c.path).name): c.path
                      for c in self._journal.open_chains()}
        for path, identity in ready:
            if not _openable(self.directory / path):
                self._settler.restart(path)  # still held by its writer (Windows)
                continue
            self._settler.forget(path)
            key = server_key(Path(path).name)
            with self._lock:
                if key in self._names or open_names.get(key, path) != path:
                    # one document of a name at a time: a crashed chain finds its own
                    self._blocked.setdefault(key, set()).add(path)
                elif path not in self._filing:
                    self._submit(path, identity)

    def _submit(self, path: str, identity: Identity) -> None:
        """Called with the lock held, so the job's end cannot overtake its registration."""
        assert self._filer is not None
        filing = Filing(path, identity)
        full = self.directory / path
        job = Job(label=path, run=functools.partial(self._filer.run, filing), kind="upload",
                  total=identity[0], meta={"path": str(full), "folder_id":
                                           self.settings.folder_id,
                                           "watched": str(self.directory)})
        self._filing[path] = filing
        self._names[server_key(Path(path).name)] = path
        self._paused.pop(path, None)
        filing.job = self.queue.submit(job)
        self._jobs[filing.job.id] = filing

    # -- the end of a job (a worker thread) --------------------------------------------
    def _on_job_event(self, event: JobEvent) -> None:
        if event.kind not in FINAL_EVENTS:
            return
        with self._lock:
            filing = self._jobs.pop(event.job_id, None)
            if filing is None:
                return
            self._filing.pop(filing.path, None)
            before = (len(self._dirty), len(self._later))
            report = self._ended_locked(filing, event)
            key = server_key(Path(filing.path).name)
            self._names.pop(key, None)
            self._dirty |= self._blocked.pop(key, set())
            more_to_do = (len(self._dirty), len(self._later)) != before
            self._ended.notify_all()
        if more_to_do:  # a burst's thousand endings need no look at the directory
            self._wake.set()
        if report is not None:
            self._emit(report)

    def _ended_locked(self, filing: Filing, event: JobEvent) -> WatchEvent | None:
        directory, path = str(self.directory), filing.path
        if filing.outcome is Outcome.FILED:
            self._failures.pop(path, None)
            if self.settings.after is AfterFiling.KEEP:
                self._kept[path] = filing.identity
            return WatchEvent("filed", path, directory, doc_id=filing.record.get("id", ""),
                              number=filing.record.get("note_no", ""))
        if filing.outcome is Outcome.FAILED:
            self._failures.pop(path, None)
            return WatchEvent("failed", path, directory, reason=filing.reason)
        if filing.outcome is Outcome.CHANGED:
            self._dirty.add(path)
            return None
        if filing.outcome is Outcome.GONE:
            return None
        if event.kind == JobState.CANCELLED.value:
            if not self._stopping.is_set():  # the user cancelled it: not this version
                self._paused[path] = filing.identity
            return None
        failures = self._failures.get(path, 0) + 1
        self._failures[path] = failures
        delay = min(LATER_MAX, LATER.delay(failures))
        self._later[path] = self.clock() + delay
        return WatchEvent("later", path, directory, reason=event.message, retry_in=delay)

    def _emit(self, event: WatchEvent) -> None:
        if self.listener is not None:
            try:
                self.listener(event)
            except Exception:
                log.exception("watch listener failed")

    # -- file-system events ---------------------------------------------------------
    def _observe(self) -> object | None:
        """watchdog's observer, or None (then the scans alone find new files)."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                watcher._changed(event)

        observer = Observer()
        try:
            observer.schedule(Handler(), str(self.directory), recursive=self.settings.recursive)
            observer.start()
        except OSError as exc:  # e.g. the inotify watch limit
            log.warning("no file-system events for %s (%s): scanning every %.0f s",
                        self.directory, exc, self.settings.rescan)
            return None
        return observer

    def _changed(self, event: object) -> None:
        """An observer thread: note the paths, wake the watcher's thread."""
        if getattr(event, "event_type", "") not in CHANGES:
            return  # opened, read and closed (by us, too): nothing changed
        paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
        relatives = [self._relative(os.fsdecode(raw)) for raw in paths if raw]
        relatives = [r for r in relatives if r and watched(r, self.settings.recursive)]
        if getattr(event, "is_directory", False):
            if not relatives or getattr(event, "event_type", "") not in ("created", "moved"):
                return  # a directory's own change (a file came or went): its file says so
            with self._lock:
                self._rescan_due = 0.0  # a directory created or moved in: walk it
            self._wake.set()
            return
        with self._lock:
            if not any(r not in self._filing for r in relatives):
                return  # a file being filed (moved into Filed/, say): nothing to look at
            self._dirty.update(relatives)
        self._wake.set()

    def _relative(self, raw: str) -> str:
        try:
            return Path(raw).relative_to(self.directory).as_posix()
        except ValueError:
            return ""


def _openable(path: Path) -> bool:
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False
