"""Starting the desktop app: demo sandbox, scripted sign-in, or the sign-in dialog."""

from __future__ import annotations

import argparse
import gc
import logging
import platform
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer, qVersion
from PySide6.QtWidgets import QApplication, QDialog

from kafdocs import __version__, credentials, logfile
from kafdocs.api import Client
from kafdocs.demo import DemoCRM
from kafdocs.transfer import JobState
from kafdocs.transfer.cache import cache_target

from .mainwindow import MainWindow
from .resources import app_icon, install_translator
from .settings import LANGUAGE, Settings
from .signin import SignInDialog
from .tasks import TaskRunner

log = logging.getLogger(__name__)
SHOW_SIGN_IN_AFTER_MS = 1000  # a sign-in from the environment still waiting is shown


def make_app(argv: list[str] | None = None) -> QApplication:
    # No thread of this process moves files or serves the demo CRM (the transfer helper
    # and the demo run in processes of their own): the interpreter's switch interval
    # stays Python's own.
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        argv or sys.argv[:1])
    app.setApplicationName("kafdocs")
    app.setOrganizationName("kafdocs")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("kafdocs")
    app.setWindowIcon(app_icon())
    return app


def demo_client(demo: DemoCRM) -> Client:
    client = Client(demo.url, demo.user, demo.access_key)
    client.login()
    return client


def run_gui(args: argparse.Namespace, started_demo: DemoCRM | None = None) -> int:
    """The window; with ``--demo``, on the demo CRM ``started_demo`` (started by the
    caller before it imported the GUI, so both start side by side) or a new one."""
    logfile.start()
    log.info("kafdocs %s starting (Python %s, Qt %s, %s)", __version__,
             platform.python_version(), qVersion(), platform.platform())
    app = make_app()
    settings = Settings()
    if args.language:
        settings.set(LANGUAGE, "" if args.language == "system" else args.language)
    install_translator(app, settings.get(LANGUAGE))
    tasks = TaskRunner(app)
    demo = None
    if args.demo:
        demo = started_demo or DemoCRM()
        client: Client | None = demo_client(demo)
    else:
        client = sign_in(args, settings, tasks)
    try:
        return run_windows(app, client, settings, tasks, args)
    finally:
        if demo is not None:
            demo.stop()


def run_windows(app: QApplication, client: Client | None, settings: Settings,
                tasks: TaskRunner, args: argparse.Namespace) -> int:
    """The window for ``client``; after File → Sign out, the sign-in dialog and a new
    window for the connection chosen there, until the user quits or cancels."""
    code = 0
    while client is not None:
        window = MainWindow(client, settings, tasks)
        window.show()
        # What exists now (modules, Qt's wrappers, the window) lives as long as the app:
        # out of the collector's reach, a full collection no longer walks it, which
        # paused the thread that triggered it (and the GUI thread) for 30-130 ms.
        gc.freeze()
        if getattr(args, "quit_after", 0):
            QTimer.singleShot(int(args.quit_after * 1000), window.close)
        if getattr(args, "smoke_test", False):
            watch_smoke_test(app, window)
        try:
            code = app.exec()
        finally:  # the window is gone: what is left to end may take its time
            window.queue.shutdown(cancel=True, timeout=10)
            tasks.wait(10_000)
            client.close()
        if not window.signing_out:
            break
        dialog = SignInDialog(settings, tasks)
        client = dialog.client if dialog.exec() else None
    return code


def watch_smoke_test(app: QApplication, window: MainWindow, limit: float = 30.0) -> None:
    """For packaging checks: succeed once folders and documents are listed and one
    document came through the transfer helper (a frozen app must respawn itself for it).
    """
    root = Path(tempfile.mkdtemp(prefix="kafdocs-smoke-"))
    fetched: list[Path] = []
    listed: list[bool] = []
    timer = QTimer(window)
    deadline = [limit * 10]

    def finish(code: int, text: str) -> None:
        print(f"kafdocs smoke test: {text}", file=sys.stderr if code else sys.stdout,
              flush=True)
        timer.stop()
        app.exit(code)

    def check() -> None:
        deadline[0] -= 1
        if not listed and window.documents.rowCount():
            listed.append(True)  # a benchmark times the start-up to this line
            print("kafdocs smoke test: documents listed", flush=True)
        states = {job.state for job in window.queue.jobs.values()}
        with_file = [r for r in window.documents.rows if r.get("imageattachmentids")]
        if JobState.DONE in states and fetched[0].stat().st_size:
            finish(0, f"signed in, {window.folders.rowCount()} folders, "
                      f"{window.documents.rowCount()} documents, 1 fetched")
        elif states & {JobState.FAILED, JobState.SKIPPED, JobState.CANCELLED}:
            finish(1, "the transfer failed: " + next(iter(window.queue.jobs.values())).message)
        elif deadline[0] <= 0:
            finish(1, "nothing listed or fetched in time")
        elif with_file and not states and not window.queue.busy:
            fetched.append(cache_target(root, window.client.endpoint, with_file[0]))
            window.queue.fetch(with_file[0], root)

    timer.timeout.connect(check)
    timer.start(100)


def sign_in(args: argparse.Namespace, settings: Settings, tasks: TaskRunner) -> Client | None:
    """Sign in with the given options, or ask; a scripted sign-in shows the dialog only
    when it fails, so the user can correct it."""
    url, user, key = credentials.resolve(args.url, args.user, args.access_key)
    dialog = SignInDialog(settings, tasks)
    if url and user:
        dialog.profile.setCurrentIndex(0)
        dialog.url.setText(url)
        dialog.user.setText(user)
        dialog.key.setText(key or "")
        dialog.zone.setText(next((p.server_time_zone for p in settings.profiles()
                                  if (p.url, p.user) == (url, user)), ""))
        dialog.remember.setChecked(False)
        if key:
            quietly(dialog)
            if dialog.client is not None or dialog.result() == QDialog.DialogCode.Rejected:
                return dialog.client  # signed in, or the user cancelled while waiting
    if dialog.exec() and dialog.client is not None:
        return dialog.client
    return None


def quietly(dialog: SignInDialog) -> None:
    """Sign in with the dialog's fields without showing it (no flash of a dialog that
    nobody needs): it appears when the attempt takes more than a moment (with Cancel),
    and stays when it failed (with why)."""
    loop = QEventLoop()
    dialog.attempt_ended.connect(loop.quit)
    show = QTimer(dialog, singleShot=True, interval=SHOW_SIGN_IN_AFTER_MS)
    show.timeout.connect(dialog.show)
    dialog.setResult(QDialog.DialogCode.Accepted)  # "not cancelled" until the user does
    dialog.sign_in()
    if dialog.signing_in:
        show.start()
        loop.exec()  # until signed in, refused, given up or cancelled
    show.stop()
