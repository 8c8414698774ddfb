"""The window with the keyboard alone, and prompts that say what they will do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from kafdocs import credentials
from kafdocs.gui.formatting import names_list
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.settings import Profile
from kafdocs.gui.signin import SignInDialog
from kafdocs.transfer import Job, TransferService
from tests.conftest import ACCESS_KEY
from tests.gui.conftest import select_folder


def ok(ctx) -> str:
    return "ok"


def focus_chain(qtbot, start, steps: int, key=Qt.Key.Key_Tab) -> list:
    """The widgets that get the focus, Tab after Tab, from ``start``."""
    start.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    chain = []
    for _ in range(steps):
        QTest.keyClick(QApplication.focusWidget(), key)
        chain.append(QApplication.focusWidget())
    return chain


def test_tab_leaves_the_tables_and_reaches_every_transfer_button(
        qtbot, window_factory, gui_client) -> None:
    service = TransferService(gui_client)
    window: MainWindow = window_factory(service)
    with qtbot.waitSignal(window.transfers.batch_finished, timeout=5000):
        service.submit_batch([Job("a", ok), Job("b", ok)])
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    panel = window.panel
    chain = focus_chain(qtbot, window.table, 6)
    assert chain == [panel.fold, *panel.buttons, panel.view]  # was: cell after cell
    assert [b.text() for b in panel.buttons] == ["Cancel", "Cancel all", "Retry failed",
                                                 "Clear finished"]
    back = focus_chain(qtbot, panel.view, 1, Qt.Key.Key_Backtab)
    assert back == [panel.buttons[-1]]  # Shift+Tab leaves the transfer table too
    QTest.keyClick(panel.buttons[-1], Qt.Key.Key_Space)  # a button works from the keyboard
    assert window.transfers.rowCount() == 0


class Asked:
    """QMessageBox.question, answered ``answer``; what was asked is kept."""

    def __init__(self, monkeypatch, answer=QMessageBox.StandardButton.No) -> None:
        self.calls: list[tuple] = []
        self.answer = answer
        monkeypatch.setattr(QMessageBox, "question", self)

    def __call__(self, parent, title, text, buttons=None, default=None):
        self.calls.append((title, text, default))
        return self.answer


def test_delete_names_the_documents_and_defaults_to_no(qtbot, window: MainWindow,
                                                       gui_client) -> None:
    select_folder(qtbot, window, "Contrats")
    qtbot.waitUntil(lambda: window.desk.rights.delete)
    window.table.selectAll()
    window.delete_selected()
    box = window.desk.dialog
    assert isinstance(box, QMessageBox)
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    assert box.text().startswith("Delete these 5 documents from the CRM?")
    assert "• Avenant n°2 Lefèvre" in box.text() and "• Contrat de maintenance Dupré" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    window.table.clearSelection()
    window.table.selectRow(0)
    window.delete_selected()
    box = window.desk.dialog
    assert box.text() == "Delete this document from the CRM?\n\n• Avenant n°2 Lefèvre"
    assert "recycle bin" in box.informativeText()  # vtiger deletes softly: it can come back
    QTest.keyClick(box, Qt.Key.Key_Return)  # a slip of Enter deletes nothing
    window.tasks.wait(5000)
    assert len(gui_client.query("SELECT id FROM Documents;")) == 24  # nothing deleted


def test_a_long_list_is_cut_after_five_names_with_the_count_of_the_rest() -> None:
    assert names_list([f"doc {n}" for n in range(12)]).splitlines() == [
        "• doc 0", "• doc 1", "• doc 2", "• doc 3", "• doc 4", "… and 7 more"]


def test_quitting_during_transfers_names_them_and_defaults_to_no(
        qtbot, window_factory, gui_client, monkeypatch) -> None:
    service = TransferService(gui_client, workers=1)
    window = window_factory(service)

    def slow(ctx) -> str:  # runs until cancelled
        ctx.job.cancel_event.wait(60)
        return "x"

    service.submit_batch([Job("Devis Moreau.pdf", slow), Job("Plan.dwg", slow)])
    qtbot.waitUntil(lambda: window.queue.busy)
    asked = Asked(monkeypatch)
    window.close()
    ((_title, text, default),) = asked.calls
    assert window.isVisible() and default == QMessageBox.StandardButton.No
    assert text == ("These 2 transfers are not finished:\n\n• Devis Moreau.pdf\n• Plan.dwg\n\n"
                    "Cancel them and quit?")
    asked.answer = QMessageBox.StandardButton.Yes
    window.close()
    assert not window.isVisible()


def test_forgetting_a_connection_asks_first(qtbot, sandbox, settings, tasks,
                                            monkeypatch) -> None:
    settings.save_profile(Profile("Bureau", sandbox.url, "admin"))
    credentials.save_key(sandbox.url, "admin", ACCESS_KEY)
    dialog = SignInDialog(settings, tasks)
    qtbot.addWidget(dialog)
    asked = Asked(monkeypatch)
    dialog.forget.click()
    ((_title, text, default),) = asked.calls
    assert "Forget the connection “Bureau”?" in text and default == QMessageBox.StandardButton.No
    assert [p.name for p in settings.profiles()] == ["Bureau"]  # answered No: kept
    assert credentials.load_key(sandbox.url, "admin") == ACCESS_KEY
