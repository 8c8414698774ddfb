"""The document table's columns fit its width: nothing is cut at the right edge.

The title takes what the other columns leave (it stretches, and long titles elide);
the others start as wide as their heading and their usual content, in the user's
language. A width the user drags is remembered by column (by field), for every list:
a folder, search results, a record's documents.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QDate, QDateTime, QLocale, QObject, Qt, QTime
from PySide6.QtWidgets import QHeaderView, QTableView

from .formatting import bytes_text
from .models import FOLDER, DocumentModel, column_title
from .settings import COLUMN_WIDTHS, Settings

TITLE = "notes_title"
MIN_TITLE = 150  # room the title keeps, when the other columns can give it
GIVE_WAY = ("filename", FOLDER, "filetype", "assigned_user_id")  # first to narrow
PADDING = 30  # a heading's margins and its sort arrow
SAMPLES = {  # the usual content of a column, as wide as it gets
    "filename": "Facture F2026-003.pdf",
    "filetype": "document PDF",
    FOLDER: "Fiches produits",
    "assigned_user_id": "Camille",
}


class ColumnWidths(QObject):
    """Keeps the columns of ``table`` (showing ``model``) fitted, and the widths the
    user chose."""

    def __init__(self, table: QTableView, model: DocumentModel, settings: Settings) -> None:
        super().__init__(table)
        self.table, self.model, self.settings = table, model, settings
        self._applying = False
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(48)
        header.sectionResized.connect(self._resized)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        model.modelReset.connect(self.apply)  # the columns follow the list shown
        self.apply()

    def apply(self) -> None:
        """The title stretches; each other column gets its remembered or natural width."""
        header = self.table.horizontalHeader()
        saved = self.saved()
        self._applying = True
        try:
            for column, field in enumerate(self.model.columns):
                if field == TITLE:
                    header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
                    continue
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(column, saved.get(field) or self.natural_width(field))
            self._leave_room_for_the_title(saved)
        finally:
            self._applying = False

    def _leave_room_for_the_title(self, saved: dict[str, int]) -> None:
        """A narrow table: the file name, then the folder, the type and the owner give
        way (they elide; the details say them whole), each down to its heading's width,
        unless the user chose its width. Sizes and dates stay whole."""
        header = self.table.horizontalHeader()
        columns = self.model.columns
        excess = sum(header.sectionSize(c) for c, f in enumerate(columns) if f != TITLE) \
            + MIN_TITLE - self.table.viewport().width()
        for field in GIVE_WAY:
            if excess <= 0:
                return
            if field in saved or field not in columns:
                continue
            column = columns.index(field)
            narrowest = header.fontMetrics().horizontalAdvance(column_title(field)) + PADDING
            width = max(narrowest, header.sectionSize(column) - excess)
            excess -= header.sectionSize(column) - width
            header.resizeSection(column, width)

    def natural_width(self, field: str) -> int:
        """As wide as the heading, or as the column's usual content."""
        header = self.table.horizontalHeader().fontMetrics().horizontalAdvance
        cell = self.table.fontMetrics().horizontalAdvance
        longest_date = QDateTime(QDate(2026, 12, 31), QTime(23, 59))
        sample = {"filesize": bytes_text(999_900_000),
                  "modifiedtime": QLocale().toString(longest_date,
                                                     QLocale.FormatType.ShortFormat),
                  }.get(field, SAMPLES.get(field, ""))
        return max(header(column_title(field)) + PADDING, cell(sample) + 16)

    def saved(self) -> dict[str, int]:
        try:
            widths = json.loads(self.settings.get(COLUMN_WIDTHS))
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in widths.items() if isinstance(v, int) and v > 0} \
            if isinstance(widths, dict) else {}

    def _resized(self, column: int, _old: int, new: int) -> None:
        """The user dragged a column's edge: that width, for that column, from now on."""
        if self._applying or not 0 <= column < len(self.model.columns):
            return
        field = self.model.columns[column]
        if field == TITLE:
            return
        widths = self.saved()
        widths[field] = new
        self.settings.set(COLUMN_WIDTHS, json.dumps(widths))
