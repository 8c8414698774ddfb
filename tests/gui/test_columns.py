"""The document table at the window's default size: every column in view, headings
whole, the title taking the rest; widths the user drags come back; the folder list
never scrolls sideways."""

from __future__ import annotations

import pytest

from kafdocs import i18n
from kafdocs.gui.columns import MIN_TITLE
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.models import column_title
from tests.gui.conftest import select_folder


@pytest.fixture(params=["en", "fr"])
def language(request):
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language("en")


def test_every_column_fits_at_the_default_size_the_title_taking_the_rest(
        qtbot, window_factory, language) -> None:
    window: MainWindow = window_factory()
    select_folder(qtbot, window, "Marketing & Communication")
    table, header = window.table, window.table.horizontalHeader()
    qtbot.waitUntil(lambda: header.length() > 0)
    assert header.length() <= table.viewport().width()  # was: Owner cut at the right edge
    assert not table.horizontalScrollBar().isVisible()
    for column, field in enumerate(window.documents.columns):
        heading = column_title(field)  # "Propriétaire" was cut to "Propriétai…"
        assert header.fontMetrics().horizontalAdvance(heading) < header.sectionSize(column)
    title = window.documents.columns.index("notes_title")
    assert header.sectionSize(title) == max(header.sectionSize(c)
                                            for c in range(header.count()))
    window.start_search("2026", here=False)  # a Folder column too: the title keeps room
    qtbot.waitUntil(lambda: "folderid" in window.documents.columns
                    and bool(window.documents.rows))
    title = window.documents.columns.index("notes_title")
    assert header.sectionSize(title) >= MIN_TITLE  # was: "Facture …" in 75 pixels
    assert header.length() <= table.viewport().width()
    folders = window.folder_view
    assert not folders.horizontalScrollBar().isVisible()
    widest = max(folders.visualRect(folders.model().index(r, 0)).width()
                 for r in range(folders.model().rowCount()))
    assert widest <= folders.viewport().width()


def test_a_column_width_the_user_chose_is_kept_for_every_list(qtbot, window_factory,
                                                              settings) -> None:
    first: MainWindow = window_factory()
    column = first.documents.columns.index("filename")
    first.table.horizontalHeader().resizeSection(column, 263)  # as a drag does
    first.close()
    again: MainWindow = window_factory()
    assert again.table.horizontalHeader().sectionSize(column) == 263
    again.start_search("Facture", here=False)  # a Folder column comes in before it
    qtbot.waitUntil(lambda: "folderid" in again.documents.columns
                    and bool(again.documents.rows))
    column = again.documents.columns.index("filename")
    assert again.table.horizontalHeader().sectionSize(column) == 263
