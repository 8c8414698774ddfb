"""What the window remembers between runs, and what it cleans up after a killed one."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog

from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.settings import documents_folder
from kafdocs.transfer.cache import cache_target
from tests.gui.conftest import select_folder


def test_file_dialogs_open_in_the_last_folder_used_else_documents(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    opened_in: list[str] = []

    def choose_dir(parent, title, where):
        opened_in.append(where)
        return str(tmp_path)

    def choose_files(parent, title, where):
        opened_in.append(where)
        return [], ""

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", choose_dir)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", choose_files)
    documents = documents_folder()
    def choose_folder_to_download_into() -> None:  # Download folder…, then Choose…
        window.download_folder()
        window.folder_downloads.dialog.choose.click()
        window.folder_downloads.dialog.accept()

    choose_folder_to_download_into()
    window.uploads.choose(window.current_folder())
    assert opened_in == [documents, documents]  # was: the process's working directory
    choose_folder_to_download_into()
    assert opened_in[-1] == str(tmp_path)
    window.settings.set("upload/last_dir", str(tmp_path / "gone"))  # removed since
    window.uploads.choose(window.current_folder())
    assert opened_in[-1] == documents
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda parent, title, where: (
        opened_in.append(where), ("", ""))[1])
    window.uploads.new_version(window.documents.rows[0])  # Upload new version…
    assert opened_in[-1] == documents  # was: "", the working directory


def test_file_dialogs_open_in_the_home_folder_when_there_is_no_documents_folder(
        tmp_path: Path, monkeypatch) -> None:
    """A dialog opened on a folder that does not exist greys its buttons out."""
    monkeypatch.setattr(QStandardPaths, "writableLocation",
                        lambda location: str(tmp_path / "Documents"))
    assert documents_folder() == str(Path.home())  # was: the missing Documents folder
    (tmp_path / "Documents").mkdir()
    assert documents_folder() == str(tmp_path / "Documents")


def test_the_last_folder_is_remembered_per_connection(qtbot, window_factory, settings,
                                                      gui_client) -> None:
    factures = "22x3"
    settings.remember_folder("https://crm.example.com/webservice.php", gui_client.username,
                             factures)  # another server's folder id
    first = window_factory()
    assert first.current_folder().name == "Contrats"  # not the other server's 22x3
    select_folder(qtbot, first, "Factures 2026")
    assert settings.last_folder(gui_client.endpoint, gui_client.username) == factures
    assert settings.last_folder("https://crm.example.com/webservice.php",
                                gui_client.username) == factures
    first.close()
    again = window_factory()
    assert again.current_folder().name == "Factures 2026"


def test_unfinished_downloads_are_cleaned_at_the_next_start(
        qtbot, window_factory, settings, gui_client, tmp_path: Path) -> None:
    cache = tmp_path / "cache"  # the window factory's
    copy = cache_target(cache, gui_client.endpoint, {"id": "15x3", "filename": "CGV.pdf"})
    copy.parent.mkdir(parents=True)
    dest = tmp_path / "Téléchargements"
    dest.mkdir()
    old = time.time() - 3600
    stale = [copy.parent / ".CGV.pdf.kafdocs-part", dest / ".Devis.pdf.kafdocs-part"]
    for part in stale:
        part.write_bytes(b"x" * 1000)
        os.utime(part, (old, old))
    running = dest / ".Plan.dwg.kafdocs-part"  # another download, writing right now
    running.write_bytes(b"x")
    kept = dest / "Devis.pdf"
    kept.write_bytes(b"%PDF")
    settings.set_download_folders([str(dest)])
    window_factory()
    qtbot.waitUntil(lambda: not any(p.exists() for p in stale))
    assert running.exists() and kept.exists() and settings.download_folders() == []


def test_the_folders_downloads_ran_into_are_remembered(qtbot, window: MainWindow, settings,
                                                       tmp_path: Path) -> None:
    folder = next(f for f in window.folders.folders if f.name == "Fiches produits")
    window.start_folder_download(folder, tmp_path)
    qtbot.waitUntil(lambda: window.transfers.rowCount() == 3, timeout=15_000)
    assert settings.download_folders() == [str(tmp_path / "Fiches produits")]
