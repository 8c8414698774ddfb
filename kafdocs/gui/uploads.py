"""The upload flow: from files dropped or chosen to requests on the transfers.

Expanding the drop, reading sizes and looking up names already in the folder run in
the background; then the questions are asked one after the other, each dialog opened
(never exec'd inside a callback) and deleted once answered; the answers become one
batch of upload requests. Messages for the status bar go out as ``said``.
"""

from __future__ import annotations

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
from .settings import UPLOAD_DIR, Settings
from .tasks import TaskRunner
from .upload_dialogs import DuplicateDialog, UploadDialog

SAY_MS = 10_000


@dataclass
class Pending:
    """An upload between its questions: what was found, what was answered so far."""

    folder: Folder
    files: list[Path]
    taken: dict[str, list[dict[str, Any]]]  # the folder's documents by file name
    keep_as: dict[str, str]  # the name to keep both under, for each name taken
    link_to: str | None = None
    policies: dict[Path, OnDuplicate] = field(default_factory=dict)

    @property
    def conflicts(self) -> list[Path]:
        return [path for path in self.files if path.name in self.taken]


class UploadFlow(QObject):
    said = Signal(str, int)  # a sentence for the status bar, and for how many ms

    def __init__(self, client: Client, tasks: TaskRunner, transfers: Transfers,
                 settings: Settings, window: QWidget) -> None:
        super().__init__(window)
        self.client, self.tasks, self.transfers = client, tasks, transfers
        self.settings, self.window = settings, window
        self.can_create = self.can_delete = True  # as the CRM's describe says

    def choose(self, folder: Folder | None) -> None:
        """Ask for files with the platform's dialog, then upload them."""
        files, _filter = QFileDialog.getOpenFileNames(self.window, _("Choose files to upload"),
                                                      self.settings.get(UPLOAD_DIR))
        if files:
            self.settings.set(UPLOAD_DIR, str(Path(files[0]).parent))
            self.start([Path(f) for f in files], folder)

    def start(self, paths: list[Path], folder: Folder | None) -> None:
        """Expand the drop and look for name conflicts in the background, then ask."""
        if folder is None:
            self.said.emit(_("Choose a folder first."), SAY_MS)
            return
        if not self.can_create:
            self.said.emit(_("Your CRM user may not create documents."), SAY_MS)
            return
        client = self.client

        def prepare() -> tuple[Expanded, dict[Path, int], dict[str, list[dict[str, Any]]],
                               dict[str, str]]:
            found = expand_paths(paths)
            taken = find_duplicates(client, folder.id, [p.name for p in found.files])
            return (found, file_sizes(found.files), taken,
                    keep_both_names(client, folder.id, taken) if taken else {})

        self.said.emit(_("Preparing the upload…"), 3000)
        self.tasks.run(prepare, lambda r: self._prepared(folder, *r),
                       lambda e: self.said.emit(describe(e), SAY_MS), owner=self)

    def _prepared(self, folder: Folder, found: Expanded, sizes: dict[Path, int],
                  taken: dict[str, list[dict[str, Any]]], keep_as: dict[str, str]) -> None:
        for path, reason in found.rejected:
            self.said.emit(_("Not uploaded: {name} ({reason})").format(name=path.name,
                                                                       reason=reason), SAY_MS)
        files = self._within_limit(sizes)
        if not files:
            return
        pending = Pending(folder, files, taken, keep_as)
        dialog = UploadDialog(self.client, self.tasks, folder.name, len(files),
                              sum(sizes[f] for f in files), self.window)
        self._ask(dialog, lambda accepted: self._confirmed(pending, dialog.link_to, accepted))

    def _confirmed(self, pending: Pending, link_to: str | None, accepted: bool) -> None:
        if accepted:
            pending.link_to = link_to
            self._next_conflict(pending, 0)

    def _next_conflict(self, pending: Pending, n: int) -> None:
        """Ask about conflict ``n``; "do the same for the others" ends the questions."""
        conflicts = pending.conflicts
        if n >= len(conflicts):
            self._send(pending)
            return
        path = conflicts[n]
        dialog = DuplicateDialog(path.name, len(conflicts) - n - 1, self.can_delete,
                                 self.window)

        def answered(_accepted: bool) -> None:
            pending.policies[path] = dialog.policy
            if dialog.apply_all.isChecked():
                pending.policies.update(dict.fromkeys(conflicts[n + 1:], dialog.policy))
                self._send(pending)
            else:
                self._next_conflict(pending, n + 1)

        self._ask(dialog, answered)

    def _send(self, pending: Pending) -> None:
        requests = []
        for path in pending.files:
            policy = pending.policies.get(path, OnDuplicate.KEEP)
            if policy is OnDuplicate.SKIP:
                continue
            requests.append(UploadRequest(
                path, pending.folder.id, link_to=pending.link_to, on_duplicate=policy,
                duplicates=tuple(pending.taken.get(path.name, [])),
                file_name=pending.keep_as.get(path.name) if policy is OnDuplicate.KEEP
                else None))
        self.transfers.upload(requests)

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
                self.said.emit(_("{name} is too large for this server (limit {limit}).")
                               .format(name=path.name, limit=bytes_text(limit * 3 / 4)), SAY_MS)
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
