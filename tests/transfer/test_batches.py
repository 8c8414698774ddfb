"""One table of job records, in batches: summed up, stopped early and forgotten per batch."""

from __future__ import annotations

import pickle
import socket
import threading
from pathlib import Path

import pytest
import urllib3.util.connection

from kafdocs.api import Client
from kafdocs.transfer import Job, JobEvent, JobState, JobTable, TransferQueue, TransferService
from kafdocs.transfer.upload import UploadRequest
from tests.conftest import ACCESS_KEY, FAST_RETRY
from tests.faults.proxy import FaultProxy


def ok(ctx) -> str:
    ctx.set_total(10)
    ctx.progress(10)
    return "ok"


def files(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        paths.append(tmp_path / f"f{n}.txt")
        paths[-1].write_text(str(n))
    return paths


def test_each_batch_is_summed_up_on_its_own() -> None:
    queue = TransferQueue(2)
    first = queue.submit_batch([Job("a", ok), Job("b", ok)])
    assert queue.wait(5)
    second = queue.submit_batch([Job("c", ok), Job("d", ok), Job("e", ok)])
    assert queue.wait(5)
    assert queue.summary(first[0].batch).finished == 2
    assert queue.summary(second[0].batch).finished == 3  # not 5: only its own jobs
    assert queue.table.batch_ended(second[0].batch)
    queue.shutdown()


def test_a_mirror_table_fed_the_same_events_holds_the_same_records() -> None:
    """One state machine: the helper's mirror applies events exactly as the queue does."""
    mirror = JobTable()
    queue = TransferQueue(2, listener=lambda e: mirror.apply(pickle.loads(pickle.dumps(e))))

    def fails(ctx) -> str:
        raise OSError(28, "No space left on device")

    queue.submit_batch([Job("a", ok), Job("b", fails), Job("c", ok)])
    assert queue.wait(5)
    ours = {r.id: (r.state, r.done, r.total, r.message, r.batch) for r in queue.table}
    theirs = {r.id: (r.state, r.done, r.total, r.message, r.batch) for r in mirror}
    assert ours == theirs and mirror.open == queue.table.open == 0
    queue.shutdown()


def test_finished_jobs_keep_their_record_and_drop_their_work() -> None:
    def fails(ctx) -> str:
        raise OSError(13, "Permission denied")

    queue = TransferQueue(2)
    records = queue.submit_batch([Job("a", ok), Job("b", fails)])
    assert queue.wait(5)
    assert set(queue.held_work) == {records[1].id}  # kept: it may be retried
    assert queue.forget(records[0].batch, {JobState.DONE}) == [records[0].id]
    assert list(queue.jobs) == [records[1].id]
    queue.forget(records[0].batch)
    assert len(queue.table) == 0 and queue.held_work == {} and queue.table.batches == {}
    queue.shutdown()


def test_records_and_events_cross_processes() -> None:
    queue = TransferQueue(1)
    (record,) = queue.submit_batch([Job("a", ok, meta={"path": "/x"})])
    assert queue.wait(5)
    copy = pickle.loads(pickle.dumps(record))
    assert copy == record
    event = JobEvent(record.id, "queued", record=record)
    assert pickle.loads(pickle.dumps(event)) == event
    queue.shutdown()


@pytest.fixture
def connections(monkeypatch) -> list:
    tried: list = []
    real = urllib3.util.connection.create_connection

    def counting(address, *args, **kwargs):
        tried.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting)
    return tried


def test_a_batch_against_a_server_that_is_down_stops_at_once(
        sandbox, tmp_path: Path, connections) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Client(sandbox.url, "admin", ACCESS_KEY) as signed_in:
        spec = signed_in.spec()
        client = Client.from_spec(spec)
    client.endpoint = f"http://127.0.0.1:{port}/webservice.php"  # the server went away
    connections.clear()
    service = TransferService(client, workers=4)
    service.upload([UploadRequest(path, "22x1") for path in files(tmp_path, 200)])
    assert service.wait(30)
    summary = service.summary()
    assert summary.failed == 200 and summary.finished == 0
    assert "refused" in summary.halted
    assert summary.not_started >= 200 - 4 and len(summary.failures) <= 4
    assert len(connections) <= 4  # one try per worker at most, not one per file
    assert "stopped early" in summary.line().lower()
    service.shutdown()


def test_a_batch_stops_after_a_few_lost_jobs_and_is_retried_when_the_server_is_back(
        sandbox, tmp_path: Path) -> None:
    proxy = FaultProxy(sandbox.url)
    try:
        client = Client(proxy.url, "admin", ACCESS_KEY, retry=FAST_RETRY)
        client.login()
        client.supports_file_upload()
        proxy.add("*", "status_503", times=10_000)  # a gateway whose server is down
        service = TransferService(client, workers=1)
        service.upload([UploadRequest(path, "22x1") for path in files(tmp_path, 12)])
        assert service.wait(30)
        summary = service.summary()
        assert summary.failed == 12 and summary.halted and summary.not_started == 9
        assert proxy.faults_used().count("status_503") == 3 * FAST_RETRY.attempts
        proxy.faults.clear()
        assert service.retry_failed() == 12
        assert service.wait(30)
        after = service.summary()
        assert after.finished == 12 and not after.halted, after.failures[:3]
        service.shutdown()
        client.close()
    finally:
        proxy.stop()


def test_a_job_cancelled_while_waiting_ends_at_once_and_never_runs() -> None:
    gate = threading.Event()
    ran: list[str] = []

    def blocking(ctx) -> str:
        gate.wait(5)
        return "done"

    def recorded(ctx) -> str:
        ran.append("second")
        return "ran"

    queue = TransferQueue(1)
    first, second = queue.submit_batch([Job("first", blocking), Job("second", recorded)])
    queue.cancel(second.id)
    assert second.state is JobState.CANCELLED  # at once, while the worker is busy
    gate.set()
    assert queue.wait(5)
    assert first.state is JobState.DONE and ran == []
    queue.shutdown()
