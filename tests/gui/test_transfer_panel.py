"""The transfer panel reads the transfers' one table: per-batch summaries, forgetting,
what the transfers learned, one message when the server is down."""

from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow

from kafdocs.api import Client
from kafdocs.gui.settings import Profile
from kafdocs.gui.transfer_panel import TransferPanel
from kafdocs.gui.transfers import PROGRESS_ROLE, TransferModel
from kafdocs.transfer import Job, JobState, TransferQueue, TransferService
from kafdocs.transfer.upload import UploadRequest
from tests.conftest import ACCESS_KEY


def ok(ctx) -> str:
    ctx.set_total(100)
    ctx.progress(100)
    return "ok"


def fails(ctx) -> str:
    raise OSError(13, "Permission denied")


def test_each_batch_gets_a_summary_of_its_own(qtbot) -> None:
    queue = TransferQueue(2)
    model = TransferModel(queue)
    with qtbot.waitSignal(model.batch_finished, timeout=5000) as first:
        queue.submit_batch([Job("a", ok), Job("b", ok)])
    with qtbot.waitSignal(model.batch_finished, timeout=5000) as second:
        queue.submit_batch([Job("c", ok), Job("d", ok), Job("e", ok)])
    assert first.args[0].finished == 2
    assert second.args[0].finished == 3  # was 5: every batch so far
    queue.shutdown()


def test_clear_finished_forgets_every_ended_job_failed_and_cancelled_too(
        qtbot, qtmodeltester) -> None:
    queue = TransferQueue(1)
    model = TransferModel(queue)
    release = threading.Event()

    def waits(ctx) -> str:
        release.wait(5)
        return "ok"

    with qtbot.waitSignal(model.batch_finished, timeout=5000):
        queue.submit_batch([Job("a", ok), Job("b", fails), Job("c", ok)])
    (cancelled, running) = queue.submit_batch([Job("d", waits), Job("e", waits)])
    qtbot.waitUntil(lambda: queue.table.get(running.id).state is JobState.QUEUED
                    and model.rowCount() == 5)
    queue.cancel(running.id)
    qtbot.waitUntil(lambda: queue.table.get(running.id).state is JobState.CANCELLED)
    model.clear_finished()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["d"]  # running
    assert [r.label for r in queue.table] == ["d"] and list(queue.held_work) == [cancelled.id]
    qtmodeltester.check(model)
    release.set()
    queue.shutdown()


def test_a_failed_transfer_shows_no_full_bar_and_a_running_one_never_100(qtbot) -> None:
    queue = TransferQueue(1)
    model = TransferModel(queue)
    release = threading.Event()

    def sent_all_then_refused(ctx) -> str:
        ctx.set_total(100)
        ctx.progress(100)
        raise OSError(13, "Permission denied")

    def sent_all_then_waits(ctx) -> str:
        ctx.set_total(100)
        ctx.progress(100)
        release.wait(5)
        return "ok"

    queue.submit_batch([Job("refused", sent_all_then_refused)])
    queue.submit_batch([Job("confirming", sent_all_then_waits)])
    qtbot.waitUntil(lambda: model.rowCount() == 2 and model.rows[1].record.done == 100)
    assert model.index(0, 3).data(PROGRESS_ROLE) is None  # no bar at all
    assert model.index(0, 3).data() is None and model.index(0, 2).data() == "Failed"
    assert model.index(1, 3).data(PROGRESS_ROLE) == 99  # 100 % once confirmed only
    release.set()
    qtbot.waitUntil(lambda: model.index(1, 3).data(PROGRESS_ROLE) == 100)
    queue.shutdown()


def test_a_download_says_where_it_was_saved_and_whether_it_updated_a_copy(
        qtbot, tmp_path: Path) -> None:
    queue = TransferQueue(1)
    model = TransferModel(queue)
    with qtbot.waitSignal(model.batch_finished, timeout=5000):
        queue.submit_batch([
            Job("CGV.pdf", ok, kind="download", meta={"folder": str(tmp_path), "change": "new"}),
            Job("Avenant.docx", ok, kind="download",
                meta={"folder": str(tmp_path), "change": "updated"})])
    assert model.index(0, 6).data() == f"saved as {tmp_path / 'CGV.pdf'}"
    assert model.index(1, 6).data() == f"updated: {tmp_path / 'Avenant.docx'}"
    queue.shutdown()


def test_the_panel_is_one_line_when_empty_and_can_be_folded(qtbot) -> None:
    queue = TransferQueue(1)
    window = QMainWindow()
    window.setCentralWidget(QLabel("documents"))
    panel = TransferPanel(queue, window)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, panel)
    qtbot.addWidget(window)
    window.resize(900, 700)
    window.show()
    empty_height = panel.height()
    assert not panel.view.isVisible() and panel.overall_label.text() == "No transfers"
    assert not any(button.isVisible() for button in panel.buttons)
    assert empty_height < 4 * panel.overall_label.sizeHint().height()  # title + one line
    with qtbot.waitSignal(panel.model.batch_finished, timeout=5000):
        queue.submit_batch([Job("a", ok)])
    assert panel.view.isVisible() and all(button.isVisible() for button in panel.buttons)
    panel.fold.click()
    assert not panel.view.isVisible() and panel.folded
    qtbot.waitUntil(lambda: panel.height() < 3 * panel.fold.sizeHint().height())
    panel.fold.click()
    assert panel.view.isVisible()
    queue.shutdown()


def test_a_new_batch_is_scrolled_into_view(qtbot) -> None:
    queue = TransferQueue(2)
    panel = TransferPanel(queue)
    qtbot.addWidget(panel)
    panel.resize(700, 220)
    panel.show()
    with qtbot.waitSignal(panel.model.batch_finished, timeout=5000):
        queue.submit_batch([Job(f"old {n}", ok) for n in range(40)])
    with qtbot.waitSignal(panel.model.batch_finished, timeout=5000):
        queue.submit_batch([Job("new", ok)])
    new = panel.model.index(40, 0)
    qtbot.waitUntil(lambda: panel.view.viewport().rect().contains(panel.view.visualRect(new)))
    queue.shutdown()


def test_a_learned_upload_limit_checks_the_next_drop_and_is_saved(
        qtbot, window_factory, sandbox, settings, tmp_path: Path) -> None:
    settings.save_profile(Profile("Bureau", sandbox.url, "admin"))
    sandbox.server.config.max_post = 1_000_000
    window = window_factory()
    big = tmp_path / "scan.tiff"
    big.write_bytes(os.urandom(2_000_000))
    folder = window.current_folder()
    window.queue.upload([UploadRequest(big, folder.id)])  # through the helper process
    qtbot.waitUntil(lambda: settings.profiles()[0].max_upload_mb > 0, timeout=30_000)
    assert window.client.max_upload == settings.profiles()[0].max_upload < 2_000_000
    window.start_upload([big], folder)  # refused before anything is sent
    qtbot.waitUntil(lambda: "too large for this server" in " ".join(window.message_bar.messages),
                    timeout=10_000)
    assert len(window.queue.jobs) == 1


def test_retry_checks_the_upload_limit_again_once_the_server_takes_more(
        qtbot, window_factory, sandbox, settings, tmp_path: Path) -> None:
    settings.save_profile(Profile("Bureau", sandbox.url, "admin"))
    sandbox.server.config.max_post = 1_000_000
    window = window_factory()
    big = tmp_path / "scan.tiff"
    big.write_bytes(os.urandom(2_000_000))
    window.queue.upload([UploadRequest(big, window.current_folder().id)])
    qtbot.waitUntil(lambda: settings.profiles()[0].max_upload_mb > 0, timeout=30_000)
    qtbot.waitUntil(lambda: window.transfers.rowCount() == 1
                    and window.transfers.rows[0].record.state is JobState.FAILED)
    sandbox.server.config.max_post = 64_000_000  # the administrator raised the limit
    retry = next(b for b in window.panel.buttons if b.text() == "Retry failed")
    retry.click()
    qtbot.waitUntil(lambda: window.transfers.rows[0].record.state is JobState.DONE,
                    timeout=30_000)  # was refused again at once, before sending
    assert window.client.max_upload is None and settings.profiles()[0].max_upload_mb == 0


def test_the_window_says_once_why_a_batch_stopped(qtbot, window_factory, sandbox,
                                                   tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Client(sandbox.url, "admin", ACCESS_KEY) as signed_in:
        dead = Client.from_spec(signed_in.spec())
    dead.endpoint = f"http://127.0.0.1:{port}/webservice.php"
    service = TransferService(dead, workers=2)
    window = window_factory(service)
    paths = []
    for n in range(20):
        paths.append(tmp_path / f"f{n}.txt")
        paths[-1].write_text("x")
    with qtbot.waitSignal(window.transfers.batch_finished, timeout=10_000):
        service.upload([UploadRequest(path, "22x1") for path in paths])
    (message,) = window.message_bar.messages  # kept until dismissed, said once
    assert "server cannot be reached" in message and "Retry failed" in message
    assert window.transfers.rowCount() == 20  # the jobs stay, to be retried
    assert {r.record.state for r in window.transfers.rows} == {JobState.FAILED}


def test_closing_the_window_waits_at_most_half_a_second_even_for_a_hung_helper(
        qtbot, window_factory, sandbox, tmp_path: Path, monkeypatch) -> None:
    from multiprocessing.process import BaseProcess

    from kafdocs.gui.tasks import TaskRunner

    window = window_factory()
    sandbox.server.config.bandwidth = 1_000_000
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(5_000_000))
    window.queue.upload([UploadRequest(big, "22x1")])
    qtbot.waitUntil(lambda: any(r.state is JobState.RUNNING for r in window.queue.table),
                    timeout=15_000)
    process = window.queue._process
    os.kill(process.pid, signal.SIGSTOP)  # the worst case: alive, but answering nothing
    waits: list[float | None] = []
    join, wait = BaseProcess.join, TaskRunner.wait
    monkeypatch.setattr(BaseProcess, "join",
                        lambda self, timeout=None: waits.append(timeout) or join(self, timeout))
    monkeypatch.setattr(TaskRunner, "wait",
                        lambda self, msecs=10_000: waits.append(msecs / 1000) or wait(self, msecs))
    window.close()
    monkeypatch.undo()
    assert not window.isVisible()
    assert None not in waits and sum(waits) <= 0.5  # was 5 + 2 + 2 + 5 s
    os.kill(process.pid, signal.SIGCONT)  # it wakes up, cancels, cleans up and ends
    window.queue.shutdown(timeout=10)  # what the app does once its window is gone
    assert not process.is_alive()
    rows = window.client.query("SELECT * FROM Documents WHERE filename = 'big.bin';")
    assert rows == []  # the cancelled upload left nothing behind


def test_documents_are_reloaded_once_per_ended_upload_not_for_every_later_batch(
        qtbot) -> None:
    """A preview's fetch after an upload must not reload the table (and lose the
    selection): only uploads that ended since the last reload count."""
    queue = TransferQueue(2)
    panel = TransferPanel(queue)
    qtbot.addWidget(panel)
    reloads: list[bool] = []
    panel.uploads_ended.connect(lambda: reloads.append(True))
    with qtbot.waitSignal(panel.model.batch_finished, timeout=5000):
        queue.submit_batch([Job("up.pdf", ok, kind="upload")])
    assert reloads == [True]
    with qtbot.waitSignal(panel.model.batch_finished, timeout=5000):
        queue.submit_batch([Job("preview.pdf", ok, kind="download")])
    assert reloads == [True]
    with qtbot.waitSignal(panel.model.batch_finished, timeout=5000):
        queue.submit_batch([Job("again.pdf", ok, kind="upload")])
    assert reloads == [True, True]
    queue.shutdown()
