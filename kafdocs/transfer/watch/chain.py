"""One watched file's chain: journal, upload, then Filed/ (or delete, or keep) — or Failed/.

It runs as a transfer job on the queue's worker threads. Every step is journaled
before it is taken, so a chain cut short at any point (a crash, ``kill -9``, a lost
answer that the engine retries) is finished or undone by the next attempt:

- a document that the journal does not name yet but that holds the whole file is
  adopted (its link is completed, which can be repeated); a new version of an
  existing document is simply sent again (the server keeps one file either way);
- a document that holds no file is deleted: the CRM never keeps an empty document;
- a confirmed document is never sent again: only the file's move is left to do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import errno
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafdocs.api import (
    AccessDenied,
    AuthError,
    Cancelled,
    CertificateError,
    Client,
    KafdocsError,
    NotKafinea,
)
from kafdocs.i18n import _
from kafdocs.transfer.engine import JobContext, Skipped, describe_os_error
from kafdocs.transfer.localfile import check_uploadable
from kafdocs.transfer.records import JobRecord
from kafdocs.transfer.upload import (
    OnDuplicate,
    UploadRequest,
    complete,
    find_duplicates,
    upload,
)

from .journal import Chain, Identity, Journal
from .rules import FAILED, FILED, unique_target

log = logging.getLogger(__name__)


class AfterFiling(enum.Enum):
    MOVE = "move"  # into DIR/Filed/
    DELETE = "delete"
    KEEP = "keep"  # left in place and remembered


@dataclass(frozen=True)
class WatchSettings:
    """One watched directory: picklable, so the app's helper process can run it."""

    directory: Path
    folder_id: str
    link_to: str | None = None
    after: AfterFiling = AfterFiling.MOVE
    recursive: bool = False
    settle: float = 2.0
    on_duplicate: OnDuplicate = OnDuplicate.KEEP
    rescan: float = 10.0  # seconds between two full scans, the safety net under events


class Outcome(enum.Enum):
    FILED = "filed"
    FAILED = "failed"  # for good: the file is in Failed/ with its reason
    CHANGED = "changed"  # the file changed after it settled: watch it settle again
    GONE = "gone"  # the file went away before it was filed


@dataclass
class Filing:
    """One attempt of the watcher to file one file, shared by the job and the watcher."""

    path: str  # relative to the watched directory
    identity: Identity  # (size, mtime) when it settled
    outcome: Outcome | None = None  # None once the job ended: try again later
    record: dict[str, Any] = field(default_factory=dict)  # the document, once filed
    reason: str = ""
    job: JobRecord | None = None  # its record, once submitted


def identity_of(path: Path) -> Identity | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def stays_for_later(exc: BaseException) -> bool:
    """Failures of the server or the account, not of the file: keep it and try later."""
    if isinstance(exc, KafdocsError):
        return exc.transient or isinstance(exc, AuthError | CertificateError | NotKafinea)
    return not isinstance(exc, OSError)  # an unexpected error: never lose the file


class Filer:
    """Runs the chains of one watched directory."""

    def __init__(self, client: Client, settings: WatchSettings, journal: Journal) -> None:
        self.client = client
        self.settings = settings
        self.journal = journal
        self.directory = settings.directory

    # -- the job ----------------------------------------------------------------
    def run(self, filing: Filing, ctx: JobContext) -> str:
        """One attempt of the queue's job; the engine retries what is transient."""
        path = self.directory / filing.path
        now = identity_of(path)
        chain = self.journal.open_chain(filing.path)
        if now is None:
            return self._gone(filing, chain)
        if chain is not None and chain.doc and chain.identity == now:  # only the move is left
            return self._filed(filing, {"id": chain.doc, "note_no": chain.number})
        if now != filing.identity:
            filing.outcome = Outcome.CHANGED
            raise Skipped(_("{name} changed; it will be filed once it stops changing")
                          .format(name=filing.path))
        try:
            record = self._send(filing, chain, ctx)
        except (Cancelled, Skipped) as exc:
            if isinstance(exc, Skipped):  # --on-duplicate skip: the file goes to Failed/
                self.fail(filing, self.journal.open_chain(filing.path), str(exc))
            raise
        except (KafdocsError, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno == errno.ENOENT:
                return self._gone(filing, self.journal.open_chain(filing.path))
            if stays_for_later(exc):
                raise
            self.fail(filing, self.journal.open_chain(filing.path), _reason(exc))
            raise
        return self._filed(filing, record)

    def _send(self, filing: Filing, chain: Chain | None,
              ctx: JobContext) -> dict[str, Any]:
        """The confirmed document: adopted from an earlier attempt, or sent now."""
        request = dataclasses.replace(self.request(filing.path), expect=filing.identity)
        if chain is None:
            check_uploadable(request.path)
            same_name = self._same_name(filing.path)
            chain = self.journal.begin(filing.path, filing.identity,
                                       [d["id"] for d in same_name])
            request = dataclasses.replace(request, duplicates=tuple(same_name))
        else:
            # the documents of that name when the chain began, for the folder's policy
            request = dataclasses.replace(
                request, duplicates=tuple({"id": doc_id} for doc_id in chain.existing))
            adopted = self.reconcile(chain, adopt=chain.identity == filing.identity)
            if adopted is not None:
                complete(self.client, request, adopted)
                self.journal.record(chain, "confirmed", doc=adopted["id"],
                                    number=adopted.get("note_no", ""))
                return adopted
            if chain.identity != filing.identity:  # what an earlier attempt sent was stale
                self.journal.record(chain, "restart", size=filing.identity[0],
                                    mtime_ns=filing.identity[1])
        if chain.existing and request.on_duplicate is OnDuplicate.SKIP:
            raise Skipped(_("A document with the file name {name!r} is already in this folder")
                          .format(name=request.path.name))
        record = upload(self.client, request, ctx)
        self.journal.record(chain, "confirmed", doc=record["id"],
                            number=record.get("note_no", ""))
        return record

    def request(self, relative: str) -> UploadRequest:
        s = self.settings
        return UploadRequest(self.directory / relative, s.folder_id, link_to=s.link_to,
                             on_duplicate=s.on_duplicate)

    def _same_name(self, relative: str) -> list[dict[str, Any]]:
        name = Path(relative).name
        return find_duplicates(self.client, self.settings.folder_id, [name]).get(name, [])

    # -- what an interrupted chain left on the server ------------------------------
    def reconcile(self, chain: Chain, adopt: bool) -> dict[str, Any] | None:
        """Find the document an earlier attempt of ``chain`` made; adopt it or undo it.

        Candidates are the documents of the same name in the folder that were not there
        when the chain began and belong to this user. One that holds the whole file is
        adopted (``adopt``, the file has not changed since); one without a file is
        deleted. A complete document that cannot be proven ours is left alone.
        """
        adopted = None
        for row in self._same_name(chain.path):
            if row["id"] in chain.existing:
                continue
            try:
                record = self.client.retrieve(row["id"])
            except AccessDenied:
                continue  # deleted meanwhile
            if record.get("assigned_user_id") != self.client.user_id:
                continue
            has_file = bool(record.get("imageattachmentids"))
            whole = has_file and str(record.get("filesize")) == str(chain.size)
            if adopt and whole and adopted is None:
                adopted = record
            elif not has_file or whole:
                log.info("removing %s, left by an interrupted filing of %s",
                         record["id"], chain.path)
                with contextlib.suppress(AccessDenied):
                    self.client.delete(record["id"])
        return adopted

    # -- endings ------------------------------------------------------------------
    def _filed(self, filing: Filing, record: dict[str, Any]) -> str:
        chain = self.journal.open_chain(filing.path)
        assert chain is not None and chain.doc
        filing.record = record
        self.after_filing(chain)
        filing.outcome = Outcome.FILED
        return _("filed as {id}").format(id=record.get("note_no") or record["id"])

    def after_filing(self, chain: Chain) -> None:
        """Move, delete or keep the filed file; safe to repeat after a crash."""
        path = self.directory / chain.path
        present = identity_of(path) == chain.identity  # else it changed or went: leave it
        after = self.settings.after
        if after is AfterFiling.KEEP:
            self.journal.record(chain, "done", outcome="kept")
        elif after is AfterFiling.DELETE:
            if present:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            self.journal.record(chain, "done", outcome="deleted")
        else:
            if not chain.target:
                target = unique_target(self.directory / FILED, chain.path)
                self.journal.record(chain, "moving",
                                    target=target.relative_to(self.directory).as_posix())
            if present:
                self._move(path, self.directory / chain.target)
            self.journal.record(chain, "done", outcome="moved")

    def fail(self, filing: Filing, chain: Chain | None, reason: str) -> None:
        """Move the file into Failed/ with ``NAME.reason.txt`` beside it."""
        if chain is None:
            chain = self.journal.begin(filing.path, filing.identity, [])
        target = unique_target(self.directory / FAILED, chain.path)
        self.journal.record(chain, "failing", reason=reason,
                            target=target.relative_to(self.directory).as_posix())
        self.finish_failing(chain)
        filing.outcome, filing.reason = Outcome.FAILED, reason

    def finish_failing(self, chain: Chain) -> None:
        target = self.directory / chain.target
        if (self.directory / chain.path).exists():
            self._move(self.directory / chain.path, target)
        note = target.with_name(target.name + ".reason.txt")
        note.write_text(_("kafdocs could not file {name} into the CRM:\n{reason}\n\n"
                          "Once the problem is solved, move the file back into the watched "
                          "folder to file it again.\n").format(name=chain.path,
                                                                reason=chain.reason),
                        encoding="utf-8")
        self.journal.record(chain, "done", outcome="failed")

    def _gone(self, filing: Filing, chain: Chain | None) -> str:
        """The file went away: whatever a begun chain sent is kept if whole."""
        adopted = self.reconcile(chain, adopt=True) if chain is not None else None
        if chain is not None and adopted is not None:
            complete(self.client, self.request(chain.path), adopted)
            self.journal.record(chain, "confirmed", doc=adopted["id"],
                                number=adopted.get("note_no", ""))
            self.journal.record(chain, "done", outcome="gone")
            filing.record, filing.outcome = adopted, Outcome.FILED
            return _("filed as {id}").format(id=adopted.get("note_no") or adopted["id"])
        if chain is not None:
            self.journal.record(chain, "done", outcome="gone")
        filing.outcome = Outcome.GONE
        raise Skipped(_("{name} is no longer in the watched folder").format(name=filing.path))

    @staticmethod
    def _move(source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # taken since the journal chose it
            target = unique_target(target.parent, target.name)
        os.rename(source, target)


def _reason(exc: BaseException) -> str:
    return describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
