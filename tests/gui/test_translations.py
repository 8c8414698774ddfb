"""The window speaks the chosen language: its own messages and Qt's standard buttons."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox

from kafdocs import i18n
from kafdocs.gui.formatting import bytes_text
from kafdocs.gui.resources import install_translator
from kafdocs.gui.settings import LANGUAGE
from kafdocs.gui.transfer_panel import TransferPanel
from kafdocs.gui.upload_dialogs import DuplicateDialog, UploadDialog
from kafdocs.transfer import Job, TransferQueue


def test_french_window(qtbot, qapp, window_factory) -> None:
    qt_catalogue = install_translator(qapp, "fr")
    try:
        win = window_factory()
        assert win.upload_action.text() == "Envoyer…"
        assert win.dock.windowTitle() == "Transferts"
        assert win.documents.headerData(0, Qt.Orientation.Horizontal) == "Titre"
        assert QLocale().language() == QLocale.Language.French
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel.text().replace("&", "") == "Annuler"
    finally:
        if qt_catalogue is not None:
            QCoreApplication.removeTranslator(qt_catalogue)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        i18n.set_language("en")


def test_dialogs_use_plural_forms(qtbot, qapp, window_factory) -> None:
    i18n.set_language("fr")
    try:
        win = window_factory()
        doc = {"id": "15x1", "notes_title": "A", "filename": "a.pdf"}
        one = DuplicateDialog("a.pdf", [doc], "a (2).pdf", 1, True, win.client.server_zone)
        three = DuplicateDialog("a.pdf", [doc, doc], "a (2).pdf", 3, True,
                                win.client.server_zone)
        qtbot.addWidget(one)
        qtbot.addWidget(three)
        assert one.apply_all.text() == "Faire de même pour l'autre conflit"
        assert three.apply_all.text() == "Faire de même pour les 3 autres conflits"
        title = one.windowTitle()  # "Fichier déjà présent dans le dossier", once clipped
        assert one.minimumWidth() >= one.fontMetrics().horizontalAdvance(title) + 160
        upload = UploadDialog(win.client, win.tasks, "Contrats", 1, 2048)
        qtbot.addWidget(upload)
        texts = [label.text() for label in upload.findChildren(QLabel)]
        assert any(t.startswith("Envoyer 1 fichier (") and "« Contrats »" in t for t in texts)
    finally:
        i18n.set_language("en")


def test_the_language_menu_ticks_only_the_language_chosen(qtbot, window_factory,
                                                          monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    win = window_factory()
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    languages = next(a.menu() for a in menu.actions() if a.text().startswith("&Language"))

    def ticked() -> list[str]:
        return [a.text() for a in languages.actions() if a.isChecked()]

    assert ticked() == ["System language"]
    next(a for a in languages.actions() if a.text() == "Français").trigger()
    assert ticked() == ["Français"]  # was: "System language" and "Français"
    assert win.settings.get(LANGUAGE) == "fr"


def test_qt_file_dialogs_speak_french_too(qapp) -> None:
    qt_catalogue = install_translator(qapp, "fr")
    try:
        assert qt_catalogue is not None
        assert QCoreApplication.translate("QFileDialog", "Look in:") == "Voir dans\xa0:"
        assert QCoreApplication.translate("QFileDialog", "Files of type:") == \
            "Fichiers de type\xa0:"
    finally:
        if qt_catalogue is not None:
            QCoreApplication.removeTranslator(qt_catalogue)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        i18n.set_language("en")


def test_sizes_and_the_transfer_count_agree_with_their_number(qtbot, qapp) -> None:
    assert [bytes_text(n) for n in (1, 2, 999)] == ["1 byte", "2 bytes", "999 bytes"]
    assert bytes_text(2_500_000) == "2.5 MB"
    qt_catalogue = install_translator(qapp, "fr")
    queue = TransferQueue(1)
    try:
        assert [bytes_text(n) for n in (0, 1, 2)] == ["0 octet", "1 octet", "2 octets"]
        panel = TransferPanel(queue)
        qtbot.addWidget(panel)
        release = threading.Event()
        queue.submit_batch([Job("a", lambda ctx: "ok"), Job("b", lambda ctx: str(release.wait(10))),
                            Job("c", lambda ctx: "ok")])
        qtbot.waitUntil(lambda: panel.overall_label.text().startswith("Fichiers : 1 sur 3"))
        release.set()  # was: "1 fichiers sur 3"
    finally:
        queue.shutdown()
        if qt_catalogue is not None:
            QCoreApplication.removeTranslator(qt_catalogue)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        i18n.set_language("en")


def test_the_about_text_follows_french_typography(window_factory) -> None:
    from kafdocs.gui.about import about_text
    i18n.set_language("fr")
    try:
        win = window_factory()
        lines = about_text(win.client).splitlines()
        assert lines[1].startswith("Serveur : http")  # was: "Serveur: http", English colon
        assert all(" : " in line for line in lines)
    finally:
        i18n.set_language("en")
