"""The window's desk actions: rename, describe, move, delete, new folder.

Each asks what it must (dialogs opened, never exec'd, deleted once answered), runs the
change in the background (transfer/manage.py: only the fields changed), then tells the
window what changed — documents as the server now has them, documents gone, folders
whose counts moved — and the user, per document, what failed and why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from kafdocs.api import Client
from kafdocs.i18n import _, ngettext
from kafdocs.transfer import manage
from kafdocs.transfer.folders import Folder
from kafdocs.transfer.manage import Outcome, Rights

from .formatting import names_list
from .messages import describe
from .tasks import TaskRunner

Record = dict[str, Any]
SAY_MS = 8000


def titles(records: list[Record]) -> str:
    """The documents a question is about, by title: the first ones and a count."""
    return names_list([str(r.get("notes_title") or r.get("filename") or r.get("id"))
                       for r in records])


class DocumentActions(QObject):
    changed = Signal(list)  # records as the server now has them
    removed = Signal(set)  # ids of documents gone from the CRM
    folders_touched = Signal(set)  # ids of folders whose document counts changed
    folder_created = Signal(object)  # the new Folder
    said = Signal(str, int)  # what was done, for the status bar
    warned = Signal(str)  # what was refused or failed: kept in the window's message bar

    def __init__(self, client: Client, tasks: TaskRunner, window: QWidget) -> None:
        super().__init__(window)
        self.client, self.tasks, self.window = client, tasks, window
        # Nothing is offered until describe said what this user may do (the window sets it).
        self.rights = Rights(update=False, delete=False, create=False,
                             folder_refusal=_("kafdocs is still asking the CRM what you may "
                                              "do; try again in a moment."))
        self.dialog: QWidget | None = None  # the question open now (tests answer it)

    # -- asking -----------------------------------------------------------------
    def _ask(self, dialog: QWidget, answered: Callable[[Any], None]) -> None:
        """Open ``dialog``; ``answered(dialog)`` once accepted; deleted once closed."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def finished(result: int) -> None:
            self.dialog = None
            if isinstance(dialog, QMessageBox):
                yes = dialog.standardButton(dialog.clickedButton()) == \
                    QMessageBox.StandardButton.Yes
            else:
                yes = result == QDialog.DialogCode.Accepted.value
            if yes:
                answered(dialog)

        dialog.finished.connect(finished)  # type: ignore[attr-defined]
        dialog.open()  # type: ignore[attr-defined]

    def _input(self, title: str, label: str, text: str = "", multiline: bool = False
               ) -> QInputDialog:
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle(title)
        dialog.setLabelText(label)
        if multiline:
            dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        else:
            dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(text)
        return dialog

    # -- the actions --------------------------------------------------------------
    def rename(self, record: Record, title: str) -> None:
        if not self._may("update"):
            return
        self._run(lambda: manage.rename(self.client, [record], title),
                  lambda done: _("Renamed “{old}” to “{new}”.").format(
                      old=record.get("notes_title", ""), new=title.strip()),
                  lambda failed, total: _("The document could not be renamed:"))

    def ask_description(self, records: list[Record]) -> None:
        """One description for the documents (theirs, when they all have the same)."""
        if not records or not self._may("update"):
            return
        texts = {str(r.get("notecontent") or "") for r in records}
        label = ngettext("Description of “{title}”:", "Description of these {count} documents:",
                         len(records)).format(title=records[0].get("notes_title", ""),
                                              count=len(records))
        dialog = self._input(_("Description"), label, texts.pop() if len(texts) == 1 else "",
                             multiline=True)
        dialog.resize(480, 300)
        self._ask(dialog, lambda d: self.set_description(records, d.textValue()))

    def set_description(self, records: list[Record], text: str) -> None:
        self._run(lambda: manage.set_description(self.client, records, text),
                  lambda done: ngettext("Description changed.", "{count} descriptions changed.",
                                        len(done)).format(count=len(done)),
                  lambda failed, total: ngettext(
                      "{failed} of {total} descriptions could not be changed:",
                      "{failed} of {total} descriptions could not be changed:", failed)
                  .format(failed=failed, total=total))

    def ask_move(self, records: list[Record], folders: list[Folder]) -> None:
        if not records or not self._may("update"):
            return
        names = [_unique_name(f, folders) for f in folders]
        dialog = self._input(_("Move to…"), ngettext(
            "Move this document to the folder:", "Move these {count} documents to the folder:",
            len(records)).format(count=len(records)) + "\n" + titles(records))
        dialog.setComboBoxItems(names)
        dialog.setComboBoxEditable(False)
        self._ask(dialog, lambda d: self.move(records, folders[names.index(d.textValue())]))

    def move(self, records: list[Record], folder: Folder) -> None:
        if not records or not self._may("update"):
            return
        left = {str(r.get("folderid", "")) for r in records} - {folder.id}
        self._run(lambda: manage.move(self.client, records, folder),
                  lambda done: ngettext("Moved {count} document to “{folder}”.",
                                        "Moved {count} documents to “{folder}”.",
                                        len(done)).format(count=len(done), folder=folder.name),
                  lambda failed, total: ngettext(
                      "{failed} of {total} documents could not be moved:",
                      "{failed} of {total} documents could not be moved:", failed)
                  .format(failed=failed, total=total), folders={folder.id, *left})

    def ask_delete(self, records: list[Record]) -> None:
        if not records or not self._may("delete"):
            return
        box = QMessageBox(QMessageBox.Icon.Question, _("Delete documents"), ngettext(
            "Delete this document from the CRM?", "Delete these {count} documents from the CRM?",
            len(records)).format(count=len(records)) + "\n\n" + titles(records),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # titles are data, never markup
        box.setInformativeText(_("The CRM keeps deleted documents in its recycle bin, from "
                                 "where an administrator can restore them."))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self._ask(box, lambda _box: self.delete(records))

    def delete(self, records: list[Record]) -> None:
        folders = {str(r.get("folderid", "")) for r in records}
        self._run(lambda: manage.delete(self.client, records),
                  lambda done: ngettext("Deleted {count} document.", "Deleted {count} documents.",
                                        len(done)).format(count=len(done)),
                  lambda failed, total: ngettext(
                      "{failed} of {total} documents could not be deleted:",
                      "{failed} of {total} documents could not be deleted:", failed)
                  .format(failed=failed, total=total), folders=folders, gone=True)

    def ask_new_folder(self) -> None:
        if self.rights.folder_refusal:
            self.warned.emit(self.rights.folder_refusal)
            return
        dialog = self._input(_("New folder"), _("Name of the new folder:"))
        self._ask(dialog, lambda d: self.new_folder(d.textValue()))

    def new_folder(self, name: str) -> None:
        def made(folder: Folder) -> None:
            self.folder_created.emit(folder)
            self.said.emit(_("Folder “{name}” created.").format(name=folder.name), SAY_MS)

        self.tasks.run(lambda: manage.create_folder(self.client, name), made,
                       lambda error: self._refused(_("The folder was not created"), error),
                       owner=self)

    # -- running and reporting ----------------------------------------------------
    def _may(self, what: str) -> bool:
        if getattr(self.rights, what):
            return True
        self.warned.emit({"update": _("Your CRM user may not change documents."),
                          "delete": _("Your CRM user may not delete documents.")}[what])
        return False

    def _run(self, work: Callable[[], list[Outcome]], done_text: Callable[[list[Outcome]], str],
             failed_text: Callable[[int, int], str], folders: set[str] | None = None,
             gone: bool = False) -> None:
        """``work`` in the background; then what changed, and what failed (the
        ``failed_text`` of how many failed out of how many, and one line per document)."""
        def finished(outcomes: list[Outcome]) -> None:
            done = [o for o in outcomes if o.ok]
            if gone:
                self.removed.emit({o.id for o in done})
            else:
                self.changed.emit([o.record for o in done if o.record is not None])
            if folders and done:
                self.folders_touched.emit(folders - {""})
            if done:
                self.said.emit(done_text(done), SAY_MS)
            failed = [o for o in outcomes if not o.ok]
            if failed:
                self._report(failed, failed_text(len(failed), len(outcomes)))

        self.tasks.run(work, finished,
                       lambda error: self._refused(_("Nothing was changed"), error), owner=self)

    def _report(self, failed: list[Outcome], heading: str) -> None:
        """Per document, what failed and why."""
        lines = names_list([_("{title}: {reason}").format(title=o.title, reason=o.error)
                            for o in failed], shown=10)
        box = QMessageBox(QMessageBox.Icon.Warning, _("Some documents were not changed"),
                          heading + "\n\n" + lines,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self._ask(box, lambda _box: None)

    def _refused(self, what: str, error: BaseException) -> None:
        self.warned.emit(_("{what}: {reason}").format(what=what, reason=describe(error)))


def _unique_name(folder: Folder, folders: list[Folder]) -> str:
    """A folder's name as offered in a list; with its id when another has that name."""
    twins = [f for f in folders if f.name == folder.name]
    return folder.name if len(twins) == 1 else f"{folder.name} ({folder.id})"
