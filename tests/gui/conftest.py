from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtWidgets import QMessageBox

from kafdocs.api import Client
from kafdocs.gui.mainwindow import MainWindow
from kafdocs.gui.settings import Settings
from kafdocs.gui.tasks import TaskRunner
from kafdocs.transfer import JobRecord, Transfers
from tests.conftest import ACCESS_KEY


class MemoryKeyring(KeyringBackend):
    """An in-memory backend, so tests never touch the real OS keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def tasks(qapp) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.wait(10_000)


@pytest.fixture
def gui_client(sandbox) -> Iterator[Client]:
    with Client(sandbox.url, "admin", ACCESS_KEY) as client:
        yield client


@pytest.fixture
def window_factory(qtbot, gui_client, settings, tasks, tmp_path: Path, monkeypatch):
    made: list[MainWindow] = []
    # A test that fails mid-transfer must not hang on the "quit anyway?" prompt when
    # pytest-qt closes its windows; tests about that prompt patch it themselves.
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)

    def make(queue: Transfers | None = None) -> MainWindow:
        """A signed-in window; its transfers run in a helper process unless given."""
        win = MainWindow(gui_client, settings, tasks, queue)
        win.cache_dir = tmp_path / "cache"
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: win.folders.rowCount() > 0 and win.documents.rowCount() > 0,
                        timeout=10_000)
        made.append(win)
        return win

    yield make
    for win in made:
        win.queue.shutdown(cancel=True)
    tasks.wait(10_000)


@pytest.fixture
def window(window_factory) -> MainWindow:
    return window_factory()


def select_folder(qtbot, win: MainWindow, name: str) -> None:
    row = next(i for i, f in enumerate(win.folders.folders) if f.name == name)
    win.folder_view.setCurrentIndex(win.folders.index(row))
    qtbot.waitUntil(lambda: not win.documents._loading and win.documents.folder_id ==
                    win.folders.folders[row].id, timeout=10_000)


def user_jobs(win: MainWindow) -> list[JobRecord]:
    """The transfers the user started: not the copies fetched ahead of a drag, unasked."""
    return [job for job in win.queue.jobs.values() if not job.meta.get("background")]


class Desktop:
    """Stands in for QDesktopServices: records what the window asked to open."""

    opened: ClassVar[list[QUrl]] = []

    @classmethod
    def openUrl(cls, url: QUrl) -> bool:
        cls.opened.append(url)
        return True


@pytest.fixture
def desktop(monkeypatch) -> type[Desktop]:
    """A desktop with an application for every type, a browser and a file manager."""
    Desktop.opened = []
    for module in ("doccache", "opener", "details"):
        monkeypatch.setattr(f"kafdocs.gui.{module}.QDesktopServices", Desktop)
    monkeypatch.setattr("kafdocs.gui.doccache.can_open", lambda path: True)
    return Desktop
