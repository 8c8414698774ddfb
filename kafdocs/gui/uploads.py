"""The upload flow: from files dropped or chosen to requests on the transfers.

Expanding the drop, reading sizes and looking up names already in the folder run in
the background; then the questions are asked one after the other, each dialog opened
(never exec'd inside a callback) and deleted once answered; the answers become one
batch of upload requests — or none, when the user cancels one of the questions.
A file may also become the new version of one document ("Upload new version…", or a
file dropped on the document's row), once the user confirmed it. Messages for the
status bar go out as ``said``.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from kafdocs.api import Client
from kafdocs.api.streams import b64_length
from kafdocs.i18n import _
from kafdocs.transfer import Transfers
from kafdocs.transfer.crmrecords import CrmRecord
from kafdocs.transfer.folders import Folder
from kafdocs.transfer.paths import Expanded, expand_paths
from kafdocs.transfer.upload import (
    OnDuplicate,
    UploadRequest,
    find_duplicates,
    keep_both_names,
)

from .formatting import bytes_text
from .messages import describe
from .settings import RECORD_FOLDER, UPLOAD_DIR, Settings
from .tasks import TaskRunner
from .upload_dialogs import (
    DroppedFile,
    DuplicateDialog,
    NewVersionDialog,
    RecordUploadDialog,
    UploadDialog,
)


@dataclass
class Pending:
    """An upload between its questions: what was found, what was answered so far."""

    folder: Folder
    files: list[Path]
    taken: dict[str, list[dict[str, Any]]]  # the folder's documents by file name
    keep_as: dict[str, str]  # the name to keep both under, for each name taken
    link_to: str | None = None
    titles: dict[Path, str] = field(default_factory=dict)  # files of dropped subfolders
    policies: dict[Path, OnDuplicate] = field(default_factory=dict)
    replace_ids: dict[Path, str] = field(default_factory=dict)  # the document chosen

    @property
    def conflicts(self) -> list[Path]:
        return [path for path in self.files if path.name in self.taken]

    def unanswered(self) -> list[Path]:
        return [path for path in self.conflicts if path not in self.policies]

    def answer(self, path: Path, policy: OnDuplicate, replace_id: str | None) -> bool:
        """Record an answer; False when it cannot apply to ``path`` (Replace needs one
        document, and ``path``'s name has several: the user must pick)."""
        if policy is OnDuplicate.REPLACE:
            if replace_id is None:
                candidates = self.taken.get(path.name, [])
                if len(candidates) != 1:
                    return False
                replace_id = str(candidates[0]["id"])
            self.replace_ids[path] = replace_id
        self.policies[path] = policy
        return True


class UploadFlow(QObject):
    said = Signal(str, int)  # a sentence for the status bar, and for how many ms
    warned = Signal(str)  # what went wrong: kept in the window's message bar until dismissed

    def __init__(self, client: Client, tasks: TaskRunner, transfers: Transfers,
                 settings: Settings, window: QWidget) -> None:
        super().__init__(window)
        self.client, self.tasks, self.transfers = client, tasks, transfers
        self.settings, self.window = settings, window
        self.can_create = self.can_delete = self.can_update = True  # as describe says

    def choose(self, folder: Folder | None) -> None:
        """Ask for files with the platform's dialog, then upload them."""
        if files := self.ask_files():
            self.start(files, folder)

    def ask_files(self) -> list[Path]:
        """The files to upload, chosen with the platform's dialog (none: cancelled)."""
        files, _filter = QFileDialog.getOpenFileNames(
            self.window, _("Choose files to upload"), self.settings.start_folder(UPLOAD_DIR))
        if files:
            self.settings.set(UPLOAD_DIR, str(Path(files[0]).parent))
        return [Path(f) for f in files]

    def start(self, paths: list[Path], folder: Folder | None) -> None:
        """Expand the drop and look for name conflicts in the background, then ask."""
        self._start(paths, folder, None)

    def start_for_record(self, paths: list[Path], record: CrmRecord,
                         folders: list[Folder]) -> None:
        """Files dropped on a record: ask which folder (the last one used for a record
        first), then file them there, linked to the record."""
        if not self.can_create:
            self.warned.emit(_("Your CRM user may not create documents."))
            return
        last = self.settings.get(RECORD_FOLDER) or self.settings.last_folder(
            self.client.endpoint, self.client.username)
        dialog = RecordUploadDialog(record, folders, last, len(paths), self.window)

        def answered(accepted: bool) -> None:
            folder = dialog.chosen
            if accepted and folder is not None:
                self.settings.set(RECORD_FOLDER, folder.id)
                self._start(paths, folder, record.id)

        self._ask(dialog, answered)

    def _start(self, paths: list[Path], folder: Folder | None, link_to: str | None) -> None:
        """``link_to``: the drop was on that record, and the folder already chosen."""
        if folder is None:
            self.warned.emit(_("Choose a folder first."))
            return
        if not self.can_create:
            self.warned.emit(_("Your CRM user may not create documents."))
            return
        client = self.client

        def prepare() -> tuple[Expanded, dict[Path, int], dict[str, list[dict[str, Any]]],
                               dict[str, str]]:
            found = expand_paths(paths)
            taken = find_duplicates(client, folder.id, [p.name for p in found.files])
            return (found, file_sizes(found.files), taken,
                    keep_both_names(client, folder.id, taken) if taken else {})

        self.said.emit(_("Preparing the upload…"), 3000)
        self.tasks.run(prepare, lambda r: self._prepared(folder, link_to, *r),
                       lambda e: self.warned.emit(describe(e)), owner=self)

    def _prepared(self, folder: Folder, link_to: str | None, found: Expanded,
                  sizes: dict[Path, int], taken: dict[str, list[dict[str, Any]]],
                  keep_as: dict[str, str]) -> None:
        for path, reason in found.rejected:
            self.warned.emit(_("Not uploaded: {name} ({reason})").format(name=path.name,
                                                                         reason=reason))
        files = self._within_limit(sizes)
        if not files:
            return
        titles = {f: title for f in files if (title := found.title(f))}
        pending = Pending(folder, files, taken, keep_as, link_to, titles)
        if link_to:  # dropped on a record: folder and link already chosen
            self._next_conflict(pending)
            return
        dialog = UploadDialog(
            self.client, self.tasks, folder.name, len(files), sum(sizes[f] for f in files),
            self.window, left_out=found.left_out,
            files=[DroppedFile(f, sizes[f], found.subfolder(f)) for f in files])
        self._ask(dialog, lambda accepted: self._confirmed(pending, dialog.link_to, accepted))

    def _confirmed(self, pending: Pending, link_to: str | None, accepted: bool) -> None:
        if accepted:
            pending.link_to = link_to
            self._next_conflict(pending)

    def _next_conflict(self, pending: Pending) -> None:
        """Ask about the next conflict; "do the same for the others" answers the rest,
        except a Replace where the user must pick among several documents."""
        remaining = pending.unanswered()
        if not remaining:
            self._send(pending)
            return
        path = remaining[0]
        dialog = DuplicateDialog(path.name, pending.taken[path.name],
                                 pending.keep_as.get(path.name, path.name), len(remaining) - 1,
                                 self.can_update, self.client.server_zone, self.window)

        def answered(accepted: bool) -> None:
            if not accepted:  # Cancel, Escape or the window closed: the whole drop
                self.said.emit(_("Upload cancelled: nothing was sent."), 5000)
                return
            pending.answer(path, dialog.policy, dialog.replace_id)
            if dialog.apply_all.isChecked():
                for other in remaining[1:]:
                    pending.answer(other, dialog.policy, None)
            self._next_conflict(pending)

        self._ask(dialog, answered)

    def _send(self, pending: Pending) -> None:
        requests = []
        for path in pending.files:
            policy = pending.policies.get(path, OnDuplicate.KEEP)
            if policy is OnDuplicate.SKIP:
                continue
            requests.append(UploadRequest(
                path, pending.folder.id, pending.titles.get(path), link_to=pending.link_to,
                on_duplicate=policy,
                duplicates=tuple(pending.taken.get(path.name, [])),
                file_name=pending.keep_as.get(path.name) if policy is OnDuplicate.KEEP
                else None, replace_id=pending.replace_ids.get(path)))
        self.transfers.upload(requests)

    # -- a new version of one document --------------------------------------------------
    def new_version(self, record: dict[str, Any] | None) -> None:
        """"Upload new version…": a local file of any name becomes the document's file."""
        if record is None or not self._may_replace(record):
            return
        chosen, _filter = QFileDialog.getOpenFileName(
            self.window, _("Choose the new version of “{title}”").format(
                title=record.get("notes_title") or record.get("filename")),
            self.settings.start_folder(UPLOAD_DIR))
        if chosen:
            self.settings.set(UPLOAD_DIR, str(Path(chosen).parent))
            self.offer_new_version(Path(chosen), record, None)

    def offer_new_version(self, path: Path, record: dict[str, Any],
                          folder: Folder | None) -> None:
        """Confirm, then send ``path`` as the new version of ``record``. With a
        ``folder`` (the file was dropped on the document's row), filing it there as a
        document of its own is offered too."""
        if not self._may_replace(record):
            if folder is not None:
                self.start([path], folder)
            return

        def read() -> int | None:
            try:
                info = path.stat()
            except OSError:
                return None
            return info.st_size if stat.S_ISREG(info.st_mode) else None

        def ask(size: int | None) -> None:
            if size is None:  # a folder dropped on a row: an ordinary upload
                if folder is not None:
                    self.start([path], folder)
                else:
                    self.warned.emit(_("{name} is not a file that can be sent").format(
                        name=path.name))
                return
            dialog = NewVersionDialog(path.name, size, record, self.client.server_zone,
                                      folder is not None, self.window)
            self._ask(dialog, lambda accepted: self._version_answered(
                dialog.choice if accepted else "", path, record, folder))

        self.tasks.run(read, ask, lambda e: self.warned.emit(describe(e)), owner=self)

    def _version_answered(self, choice: str, path: Path, record: dict[str, Any],
                          folder: Folder | None) -> None:
        if choice == NewVersionDialog.NEW_VERSION:
            self.transfers.upload([UploadRequest(path, str(record.get("folderid", "")),
                                                 replace_id=str(record["id"]))])
        elif choice == NewVersionDialog.NEW_DOCUMENT and folder is not None:
            self.start([path], folder)

    def _may_replace(self, record: dict[str, Any]) -> bool:
        if not self.can_update:
            self.warned.emit(_("Your CRM user may not change documents."))
            return False
        if record.get("filelocationtype") == "E":
            self.warned.emit(_("“{title}” is a link to a web page: it has no file to replace.")
                             .format(title=record.get("notes_title", "")))
            return False
        return True

    @staticmethod
    def _ask(dialog: QDialog, then: Callable[[bool], None]) -> None:
        """Open ``dialog``; ``then(accepted)`` runs when it is answered; it is deleted."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: then(result == QDialog.DialogCode.Accepted))
        dialog.open()

    def _within_limit(self, sizes: dict[Path, int]) -> list[Path]:
        """The files the server can take, from sizes read in the background."""
        limit = self.client.max_upload
        if not limit:
            return list(sizes)
        keep = []
        for path, size in sizes.items():
            if b64_length(size) + 4096 > limit:
                self.warned.emit(_("{name} is too large for this server (limit {limit}).")
                                 .format(name=path.name, limit=bytes_text(limit * 3 / 4)))
            else:
                keep.append(path)
        return keep


def file_sizes(files: list[Path]) -> dict[Path, int]:
    """Disk work: call it from a background task. Unreadable files are left out."""
    sizes = {}
    for f in files:
        with suppress(OSError):
            sizes[f] = f.stat().st_size
    return sizes
