"""File → Sign out: the window goes, the sign-in dialog comes, and the connection chosen
there opens in a new window, without restarting the app."""

from __future__ import annotations

import argparse
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kafdocs.api import Client
from kafdocs.gui import app
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.signin import SignInDialog
from tests.conftest import ACCESS_KEY


def test_sign_out_then_sign_in_to_another_connection_in_a_new_window(
        qtbot, qapp, make_sandbox, settings, tasks, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr("kafdocs.gui.doccache.default_root", lambda: tmp_path / "cache")
    kafinea = make_sandbox(demo_data=True)
    vtiger = make_sandbox(demo_data=True, flavour="vtiger")
    first = Client(kafinea.url, "admin", ACCESS_KEY)
    first.login()
    second = Client(vtiger.url, "admin", ACCESS_KEY)
    asked: list[SignInDialog] = []

    def sign_in_to_the_other(dialog: SignInDialog) -> int:
        asked.append(dialog)
        second.login()
        dialog.client = second
        return 1

    monkeypatch.setattr(SignInDialog, "exec", sign_in_to_the_other)
    windows: list[MainWindow] = []

    def act() -> None:
        """Once a new window has listed its folders: sign out of the first, quit the
        second."""
        shown = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, MainWindow) and w.isVisible() and w not in windows
                 and w.folders.rowCount() > 0]
        if not shown:
            return
        windows.append(shown[0])
        shown[0].sign_out() if len(windows) == 1 else shown[0].close()

    timer = QTimer(interval=100)
    timer.timeout.connect(act)
    timer.start()
    QTimer.singleShot(60_000, qapp.quit)  # never hang the suite
    code = app.run_windows(qapp, first, settings, tasks, argparse.Namespace())
    timer.stop()
    assert code == 0 and len(asked) == 1 and len(windows) == 2
    assert [w.client.endpoint for w in windows] == [first.endpoint, second.endpoint]
    assert windows[0].signing_out and not windows[1].signing_out
    assert "Sign &out…" in [a.text() for a in windows[0].menuBar().actions()[0].menu()
                            .actions()]
