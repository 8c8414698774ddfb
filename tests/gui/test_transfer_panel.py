"""The transfer panel reads the transfers' one table: per-batch summaries, forgetting,
what the transfers learned, one message when the server is down."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

from kafdocs.api import Client
from kafdocs.gui.settings import Profile
from kafdocs.gui.transfers import TransferModel
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


def test_clear_finished_forgets_the_records_not_only_the_rows(qtbot, qtmodeltester) -> None:
    queue = TransferQueue(2)
    model = TransferModel(queue)
    with qtbot.waitSignal(model.batch_finished, timeout=5000):
        queue.submit_batch([Job("a", ok), Job("b", fails), Job("c", ok)])
    assert model.rowCount() == 3
    model.clear_finished()
    assert model.rowCount() == 1 and model.index(0, 0).data() == "b"
    (left,) = queue.table
    assert left.label == "b" and list(queue.held_work) == [left.id]
    qtmodeltester.check(model)
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
    qtbot.waitUntil(lambda: "too large for this server" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert len(window.queue.jobs) == 1


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
    message = window.statusBar().currentMessage()
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
