"""Double-click opens a document: from the private cache, or an external link after asking."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMessageBox

from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.models import RECORD_ROLE
from kafdocs.transfer import TransferService
from kafdocs.transfer.cache import cache_target
from tests.gui.conftest import select_folder


class Desktop:
    """Stands in for QDesktopServices: records what the window asked to open."""

    opened: ClassVar[list[QUrl]] = []

    @classmethod
    def openUrl(cls, url: QUrl) -> bool:
        cls.opened.append(url)
        return True


@pytest.fixture
def desktop(monkeypatch) -> type[Desktop]:
    Desktop.opened = []
    monkeypatch.setattr("kafdocs.gui.doccache.QDesktopServices", Desktop)
    return Desktop


@pytest.fixture
def win(qtbot, window_factory, gui_client) -> MainWindow:
    """A window whose transfers run in this process (quicker to start than the helper)."""
    window = window_factory(TransferService(gui_client))
    select_folder(qtbot, window, "Contrats")
    return window


def record(win: MainWindow, row: int) -> dict:
    return win.documents.index(row, 0).data(RECORD_ROLE)


def stored_row(win: MainWindow) -> int:
    return next(r for r in range(win.documents.rowCount())
                if record(win, r).get("imageattachmentids"))


def test_a_document_is_fetched_into_the_cache_then_opened(qtbot, win: MainWindow,
                                                          desktop) -> None:
    row = stored_row(win)
    win.open_document(win.documents.index(row, 0))
    qtbot.waitUntil(lambda: len(desktop.opened) == 1, timeout=15_000)
    opened = Path(desktop.opened[0].toLocalFile())
    assert opened == cache_target(win.cache_dir, win.client.endpoint, record(win, row))
    assert opened.stat().st_size == int(record(win, row)["filesize"])
    win.open_document(win.documents.index(row, 0))  # now straight from the cache
    qtbot.waitUntil(lambda: len(desktop.opened) == 2)
    assert len(win.queue.jobs) == 1
    assert "Opened a copy of" in win.statusBar().currentMessage()


def test_a_document_with_a_hostile_id_is_neither_written_nor_opened(
        qtbot, win: MainWindow, desktop, tmp_path: Path) -> None:
    row = stored_row(win)
    win.documents.rows[row]["id"] = "../../../.config/autostart"  # as the server sent it
    before = sorted(tmp_path.rglob("*"))
    win.open_document(win.documents.index(row, 0))
    assert "not valid" in win.message_bar.messages[-1]
    assert desktop.opened == [] and win.queue.jobs == {}
    assert sorted(tmp_path.rglob("*")) == before


def external_row(win: MainWindow, address: str) -> int:
    """A document of the table turned into an external link, as the server may send it."""
    win.documents.rows[0].update(filelocationtype="E", filename=address)
    return 0


@pytest.fixture
def answer(monkeypatch) -> list[QMessageBox]:
    """Questions asked with QMessageBox.exec; each is answered "Open"."""
    asked: list[QMessageBox] = []

    def reply(box: QMessageBox) -> int:
        asked.append(box)
        return QMessageBox.StandardButton.Open

    monkeypatch.setattr(QMessageBox, "exec", reply)
    return asked


@pytest.mark.parametrize("address", ["file:///etc/passwd", "javascript:alert(1)",
                                     "smb://fileserver/share", "https://bank.example@evil.example/",
                                     "/home/user/.bashrc"])
def test_a_link_that_is_not_a_web_address_is_not_opened(
        win: MainWindow, desktop, answer, address: str) -> None:
    win.open_document(win.documents.index(external_row(win, address), 0))
    assert desktop.opened == [] and answer == []
    assert "does not open" in win.message_bar.messages[-1]


def test_a_web_link_is_shown_and_opened_only_once_accepted(
        win: MainWindow, desktop, answer, monkeypatch) -> None:
    row = external_row(win, "https://www.exämple.fr/offre <b>2026</b>")
    win.open_document(win.documents.index(row, 0))
    shown = "https://www.xn--exmple-cua.fr/offre%20%3Cb%3E2026%3C/b%3E"
    assert shown in answer[0].text()
    assert answer[0].textFormat() == Qt.TextFormat.PlainText
    assert [u.toString(QUrl.ComponentFormattingOption.FullyEncoded)
            for u in desktop.opened] == [shown]
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Cancel)
    win.open_document(win.documents.index(row, 0))
    assert len(desktop.opened) == 1
