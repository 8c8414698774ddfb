"""Double-click opens a document: from the private cache, or an external link after asking."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.models import RECORD_ROLE
from kafdocs.gui.opener import can_open
from kafdocs.transfer import TransferService
from kafdocs.transfer.cache import cache_target
from tests.gui.conftest import Desktop, select_folder


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


def test_enter_opens_the_current_document(qtbot, win: MainWindow, desktop) -> None:
    row = stored_row(win)
    win.table.setFocus()
    win.table.selectRow(row)
    QTest.keyClick(win.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(desktop.opened) == 1, timeout=15_000)
    assert Path(desktop.opened[0].toLocalFile()).name == record(win, row)["filename"]


@pytest.mark.parametrize("how", ["the desktop knows none", "the launcher fails"])
def test_no_application_for_the_type_is_said_with_a_way_out(
        qtbot, win: MainWindow, desktop, monkeypatch, tmp_path: Path, how: str) -> None:
    if how == "the desktop knows none":
        monkeypatch.setattr("kafdocs.gui.doccache.can_open", lambda path: False)
    else:
        monkeypatch.setattr("kafdocs.gui.doccache.can_open", lambda path: None)
        monkeypatch.setattr(Desktop, "openUrl", classmethod(lambda cls, url: False))
    row = stored_row(win)
    doc = record(win, row)
    win.open_document(win.documents.index(row, 0))
    qtbot.waitUntil(lambda: getattr(win.cache, "no_application_box", None) is not None,
                    timeout=15_000)  # was: nothing, and "Transfers finished: 1 done"
    box = win.cache.no_application_box
    assert box.isVisible() and box.textFormat() == Qt.TextFormat.PlainText
    assert box.text().startswith(f"No application on this computer opens “{doc['filename']}”")
    assert [box.show_button.text(), box.save_button.text()] == ["Show in folder", "Save as…"]
    assert "Opened a copy" not in win.statusBar().currentMessage()
    chosen = tmp_path / "Mes documents" / "copie.docx"
    chosen.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(chosen), ""))
    box.save_button.click()
    qtbot.waitUntil(chosen.exists)
    assert chosen.stat().st_size == int(doc["filesize"])
    qtbot.waitUntil(lambda: win.statusBar().currentMessage() == f"Saved as {chosen}")


def test_show_in_folder_opens_the_files_folder(qtbot, win: MainWindow, desktop,
                                               monkeypatch) -> None:
    monkeypatch.setattr("kafdocs.gui.doccache.can_open", lambda path: False)
    row = stored_row(win)
    win.open_document(win.documents.index(row, 0))
    qtbot.waitUntil(lambda: getattr(win.cache, "no_application_box", None) is not None,
                    timeout=15_000)
    win.cache.no_application_box.show_button.click()
    target = cache_target(win.cache_dir, win.client.endpoint, record(win, row))
    assert [Path(u.toLocalFile()) for u in desktop.opened] == [target.parent]


def test_the_desktop_is_asked_whether_an_application_opens_the_type(
        tmp_path: Path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "xdg-mime"  # answers as xdg-mime does: only PDF has an application
    tool.write_text('#!/bin/sh\n[ "$3" = application/pdf ] && echo org.gnome.Evince.desktop\n'
                    'exit 0\n')
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    pdf, odd = tmp_path / "a.pdf", tmp_path / "plan.dwg"
    pdf.write_bytes(b"%PDF-1.4\n")
    odd.write_bytes(b"AC1032\x00\x00")
    assert can_open(pdf) is True
    assert can_open(odd) is False
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert can_open(pdf) is None  # cannot tell: the launcher will say


def test_show_in_folder_says_where_the_copy_is_when_no_file_manager_starts(
        qtbot, win: MainWindow, desktop, monkeypatch) -> None:
    monkeypatch.setattr("kafdocs.gui.doccache.can_open", lambda path: False)
    monkeypatch.setattr(Desktop, "openUrl", classmethod(lambda cls, url: False))
    row = stored_row(win)
    win.open_document(win.documents.index(row, 0))
    qtbot.waitUntil(lambda: getattr(win.cache, "no_application_box", None) is not None,
                    timeout=15_000)
    win.cache.no_application_box.show_button.click()  # was: nothing at all
    qtbot.waitUntil(lambda: win.message_bar.isVisible())
    (said,) = win.message_bar.messages
    assert said.startswith("No file manager could be started. The copy is in this folder: ")
    assert Path(said.rsplit(": ", 1)[1]).is_dir()
