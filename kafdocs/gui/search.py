"""The one place to find a document: a search field, in every folder or in the one shown.

The server does the searching (transfer/search.py), so a search sees every document,
not only the rows loaded so far. Typing is debounced; each new text replaces the
search before it (the document table drops answers to an older one). Escape, or an
empty field, goes back to browsing the folder.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from kafdocs.i18n import _
from kafdocs.transfer.search import search_words

DEBOUNCE_MS = 300
EVERYWHERE, HERE = 0, 1  # the scope box's entries


class SearchBox(QWidget):
    searched = Signal(str, bool)  # text, only in the folder shown
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setPlaceholderText(_("Search documents (Ctrl+K)"))
        self.field.setClearButtonEnabled(True)
        self.field.setAccessibleName(_("Search documents"))
        self.field.setToolTip(_("Title, file name, number or description; case and accents "
                                "do not matter. Escape goes back to the folder."))
        self.field.setMinimumWidth(220)
        self.scope = QComboBox()
        self.scope.addItems([_("All folders"), _("This folder")])
        self.scope.setAccessibleName(_("Where to search"))
        self.scope.currentIndexChanged.connect(lambda _i: self._changed())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.scope)
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self._fire)
        self.field.textChanged.connect(lambda _t: self._changed())
        self.field.installEventFilter(self)
        self.active = False  # a search is shown (not the folder)

    @property
    def here(self) -> bool:
        return self.scope.currentIndex() == HERE

    def focus(self, here: bool | None = None) -> None:
        """Ctrl+K (everywhere) or Ctrl+F (this folder): the field, ready to type."""
        if here is not None:
            self.scope.setCurrentIndex(HERE if here else EVERYWHERE)
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def set_folder_name(self, name: str) -> None:
        self.scope.setItemText(HERE, _("In “{folder}”").format(folder=name) if name
                               else _("This folder"))

    def clear(self) -> None:
        """Back to browsing, without a word to the listeners (they asked for it)."""
        self._timer.stop()
        self.active = False
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)

    def _changed(self) -> None:
        self._timer.start()

    def _fire(self) -> None:
        text = self.field.text()
        if search_words(text):
            self.active = True
            self.searched.emit(text, self.here)
        elif self.active:
            self.active = False
            self.cleared.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            key: Any = event
            if key.key() == Qt.Key.Key_Escape and (self.active or self.field.text()):
                self.clear()
                self.cleared.emit()
                return True
            if key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._timer.stop()
                self._fire()  # no need to wait
                return True
        return super().eventFilter(watched, event)
