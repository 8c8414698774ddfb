"""A local folder that follows a CRM folder from one run to the next.

Documents are known by id (``manifest.py``). For each document the folder lists:

- new → fetched under a name of its own; a file already there that kafdocs did not
  write is never overwritten (the new copy gets a numbered name);
- unchanged → nothing is transferred;
- its file replaced on the server (other file ids or size; where the ids were not
  recorded, by an older version, another modification time) → fetched again into the
  same place, or under its new name if it was renamed too, the previous copy replaced
  only once the new one is complete and verified (``download.py``);
- renamed on the server, same file → the local copy is renamed, nothing fetched;
- only its record edited (same file, newer modification time) → the copy's
  modification time follows, nothing fetched;
- its local copy missing → fetched again.

A local copy changed since kafdocs wrote it (its size or modification time differ from
what the manifest recorded) is never overwritten, renamed or removed: it is kept and
listed. Documents that left the folder (moved or deleted) keep their local copies; with
``mirror``, copies still as kafdocs wrote them go to the trash (``trash.py``) — but only
once the server confirms each one is really gone from the folder, so that a listing
that missed rows never removes anything. Files the user added are listed, never touched.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafdocs.api import Client, KafdocsError, Query
from kafdocs.api.servertime import UNKNOWN, ServerZone
from kafdocs.api.values import number
from kafdocs.i18n import _, ngettext

from .download import (
    document_job,
    entry_for,
    expected_size,
    file_ids,
    local_name_source,
    modified_timestamp,
    remove_stale_parts,
)
from .engine import Job
from .folders import Folder, list_documents
from .manifest import Entry, Manifest
from .naming import NameAllocator, id_part, name_key, safe_name
from .records import JobRecord, JobState
from .trash import LOCAL_TRASH, SYSTEM, to_trash

log = logging.getLogger(__name__)
NEW, UPDATED = "new", "updated"  # a fetch job's ``change``
MISSING, UNCHANGED, CHANGED = "missing", "unchanged", "changed"  # a local copy's state


@dataclass
class SyncReport:
    """What a run did or will do to one local folder, besides its fetch jobs (picklable:
    it crosses from the app's transfer helper)."""

    folder: str  # the CRM folder's name
    path: str  # the local folder
    up_to_date: int = 0
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old, new) local names
    removed: list[str] = field(default_factory=list)  # moved to the trash (mirror)
    trash: str = ""  # where: SYSTEM or LOCAL_TRASH
    kept_changed: list[str] = field(default_factory=list)  # changed locally, left alone
    added_locally: list[str] = field(default_factory=list)  # not from the CRM (mirror)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)


@dataclass
class FolderPlan:
    """The jobs of one folder download and what was done without a transfer."""

    folder: Folder
    target: Path
    jobs: list[Job]
    manifest: Manifest
    report: SyncReport

    @property
    def up_to_date(self) -> int:
        return self.report.up_to_date


def plan_folder_download(client: Client, folder: Folder, dest: Path,
                         documents: list[dict[str, Any]] | None = None, *,
                         mirror: bool = False) -> FolderPlan:
    """List the folder, do the local renames (and removals with ``mirror``), and make
    one job per document to fetch."""
    name = safe_name(folder.name, fallback="") or id_part(folder.id).replace("x", "-")
    target = dest / name
    target.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(target)
    manifest = Manifest(target)
    rows = documents if documents is not None else list_documents(client, folder.id)
    plan = FolderPlan(folder, target, [], manifest, SyncReport(folder.name, str(target)))
    _Planner(client, plan).run(sorted(rows, key=lambda r: _id_number(r["id"])), mirror)
    return plan


class _Planner:
    def __init__(self, client: Client, plan: FolderPlan) -> None:
        self.client = client
        self.plan = plan
        self.target = plan.target
        self.manifest = plan.manifest
        self.report = plan.report
        self.names = NameAllocator(self.manifest.names())
        known = {name_key(e.name) for e in self.manifest.entries.values()}
        self.strays = {name_key(n) for n in _local_files(self.target)} - known

    def run(self, rows: list[dict[str, Any]], mirror: bool) -> None:
        for record in rows:
            entry = self.manifest.entries.get(record["id"])
            if entry is None:
                self._new(record)
            else:
                self._known(record, entry)
        if mirror:
            listed = {r["id"] for r in rows}
            self._mirror([e for e in self.manifest.entries.values() if e.doc_id not in listed])
            known = {name_key(e.name) for e in self.manifest.entries.values()}
            self.report.added_locally = sorted(n for n in _local_files(self.target)
                                               if name_key(n) not in known)

    # -- documents the folder lists ---------------------------------------------------
    def _new(self, record: dict[str, Any]) -> None:
        name = self.names.name_for(record["id"], local_name_source(record),
                                   lambda n: self._free(n, record))
        path = self.target / name
        if name_key(name) in self.strays:  # a complete copy left by a run killed
            self.strays.discard(name_key(name))  # before its manifest line: adopted
            self.manifest.record(entry_for(record, name, path))
            self.report.up_to_date += 1
            return
        self._fetch(record, name, NEW)

    def _free(self, name: str, record: dict[str, Any]) -> bool:
        """A name not taken by a file kafdocs did not write (unless it is this document's
        own complete copy, written by a run killed before its manifest line)."""
        return name_key(name) not in self.strays \
            or _adoptable(record, self.target / name, self.client.server_zone)

    def _known(self, record: dict[str, Any], entry: Entry) -> None:
        path = self.target / entry.name
        state = local_state(entry, path)
        source = local_name_source(record)
        renamed = bool(entry.source) and entry.source != source
        same = same_file(entry, record)
        if state == MISSING:
            name = self._rename(record, entry) if renamed else entry.name
            self._fetch(record, name, NEW)
        elif same and not renamed and entry.modifiedtime == record.get("modifiedtime"):
            self.report.up_to_date += 1
        elif state == CHANGED:
            if same and not renamed:
                self.report.up_to_date += 1  # only the record changed: nothing to lose
            else:
                self.report.kept_changed.append(entry.name)
        elif not same:
            name = self._rename(record, entry) if renamed else entry.name
            self._fetch(record, name, UPDATED, previous=entry)
        else:
            self._follow(record, entry, renamed)

    def _follow(self, record: dict[str, Any], entry: Entry, renamed: bool) -> None:
        """Same file, other name or modification time: the copy follows, no transfer."""
        name = entry.name
        try:
            if renamed:
                name = self._rename(record, entry)
                os.rename(self.target / entry.name, self.target / name)
                self.report.renamed.append((entry.name, name))
            else:
                self.report.up_to_date += 1
            stamp = modified_timestamp(record, self.client.server_zone)
            if stamp is not None:
                os.utime(self.target / name, (stamp, stamp))
            self.manifest.record(entry_for(record, name, self.target / name))
        except OSError as exc:
            self.report.failures.append((entry.name, str(exc.strerror or exc)))

    def _rename(self, record: dict[str, Any], entry: Entry) -> str:
        own = name_key(entry.name)
        return self.names.rename(record["id"], local_name_source(record),
                                 lambda n: name_key(n) == own or self._free(n, record))

    def _fetch(self, record: dict[str, Any], name: str, change: str,
               previous: Entry | None = None) -> None:
        guard = keep_if_changed(previous, self.target) if previous is not None else None
        self.plan.jobs.append(document_job(
            self.client, record, self.target, name, self.manifest, change=change,
            previous=previous.name if previous else "", before_replace=guard))

    # -- documents that left the folder ----------------------------------------------
    def _mirror(self, departed: list[Entry]) -> None:
        still_here = _still_in_folder(self.client, self.plan.folder.id,
                                      [e.doc_id for e in departed])
        for entry in departed:
            if entry.doc_id in still_here:
                log.warning("%s is in the folder but was not listed: kept", entry.doc_id)
                continue
            path = self.target / entry.name
            state = local_state(entry, path)
            if state == CHANGED:
                self.report.kept_changed.append(entry.name)
                continue
            if state == UNCHANGED:
                try:
                    self.report.trash = to_trash(path, self.target)
                except OSError as exc:
                    self.report.failures.append((entry.name, str(exc.strerror or exc)))
                    continue
                self.report.removed.append(entry.name)
            self.manifest.forget(entry.doc_id)


class LocalCopyChanged(KafdocsError):
    """The copy a download would replace was changed on this computer meanwhile."""


def keep_if_changed(previous: Entry, folder: Path) -> Callable[[], None]:
    """A check for the moment a download replaces ``previous``: the copy must still be as
    kafdocs wrote it, or the new one is not put in its place."""
    def check() -> None:
        if local_state(previous, folder / previous.name) == CHANGED:
            raise LocalCopyChanged(_("{name} was changed on this computer during the "
                                     "download; it was kept as it is")
                                   .format(name=previous.name))

    return check


def local_state(entry: Entry, path: Path) -> str:
    """MISSING, UNCHANGED (as kafdocs wrote it) or CHANGED (by someone else since)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return MISSING
    except OSError:
        return CHANGED
    if not stat.S_ISREG(info.st_mode):
        return CHANGED
    if entry.stamped:
        same = (info.st_size, info.st_mtime_ns) == (entry.local_size, entry.local_mtime_ns)
    else:  # a line of an older version, which stamped copies in this computer's zone
        stamp = modified_timestamp({"modifiedtime": entry.modifiedtime}, UNKNOWN)
        same = info.st_size == entry.filesize and stamp is not None \
            and int(info.st_mtime) == int(stamp)
    return UNCHANGED if same else CHANGED


def same_file(entry: Entry, record: dict[str, Any]) -> bool:
    """The server still holds the file that was fetched. Every stored file gets a new
    attachment id, so the ids tell; older manifest lines only knew the time."""
    if expected_size(record) != entry.filesize:
        return False
    if entry.files:
        return entry.files == ",".join(file_ids(record))
    return entry.modifiedtime == str(record.get("modifiedtime", ""))


def _adoptable(record: dict[str, Any], path: Path, zone: ServerZone) -> bool:
    """A complete copy of this document, stamped with its time by an earlier run."""
    stamp = modified_timestamp(record, zone)
    try:
        info = path.stat()
    except OSError:
        return False
    return stamp is not None and info.st_size == expected_size(record) \
        and int(info.st_mtime) == int(stamp)


def _still_in_folder(client: Client, folder_id: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` the server still shows in the folder (deleted ones it does not)."""
    found: set[str] = set()
    for start in range(0, len(ids), 100):
        query = (Query("Documents").select("id").where("folderid", "=", folder_id)
                 .where("id", "IN", ids[start:start + 100]))
        found |= {str(r.get("id")) for r in client.query(query)}
    return found


def _local_files(folder: Path) -> list[str]:
    """The visible regular files of the folder (kafdocs's own files are hidden)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return [e.name for e in entries
            if not e.name.startswith(".") and e.is_file(follow_symlinks=False)]


def _id_number(doc_id: str) -> int:
    return number(str(doc_id).rpartition("x")[2]) or 0


# -- what a run did ----------------------------------------------------------------------
@dataclass
class SyncOutcome:
    """A folder's report plus what its fetch jobs became."""

    report: SyncReport
    new: int = 0
    updated: int = 0
    failed: int = 0
    failed_fetches: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)

    @classmethod
    def of(cls, report: SyncReport, jobs: list[JobRecord]) -> SyncOutcome:
        done = [j for j in jobs if j.state is JobState.DONE]
        failed = [(j.label, j.reason) for j in jobs if j.state is JobState.FAILED]
        return cls(report,
                   new=sum(j.meta.get("change") == NEW for j in done),
                   updated=sum(j.meta.get("change") == UPDATED for j in done),
                   failed=len(report.failures) + len(failed), failed_fetches=failed)

    @property
    def nothing_changed(self) -> bool:
        r = self.report
        return not (self.new or self.updated or self.failed or r.renamed or r.removed
                    or r.kept_changed or r.added_locally)

    def line(self) -> str:
        """“Contrats”: 2 new, 1 updated, 1 renamed, 1 removed, 1 kept because changed
        locally, 0 failed — every kind, so a script or a person can read it the same."""
        r = self.report
        parts = [
            ngettext("{count} new", "{count} new", self.new).format(count=self.new),
            ngettext("{count} updated", "{count} updated", self.updated).format(
                count=self.updated),
            ngettext("{count} renamed", "{count} renamed", len(r.renamed)).format(
                count=len(r.renamed)),
            ngettext("{count} removed", "{count} removed", len(r.removed)).format(
                count=len(r.removed)),
            ngettext("{count} kept because changed locally",
                     "{count} kept because changed locally", len(r.kept_changed)).format(
                count=len(r.kept_changed)),
            ngettext("{count} failed", "{count} failed", self.failed).format(count=self.failed),
        ]
        return _("“{folder}”: {counts}").format(folder=r.folder, counts=", ".join(parts))

    def details(self, fetches: bool = True) -> list[str]:
        """One line per file a person may want to look at; without the fetches that
        failed when ``fetches`` is false (the command line prints those as they end)."""
        r = self.report
        lines = [_("renamed: {old} → {new}").format(old=old, new=new) for old, new in r.renamed]
        where = _("the system trash") if r.trash == SYSTEM else os.path.join(r.path, LOCAL_TRASH)
        lines += [_("removed (to {trash}): {name}").format(trash=where, name=name)
                  for name in r.removed]
        lines += [_("kept because changed on this computer: {name}").format(name=name)
                  for name in r.kept_changed]
        lines += [_("not from the CRM, kept: {name}").format(name=name)
                  for name in r.added_locally]
        failures = r.failures + (self.failed_fetches if fetches else [])
        lines += [_("failed: {name}: {reason}").format(name=name, reason=reason)
                  for name, reason in failures]
        return lines

    def as_json(self) -> dict[str, Any]:
        r = self.report
        return {"folder": r.folder, "path": r.path, "new": self.new, "updated": self.updated,
                "renamed": [list(pair) for pair in r.renamed], "removed": r.removed,
                "trash": r.trash, "kept_changed": r.kept_changed,
                "added_locally": r.added_locally, "failed": self.failed,
                "up_to_date": r.up_to_date}
