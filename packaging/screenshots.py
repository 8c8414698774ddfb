"""Take the README's screenshots from the real app on the demo sandbox.

Run from the repository root under a display (e.g. ``PYTHONPATH=. xvfb-run -a -s
"-screen 0 1400x900x24" python packaging/screenshots.py``);
``--language fr`` takes the French ones. The sandbox is slowed to 3 MB/s so that the
transfer panel is caught mid-transfer.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from kafdocs.api import Client
from kafdocs.gui.app import make_app
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.records import RECORD_ROLE
from kafdocs.gui.resources import install_translator
from kafdocs.gui.settings import Settings
from kafdocs.gui.tasks import TaskRunner
from kafdocs.gui.watched import WatchedFolder, WatchedFoldersDialog, save_watched
from kafdocs.sandbox.app import Sandbox, SandboxSettings
from kafdocs.sandbox.operations import Config
from kafdocs.transfer.upload import UploadRequest

OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots"


def wait(app: QApplication, seconds: float) -> None:
    loop_done = []
    QTimer.singleShot(int(seconds * 1000), lambda: loop_done.append(1))
    while not loop_done:
        app.processEvents()


def wait_until(app: QApplication, done: Callable[[], bool], limit: float) -> None:
    """The transfer helper starts in its own process: how soon varies with the machine."""
    deadline = time.monotonic() + limit
    while not done() and time.monotonic() < deadline:
        wait(app, 0.1)


def select(app: QApplication, window: MainWindow, title: str) -> None:
    """Select a document of the table by title; wait for its preview and details."""
    wait_until(app, lambda: not window.documents.loading and window.documents.rowCount() > 0,
               limit=10)
    row = next(r for r, rec in enumerate(window.documents.rows) if rec["notes_title"] == title)
    window.table.selectRow(row)
    wait_until(app, lambda: window.preview.state not in ("message", "fetching", "rendering")
               and window.details.values.get("owner") not in (None, "…"), limit=20)
    wait(app, 0.3)


def open_folder(app: QApplication, window: MainWindow, name: str) -> None:
    row = next(i for i, f in enumerate(window.folders.folders) if f.name == name)
    window.folder_view.setCurrentIndex(window.folders.index(row))
    wait_until(app, lambda: window.documents.folder_id == window.folders.folders[row].id
               and not window.documents.loading, limit=10)


def desk_shots(app: QApplication, window: MainWindow, suffix: str) -> None:
    """Search results, a PDF and a picture in the preview, the details of a document;
    the transfer panel folded (the previews' fetches are not what these show)."""
    window.panel.set_folded(True)
    open_folder(app, window, "Contrats")
    window.search.field.setText("2026")
    wait_until(app, lambda: window.documents.source is not None and
               window.documents.columns[1] == "folderid" and not window.documents.loading,
               limit=10)
    select(app, window, "Plaquette commerciale")
    window.grab().save(str(OUT / f"search{suffix}.png"))
    window.show_folder()
    select(app, window, "Contrat d'installation photovoltaïque")
    window.grab().save(str(OUT / f"preview-pdf{suffix}.png"))
    window.details.grab().save(str(OUT / f"details{suffix}.png"))
    open_folder(app, window, "Marketing & Communication")
    select(app, window, "Photo équipe")
    window.grab().save(str(OUT / f"preview-image{suffix}.png"))
    window.panel.set_folded(False)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    suffix = "" if args.language == "en" else f"-{args.language}"
    work = Path(tempfile.mkdtemp(prefix="kafdocs-shots-"))
    app = make_app()
    install_translator(app, args.language if args.language != "en" else "en_US")
    box = Sandbox(SandboxSettings(data_dir=work / "crm", user="camille", demo_data=True,
                                  config=Config(bandwidth=3_000_000))).start()
    client = Client(box.url, "camille", box.access_key)
    client.login()
    settings = Settings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(client, settings, TaskRunner(app))
    window.cache_dir = work / "cache"
    window.resize(1280, 820)
    window.show()
    wait(app, 1.5)
    OUT.mkdir(parents=True, exist_ok=True)
    desk_shots(app, window, suffix)
    row = next(i for i, f in enumerate(window.folders.folders) if f.name == "Factures 2026")
    window.folder_view.setCurrentIndex(window.folders.index(row))
    wait_until(app, lambda: window.documents.rowCount() > 0, limit=10)
    select(app, window, "Facture F2026-003")
    window.transfers.clear_finished()  # the previews' fetches: not the subject here
    wait(app, 0.3)
    window.grab().save(str(OUT / f"main-window{suffix}.png"))
    records_shots(app, window, suffix)
    window.folder_view.setCurrentIndex(window.folders.index(0))  # back to the invoices
    window.folder_view.setCurrentIndex(window.folders.index(row))
    wait_until(app, lambda: window.documents.rowCount() > 0, limit=10)

    uploads = []
    for name, size in (("Scan contrat Dupré signé.pdf", 9_000_000),
                       ("Photos chantier.zip", 14_000_000), ("Relevé bancaire.pdf", 3_000_000)):
        path = work / name
        path.write_bytes(os.urandom(size))
        uploads.append(UploadRequest(path, window.folders.folders[row].id))
    window.queue.upload(uploads)
    marketing = next(f for f in window.folders.folders if f.name.startswith("Marketing"))
    window.start_folder_download(marketing, work / "downloads")
    wait_until(app, lambda: window.transfers.overall()[0] > 2_000_000, limit=60)
    wait(app, 0.5)
    wait_until(app, lambda: window.documents.rowCount() > 0, limit=10)  # reloaded after the batch
    window.grab().save(str(OUT / f"transfers{suffix}.png"))
    watched_folders_shot(app, window, settings, OUT / f"watched-folders{suffix}.png")
    window.queue.shutdown(cancel=True)
    window.close()
    client.close()
    box.stop()
    return 0


def records_shots(app: QApplication, window: MainWindow, suffix: str) -> None:
    """The Records section: an account with its documents, a product with its pictures."""
    results = window.records.results

    def row_of(wanted: str) -> int:
        return next((r for r in range(results.count())
                     if results.item(r).data(RECORD_ROLE).id == wanted), -1)

    for text, record_id, name in (("dupré", "11x42", "record-documents"),
                                  ("FS-200", "14x60", "product-pictures")):
        window.records.field.setText(text)
        wait_until(app, lambda wanted=record_id: row_of(wanted) >= 0, limit=10)
        results.setCurrentRow(row_of(record_id))
        wait_until(app, lambda: window.documents.rowCount() > 0 and (
            not window.record.is_product or len(window.record_bar.pictures.pictures) > 1),
            limit=10)
        wait(app, 0.5)
        window.grab().save(str(OUT / f"{name}{suffix}.png"))
    window.records.field.clear()
    window.records.search()  # an empty search empties the list


def watched_folders_shot(app: QApplication, window: MainWindow, settings: Settings,
                         target: Path) -> None:
    """File → Watched folders… with two folders set up (neither watched for real)."""
    ids = {f.name: f.id for f in window.folders.folders}
    save_watched(settings, [
        WatchedFolder("/home/camille/Numérisations", ids["Factures 2026"], "Factures 2026",
                      "11x42", "Boulangerie Dupré"),
        WatchedFolder("/srv/exports/comptabilité", ids["Contrats"], "Contrats",
                      after="keep", enabled=False)])
    window.watched_action.trigger()
    wait(app, 0.5)
    dialog = window.findChild(WatchedFoldersDialog)
    dialog.table.selectRow(0)
    wait(app, 0.3)
    dialog.grab().save(str(target))
    dialog.reject()
    save_watched(settings, [])


if __name__ == "__main__":
    sys.exit(main())
