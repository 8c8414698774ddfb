"""Download folder… in the window: the Mirror box, remembered per folder, and what the
run did, said when it ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from kafdocs import i18n
from kafdocs.api import Client
from kafdocs.gui import folder_download
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.transfer import TransferService
from tests.conftest import FLAVOUR
from tests.gui.conftest import select_folder
from tests.transfer.conftest import set_fields


@pytest.fixture
def sandbox(request, make_sandbox):
    """The demo CRM; a test marked with ``indirect`` chooses its flavour."""
    return make_sandbox(demo_data=True, flavour=getattr(request, "param", FLAVOUR))


@pytest.fixture
def win(qtbot, window_factory, gui_client) -> MainWindow:
    return window_factory(TransferService(gui_client))



def download(qtbot, win: MainWindow, name: str, dest: Path, mirror: bool | None = None,
             ) -> folder_download.FolderDownloadDialog:
    """Download folder… on ``name``: the dialog answered; returns it as it was shown."""
    select_folder(qtbot, win, name)
    win.download_folder_action.trigger()
    dialog = win.folder_downloads.dialog
    shown_mirror = dialog.mirror.isChecked()
    dialog.dest.setText(str(dest))
    if mirror is not None:
        dialog.mirror.setChecked(mirror)
    # The run's summary comes when its last transfer ends, after the "N to download" line.
    with qtbot.waitSignal(win.folder_downloads.reported, timeout=15_000):
        dialog.accept()
    dialog.shown_mirror = shown_mirror  # type: ignore[attr-defined]
    return dialog


def test_mirror_is_remembered_per_folder(qtbot, win: MainWindow, tmp_path: Path,
                                         monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "open", lambda self: None)
    first = download(qtbot, win, "Contrats", tmp_path, mirror=True)
    assert first.shown_mirror is False
    assert download(qtbot, win, "Contrats", tmp_path).shown_mirror is True
    assert download(qtbot, win, "Factures 2026", tmp_path).shown_mirror is False
    assert win.settings.get("transfer/last_dir") == str(tmp_path)


@pytest.mark.parametrize("sandbox", ["kafinea", "vtiger"], indirect=True)
def test_the_window_says_what_a_mirrored_run_did(
        qtbot, win: MainWindow, gui_client: Client, tmp_path: Path, trashed: list[str],
        monkeypatch) -> None:
    boxes: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: boxes.append(self))
    download(qtbot, win, "Contrats", tmp_path, mirror=True)
    local = tmp_path / "Contrats"
    names = sorted(p.name for p in local.iterdir() if not p.name.startswith("."))
    folder = next(f for f in win.folders.folders if f.name == "Contrats")
    rows = gui_client.query(f"SELECT * FROM Documents WHERE folderid = '{folder.id}';")
    gone = next(r for r in rows if r.get("imageattachmentids"))
    gui_client.delete(gone["id"])
    (local / "mes notes.txt").write_text("mine")
    download(qtbot, win, "Contrats", tmp_path, mirror=True)
    assert len(trashed) == 1 and trashed[0] in names
    box = boxes[-1]
    assert box.text() == ("“Contrats”: 0 new, 0 updated, 0 renamed, 1 removed, "
                          "0 kept because changed locally, 0 failed")
    assert "not from the CRM, kept: mes notes.txt" in box.informativeText()
    assert f"removed (to the system trash): {trashed[0]}" in box.informativeText()


def test_a_fetch_that_failed_is_listed_with_its_reason(
        qtbot, win: MainWindow, gui_client: Client, sandbox, tmp_path: Path,
        monkeypatch) -> None:
    boxes: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: boxes.append(self))
    folder = next(f for f in win.folders.folders if f.name == "Contrats")
    rows = gui_client.query(f"SELECT * FROM Documents WHERE folderid = '{folder.id}';")
    liar = next(r for r in rows if r.get("imageattachmentids"))
    size = int(liar["filesize"])
    set_fields(sandbox, liar["id"], filesize=str(size + 1))
    download(qtbot, win, "Contrats", tmp_path)
    (box,) = boxes
    assert box.text().endswith(", 1 failed") and box.icon() is QMessageBox.Icon.Warning
    assert (f"failed: {liar['filename']}: the CRM says {size + 1} bytes but the file has "
            f"{size}; the file was not saved") in box.informativeText()


def test_cancelling_the_dialog_downloads_nothing(qtbot, win: MainWindow, tmp_path: Path) -> None:
    select_folder(qtbot, win, "Contrats")
    win.download_folder_action.trigger()
    win.folder_downloads.dialog.dest.setText(str(tmp_path / "out"))
    win.folder_downloads.dialog.done(QDialog.DialogCode.Rejected)
    assert not (tmp_path / "out").exists() and win.queue.jobs == {}


def test_the_mirror_box_is_read_whole_in_french(qtbot) -> None:
    i18n.set_language("fr")
    try:
        dialog = folder_download.FolderDownloadDialog("Factures 2026", "", mirror=False)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.mirror.text() == "Refléter le dossier du CRM (miroir)"
        assert dialog.mirror.width() >= dialog.mirror.sizeHint().width()  # not clipped
    finally:
        i18n.set_language("en")
