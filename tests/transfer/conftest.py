from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kafdocs.api import Client
from kafdocs.sandbox.app import Sandbox
from kafdocs.sandbox.schema import DOCUMENT_FOLDERS, DOCUMENTS
from kafdocs.transfer import Job, TransferQueue
from tests.conftest import ACCESS_KEY, FAST_RETRY


@pytest.fixture
def client(sandbox) -> Iterator[Client]:
    with Client(sandbox.url, "admin", ACCESS_KEY) as crm:
        yield crm


@pytest.fixture
def folder(sandbox: Sandbox) -> str:
    """A new folder, made as the CRM's web page makes it: stock vtiger's webservice
    cannot create folders (KAFDOCS_TEST_FLAVOUR=vtiger runs these tests there too)."""
    crmid = sandbox.server.store.insert(DOCUMENT_FOLDERS, {
        "foldername": "Test folder", "description": "", "createdby": "", "sequence": "9"})
    return f"{DOCUMENT_FOLDERS.prefix}x{crmid}"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_document(client: Client, sandbox: Sandbox, folder_id: str, name: str,
                 content: bytes | None, **fields: str) -> dict[str, Any]:
    """A document as a CRM may hold it; ``name`` is stored verbatim, hostile or not."""
    record = client.create("Documents", {
        "notes_title": fields.pop("title", name or "untitled"), "folderid": folder_id,
        "filestatus": "1", "filelocationtype": fields.pop("location", "I"),
        "assigned_user_id": client.user_id, **fields})
    if content is not None:
        attach_file(sandbox, record["id"], content)
    set_fields(sandbox, record["id"], filename=name)
    return client.retrieve(record["id"])


def attach_file(sandbox: Sandbox, doc_id: str, content: bytes) -> None:
    """Give a document this file (replacing its own), behind the API: the same on every
    flavour, Kafinea's FileUpload or not."""
    store, docid = sandbox.server.store, int(doc_id.split("x")[1])
    store.remove_attachments(docid)
    tmp = store.new_blob_path()
    tmp.write_bytes(content)
    store.add_attachment(docid, "upload.bin", "application/octet-stream", len(content), tmp)
    set_fields(sandbox, doc_id, filesize=str(len(content)))


def set_fields(sandbox: Sandbox, doc_id: str, **values: str) -> None:
    """Write stored fields directly, as a hostile or careless server would hold them."""
    sandbox.server.store.update(DOCUMENTS, int(doc_id.split("x")[1]), values)


def run_all(jobs: list[Job], workers: int = 4) -> TransferQueue:
    queue = TransferQueue(workers, retry=FAST_RETRY)
    for job in jobs:
        queue.submit(job)
    assert queue.wait(60)
    return queue
