"""Every upload reads from a stable file: a file changed while it was sent never lands torn."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kafdocs.api import Client, Query
from kafdocs.api.retry import RetryPolicy
from kafdocs.sandbox.app import Sandbox
from kafdocs.transfer import Job, JobEvent, JobState, TransferQueue
from kafdocs.transfer.upload import UploadRequest, upload
from tests.conftest import ACCESS_KEY

FLAVOURS = ["kafinea", "vtiger"]


@pytest.fixture(params=FLAVOURS)
def crm(request, make_sandbox: Callable[..., Sandbox]) -> Iterator[Client]:
    box = make_sandbox(flavour=request.param)
    with Client(box.url, "admin", ACCESS_KEY) as client:
        yield client


def run_one(client: Client, path: Path, on_progress: Callable[[int], None]) -> Job:
    """Upload ``path`` into the Default folder, calling ``on_progress`` as bytes go out."""
    attempts = 0

    def listener(event: JobEvent) -> None:
        nonlocal attempts
        if event.kind == "progress":
            on_progress(attempts)
        elif event.kind in ("started", "retrying"):
            attempts += 1

    queue = TransferQueue(1, retry=RetryPolicy(first_delay=0.01), listener=listener)
    job = queue.submit(Job(path.name, lambda ctx: upload(
        client, UploadRequest(path, "22x1"), ctx)["id"]))
    assert queue.wait(60)
    queue.shutdown(cancel=False)
    return job


def documents(client: Client) -> list[dict]:
    return client.query(Query("Documents").where("folderid", "=", "22x1"))


def stored(client: Client, doc_id: str) -> bytes:
    file_id = client.retrieve(doc_id)["imageattachmentids"].split(",")[0]
    out = io.BytesIO()
    client.files_retrieve(file_id, lambda index: out)
    return out.getvalue()


def test_file_growing_during_its_upload_is_rolled_back_then_sent_whole(
        crm: Client, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4 first half " + os.urandom(2_000_000))

    def grow_once(attempt: int) -> None:
        if attempt == 1 and path.stat().st_size < 3_000_000:
            with path.open("ab") as f:
                f.write(os.urandom(1_500_000) + b" second half %%EOF")

    job = run_one(crm, path, grow_once)
    assert job.state is JobState.DONE, job.message
    assert job.attempts == 2  # the torn copy was refused once
    (doc,) = documents(crm)
    assert doc["id"] == job.message and doc["filesize"] == str(path.stat().st_size)
    assert stored(crm, doc["id"]) == path.read_bytes()


def test_file_that_keeps_changing_fails_and_leaves_no_document(
        crm: Client, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"a;b\n" * 50_000)

    def touch(attempt: int) -> None:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    job = run_one(crm, path, touch)
    assert job.state is JobState.FAILED
    assert "export.csv changed while it was being sent" in job.message
    assert documents(crm) == []


def test_empty_file_is_refused_up_front_where_the_server_cannot_store_it(
        make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    box = make_sandbox(flavour="vtiger")
    empty = tmp_path / "vide.txt"
    empty.write_bytes(b"")
    with Client(box.url, "admin", ACCESS_KEY) as client:
        job = run_one(client, empty, lambda attempt: None)
        assert job.state is JobState.FAILED and job.attempts == 1
        assert job.message == ("vide.txt: the file is empty and this server cannot store "
                               "empty files")
        assert documents(client) == []
