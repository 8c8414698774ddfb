"""The app's transfers in a helper process: same results, mirrored events, calm if it dies."""

from __future__ import annotations

import os
import pickle
import signal
from pathlib import Path

import pytest

from kafdocs.api import Client, QueryValueError
from kafdocs.transfer import JobEvent, JobState, TransferService
from kafdocs.transfer.folders import Folder
from kafdocs.transfer.helper import HelperStopped, HelperTransfers
from kafdocs.transfer.manifest import Manifest
from kafdocs.transfer.upload import UploadRequest
from tests.conftest import ACCESS_KEY

from .conftest import add_document


@pytest.fixture
def helper(client: Client):
    transfers = HelperTransfers(client, workers=2)
    yield transfers
    transfers.shutdown(cancel=True, timeout=5)


def fill(client: Client, sandbox, folder: str, count: int, size: int = 20_000) -> None:
    for n in range(count):
        add_document(client, sandbox, folder, f"file {n}.bin", os.urandom(size))


def test_folder_download_in_the_helper_mirrors_every_event(
        helper: HelperTransfers, client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    fill(client, sandbox, folder, 12)
    events: list[JobEvent] = []
    helper.subscribe(events.append)
    assert helper.download_folder(Folder(folder, "Test folder"), tmp_path)[:2] == (12, 0)
    assert helper.wait(60)
    assert helper.summary().finished == 12 and not helper.busy
    assert {j.state for j in helper.jobs.values()} == {JobState.DONE}
    assert sum(e.kind == "finished" for e in events) == 12
    assert next(e.kind for e in events if e.job_id == 1) == "queued"
    files = sorted((tmp_path / "Test folder").glob("file *.bin"))
    assert len(files) == 12
    assert len(Manifest(tmp_path / "Test folder").entries) == 12
    # up to date: nothing planned the second time
    assert helper.download_folder(Folder(folder, "Test folder"), tmp_path)[:2] == (0, 12)


def test_upload_through_the_helper_files_the_document(
        helper: HelperTransfers, client: Client, folder: str, tmp_path: Path) -> None:
    source = tmp_path / "contract.pdf"
    source.write_bytes(b"%PDF-1.4 " + os.urandom(300_000))
    helper.upload([UploadRequest(source, folder)])
    assert helper.wait(60)
    (job,) = helper.jobs.values()
    assert job.state is JobState.DONE and job.kind == "upload", job.message
    (record,) = client.query(f"SELECT * FROM Documents WHERE folderid = '{folder}';")
    (back,) = client.files_retrieve(record["imageattachmentids"])
    assert back.written == source.stat().st_size


def test_a_planning_error_reaches_the_caller_with_its_type(
        helper: HelperTransfers, tmp_path: Path) -> None:
    with pytest.raises(QueryValueError):  # raised in the helper, while listing
        helper.download_folder(Folder("", "No id"), tmp_path)
    assert not helper.busy


def test_a_helper_that_dies_fails_its_jobs_and_the_next_request_starts_another(
        helper: HelperTransfers, client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    sandbox.server.config.bandwidth = 2_000_000  # slow enough to be killed mid-way
    fill(client, sandbox, folder, 3, size=1_000_000)
    helper.download_folder(Folder(folder, "Test folder"), tmp_path)
    first = helper._process
    first.kill()
    assert helper.wait(20)
    assert {j.state for j in helper.jobs.values()} == {JobState.FAILED}
    assert "stopped unexpectedly" in helper.jobs[1].message
    sandbox.server.config.bandwidth = 0
    helper.download_folder(Folder(folder, "Test folder"), tmp_path)
    assert helper.wait(60)
    assert helper._process is not first
    new = [j for j in helper.jobs.values() if j.id > 3]
    assert len(new) == 3 and {j.state for j in new} == {JobState.DONE}
    for path in (tmp_path / "Test folder").glob("file *.bin"):
        assert path.stat().st_size == 1_000_000


def test_failed_transfers_can_be_retried_through_the_helper(
        helper: HelperTransfers, client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "again.bin", b"retry me")
    dest = tmp_path / "dest"
    dest.write_text("a file where the folder should be")
    helper.download([record], dest)
    assert helper.wait(30)
    (job,) = helper.jobs.values()
    assert job.state is JobState.FAILED
    dest.unlink()
    dest.mkdir()
    helper.retry_failed()
    assert helper.wait(30)
    assert job.state is JobState.DONE, job.message
    assert (dest / "again.bin").read_bytes() == b"retry me"


def test_requests_after_shutdown_are_refused(helper: HelperTransfers, tmp_path: Path) -> None:
    helper.shutdown()
    with pytest.raises(HelperStopped):
        helper.download_folder(Folder("22x1", "Default"), tmp_path)


def test_in_process_service_compacts_the_manifest_when_its_jobs_end(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    fill(client, sandbox, folder, 5)
    journal = tmp_path / "Test folder" / ".kafdocs-manifest.jsonl"
    journal.parent.mkdir()
    journal.write_text("a damaged line from a crash\n")
    service = TransferService(client, 2)
    assert service.download_folder(Folder(folder, "Test folder"), tmp_path)[:2] == (5, 0)
    assert service.wait(60)
    service.shutdown()
    lines = journal.read_text().splitlines()
    assert len(lines) == 5 and all(line.startswith('{"doc_id"') for line in lines)


def test_client_spec_carries_the_session_but_never_shows_secrets(client: Client) -> None:
    spec = client.spec()
    copy = Client.from_spec(pickle.loads(pickle.dumps(spec)))
    assert copy.signed_in and copy.user_id == client.user_id
    assert copy.listtypes()  # the same session works: no second login
    assert ACCESS_KEY not in repr(spec) and spec.session not in repr(spec)
    copy.http.close()


def test_login_retries_once_when_another_process_spoiled_the_challenge(sandbox) -> None:
    other = Client(sandbox.url, "admin", ACCESS_KEY)
    client = Client(sandbox.url, "admin", ACCESS_KEY)
    send = client._send
    spoiled: list[bool] = []

    def meddling_send(operation: str, params: dict[str, str], **kw: object) -> object:
        if operation == "login" and not spoiled:
            spoiled.append(True)
            other._send("getchallenge", {"username": "admin"})  # a new token spoils ours
        return send(operation, params, **kw)

    client._send = meddling_send  # type: ignore[method-assign]
    client.login()
    assert spoiled and client.signed_in


def test_the_helper_starts_with_the_first_transfer_not_before(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    helper = HelperTransfers(client, workers=1)
    try:
        helper.cancel(1)
        helper.cancel_all()
        assert helper._process is None  # a window that transfers nothing pays nothing
        record = add_document(client, sandbox, folder, "one.bin", b"one")
        helper.download([record], tmp_path)
        assert helper._process is not None and helper.wait(30)
    finally:
        helper.shutdown()


def test_forgetting_a_batch_frees_it_in_both_processes(
        helper: HelperTransfers, client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    fill(client, sandbox, folder, 3)
    helper.download_folder(Folder(folder, "Test folder"), tmp_path)
    assert helper.wait(30)
    assert helper.held() == (3, 0)  # records kept there; the finished jobs' work is gone
    (batch,) = helper.table.batches
    assert sorted(helper.forget(batch)) == [1, 2, 3]
    assert len(helper.table) == 0
    assert helper.held() == (0, 0)


def test_what_the_helper_learns_reaches_the_apps_client(make_sandbox, tmp_path: Path) -> None:
    box = make_sandbox(max_post=1_000_000)
    big = tmp_path / "scan.tiff"
    big.write_bytes(os.urandom(2_000_000))
    with Client(box.url, "admin", ACCESS_KEY) as client:
        helper = HelperTransfers(client, workers=1)
        learned: list[JobEvent] = []
        helper.subscribe(lambda e: e.kind == "learned" and learned.append(e))
        try:
            helper.upload([UploadRequest(big, "22x1")])
            assert helper.wait(30)
            assert helper.jobs[1].state is JobState.FAILED
            assert learned and learned[0].facts.max_upload is not None
            assert client.max_upload is not None and client.max_upload < 2_000_000
        finally:
            helper.shutdown()


def test_watched_folder_in_the_helper_files_into_the_app_transfers(
        helper: HelperTransfers, client: Client, folder: str, tmp_path: Path) -> None:
    from kafdocs.transfer.watch import WatchEvent, WatchSettings
    from tests.transfer.watch_helpers import wait_until

    events: list[WatchEvent] = []
    helper.subscribe_watch(events.append)
    inbox = tmp_path / "scans"
    inbox.mkdir()
    problems = helper.watch([WatchSettings(inbox, folder, settle=0.1),
                             WatchSettings(tmp_path / "absent", folder)])
    assert list(problems) == [str(tmp_path / "absent")]
    (inbox / "scan 1.pdf").write_bytes(b"%PDF-1.4 scan")
    wait_until(lambda: any(e.kind == "filed" for e in events), timeout=30)
    (job,) = helper.jobs.values()  # among the app's transfers
    assert job.label == "scan 1.pdf" and job.state is JobState.DONE
    assert (inbox / "Filed" / "scan 1.pdf").exists()
    assert helper.watch([]) == {}
    (inbox / "later.pdf").write_bytes(b"not watched any more")
    helper.shutdown(cancel=True, timeout=5)
    assert (inbox / "later.pdf").exists()


def test_a_hung_helper_is_stopped_and_its_jobs_fail_with_a_reason(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    sandbox.server.config.bandwidth = 1_000_000  # slow: the job is still running
    fill(client, sandbox, folder, 2, size=2_000_000)
    helper = HelperTransfers(client, workers=1, hung_after=1.5)
    try:
        helper.download_folder(Folder(folder, "Test folder"), tmp_path)
        process = helper._process
        os.kill(process.pid, signal.SIGSTOP)  # alive, but silent: hung
        assert helper.wait(20)
        assert {r.state for r in helper.table} == {JobState.FAILED}
        assert all("stopped answering" in r.message for r in helper.table)
        process.join(5)
        assert not process.is_alive()
    finally:
        helper.shutdown(timeout=5)


def test_a_cancel_after_the_helper_died_starts_no_other(
        helper: HelperTransfers, client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "one.bin", b"one")
    helper.download([record], tmp_path)
    assert helper.wait(30)
    first = helper._process
    first.kill()
    first.join(5)
    helper.cancel(1)
    helper.cancel_all()
    helper.retry_failed()
    assert helper._process is first  # nothing spawned on the caller's (GUI) thread
