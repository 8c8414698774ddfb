"""Faults injected for real between client and sandbox: each one, and what the user gets.

Transient faults are retried and the transfer completes; permanent ones fail that one
job with a clear reason while the batch goes on. No partial file under its final name,
no empty Document on the server, no hang.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from kafdocs.api import Client, ConnectionFailed, NotKafinea, Query
from kafdocs.transfer import JobState
from kafdocs.transfer.download import PART_SUFFIX
from kafdocs.transfer.folders import resolve_folder
from kafdocs.transfer.sync import plan_folder_download
from kafdocs.transfer.upload import UploadRequest
from tests.conftest import ACCESS_KEY, KAFINEA_ONLY, FakeClock
from tests.faults.proxy import FaultProxy
from tests.transfer.conftest import run_all
from tests.transfer.test_upload import job_for


def download_folder(client: Client, name: str, dest: Path):
    plan = plan_folder_download(client, resolve_folder(client, name), dest)
    return plan, run_all(plan.jobs)


def assert_complete(plan, queue, sandbox) -> None:
    assert all(j.state in (JobState.DONE, JobState.SKIPPED) for j in queue.jobs.values()), [
        (j.label, j.message) for j in queue.jobs.values()]
    assert not list(plan.target.glob(f"*{PART_SUFFIX}"))
    for job in queue.jobs.values():
        if job.state is JobState.DONE:
            assert (plan.target / job.label).stat().st_size == job.total


@pytest.mark.parametrize("kind", ["reset_response", "truncate", "status_500", "status_502",
                                  "status_503", "empty", "not_envelope", "php_warning"])
def test_download_survives(kind: str, proxy: FaultProxy, client: Client, sandbox,
                           tmp_path: Path) -> None:
    proxy.add("files_retrieve", kind, times=2)
    proxy.add("query", kind)
    plan, queue = download_folder(client, "Factures 2026", tmp_path)
    assert_complete(plan, queue, sandbox)
    assert proxy.faults_used().count(kind) == 3
    assert len(list(plan.target.glob("*.pdf"))) == 8


def test_read_timeout_is_retried(proxy: FaultProxy, client: Client, sandbox,
                                 tmp_path: Path) -> None:
    proxy.add("files_retrieve", "delay", arg=2.5)
    plan, queue = download_folder(client, "Contrats", tmp_path)
    assert_complete(plan, queue, sandbox)
    assert "delay" in proxy.faults_used()


@KAFINEA_ONLY
@pytest.mark.parametrize("kind", ["reset_request", "reset_response", "status_503",
                                  "truncate", "empty"])
def test_upload_survives_and_leaves_one_document(kind: str, proxy: FaultProxy,
                                                 client: Client, tmp_path: Path) -> None:
    path = tmp_path / "rapport.bin"
    path.write_bytes(os.urandom(600_000))
    proxy.add("FileUpload", kind)
    (job,) = run_all([job_for(client, UploadRequest(path, "22x1"))]).jobs.values()
    assert job.state is JobState.DONE, job.message
    rows = client.query(Query("Documents").where("filename", "=", "rapport.bin"))
    assert len(rows) == 1 and rows[0]["filesize"] == "600000"


@KAFINEA_ONLY
def test_persistent_upload_failure_leaves_no_document(proxy: FaultProxy, client: Client,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "never.bin"
    path.write_bytes(os.urandom(100_000))
    proxy.add("FileUpload", "reset_request", times=99, min_body=100_000)
    good = tmp_path / "fine.txt"
    good.write_text("ok")
    queue = run_all([job_for(client, UploadRequest(path, "22x1")),
                     job_for(client, UploadRequest(good, "22x1"))])
    states = {j.label: j for j in queue.jobs.values()}
    assert states["never.bin"].state is JobState.FAILED
    assert "connection" in states["never.bin"].message.lower()
    assert states["fine.txt"].state is JobState.DONE  # the batch went on
    names = {r["filename"] for r in client.query(Query("Documents")
                                                 .where("folderid", "=", "22x1"))}
    assert "never.bin" not in names


def test_invalid_base64_fails_that_file_clearly(proxy: FaultProxy, client: Client,
                                                sandbox, tmp_path: Path) -> None:
    class Corrupting(FaultProxy):
        pass

    from tests.faults import proxy as proxy_module

    original = proxy_module.Handler._forward

    def corrupt(self, method, body):
        status, headers, data = original(self, method, body)
        if b'"filecontents":"' in data and b"Q29ycnVwdA" not in data:
            head, _, rest = data.partition(b'"filecontents":"')
            data = head + b'"filecontents":"*!*' + rest[3:]
        return status, headers, data

    proxy_module.Handler._forward = corrupt
    try:
        plan, queue = download_folder(client, "Contrats", tmp_path)
    finally:
        proxy_module.Handler._forward = original
    failed = [j for j in queue.jobs.values() if j.state is JobState.FAILED]
    assert failed and all("not valid base64" in j.message for j in failed)
    assert not [p for p in plan.target.iterdir() if not p.name.startswith(".")]


def test_not_a_kafinea_page_is_permanent(proxy: FaultProxy, client: Client) -> None:
    proxy.add("query", "html_page", times=5)
    with pytest.raises(NotKafinea):
        client.query(Query("DocumentFolders"))
    assert proxy.faults_used().count("html_page") == 1  # not retried


def test_connection_refused_is_clear() -> None:
    """(That it is quick, one connection and no retry: tests/api/test_retry.py.)"""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectionFailed) as exc:
        Client(f"http://127.0.0.1:{port}/", "admin", "k").login()
    assert "refused" in str(exc.value)


def test_dns_failure_is_clear() -> None:
    with pytest.raises(ConnectionFailed) as exc:
        Client("https://no-such-host.invalid/", "admin", "k", timeout=(3, 3)).login()
    assert "host name not found" in str(exc.value) or "resolve" in str(exc.value).lower()


def test_session_expiry_mid_download_of_three_hundred_documents(make_sandbox,
                                                               tmp_path: Path) -> None:
    from kafdocs.sandbox.schema import DOCUMENTS

    # each look at the sandbox's clock is a second later: a session lasts a few dozen
    # requests, so several end during the download, however fast the machine
    box = make_sandbox(session_life=40, clock=FakeClock(step=1.0))
    store = box.server.store
    for n in range(300):
        docid = store.insert(DOCUMENTS, {
            "notes_title": f"doc {n}", "folderid": "22x1", "assigned_user_id": "19x1",
            "filelocationtype": "I", "filestatus": "1", "filename": f"doc{n}.txt",
            "filesize": str(len(str(n))), "modifiedtime": "2026-01-01 00:00:00"})
        tmp = store.new_blob_path()
        tmp.write_bytes(str(n).encode())
        store.add_attachment(docid, f"doc{n}.txt", "text/plain", len(str(n)), tmp)
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        first = crm._session
        plan, queue = download_folder(crm, "Default", tmp_path)
        assert crm._session != first  # it signed in again, maybe several times
    assert queue.summary().finished == 300 and queue.summary().failed == 0
    assert (plan.target / "doc299.txt").read_text() == "299"


def test_php_warnings_before_every_answer(proxy: FaultProxy, client: Client,
                                          tmp_path: Path) -> None:
    proxy.add("*", "php_warning", times=1000)
    path = tmp_path / "w.txt"
    path.write_bytes(b"warned")
    (job,) = run_all([job_for(client, UploadRequest(path, "22x1"))]).jobs.values()
    assert job.state is JobState.DONE
    record = client.retrieve(job.message) if job.message.startswith("15x") else None
    assert record is None or record["filename"] == "w.txt"
    file_id = client.query(Query("Documents").where("filename", "=", "w.txt"))[0][
        "imageattachmentids"]
    client.files_retrieve(file_id)
    assert client.buffers[0].getvalue() == b"warned"
    assert base64  # imported for symmetry with the sandbox tests
