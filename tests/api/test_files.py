"""Streaming FileUpload and files_retrieve against the sandbox, byte-identical."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from kafdocs.api import Cancelled, Client, TooLarge
from kafdocs.api.streams import READ_CHUNK
from tests.conftest import ACCESS_KEY, KAFINEA_ONLY

SIZES = [0, 1, 2, 3, 4, READ_CHUNK - 1, READ_CHUNK, READ_CHUNK + 1, 5_000_000]


def make_file(tmp_path: Path, size: int, name: str = "data.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def new_doc(client: Client, name: str) -> str:
    return client.create("Documents", {
        "notes_title": name, "folderid": "22x1", "filelocationtype": "I", "filestatus": "1",
        "assigned_user_id": client.user_id})["id"]


def download(client: Client, file_id: str, target: Path) -> int:
    with target.open("wb") as out:
        (info,) = client.files_retrieve(file_id, lambda index: out)
    return info.written


@KAFINEA_ONLY
@pytest.mark.parametrize("size", SIZES)
def test_file_upload_and_download_round_trip(client: Client, tmp_path: Path, size: int) -> None:
    source = make_file(tmp_path, size)
    doc = new_doc(client, f"size {size}")
    seen: list[int] = []
    client.file_upload(doc, source, progress=seen.append)
    record = client.retrieve(doc)
    assert record["filesize"] == str(size)
    target = tmp_path / "back.bin"
    assert download(client, record["imageattachmentids"], target) == size
    assert sha(target) == sha(source)
    assert (seen[-1] if seen else 0) == size


def test_stock_vtiger_has_no_file_upload_and_takes_the_file_in_create(
        make_sandbox, tmp_path: Path) -> None:
    box = make_sandbox(flavour="vtiger")
    source = make_file(tmp_path, 1_000_000, "scan du 3 mai.pdf")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        assert crm.supports_file_upload() is False
        record = crm.create_with_file("Documents", {
            "notes_title": "Scan", "folderid": "22x1", "filelocationtype": "I",
            "filestatus": "1", "assigned_user_id": crm.user_id}, source,
            content_type="application/pdf")
        assert record["filename"] == "scan_du_3_mai.pdf"
        target = tmp_path / "back.pdf"
        assert download(crm, record["imageattachmentids"], target) == 1_000_000
    assert sha(target) == sha(source)


@KAFINEA_ONLY
def test_kafinea_supports_file_upload_and_asks_once(client: Client, sandbox) -> None:
    assert client.supports_file_upload() is True
    before = sandbox.server.requests_served
    assert client.supports_file_upload() is True
    assert sandbox.server.requests_served == before


@KAFINEA_ONLY
def test_upload_over_post_max_size_is_too_large_and_then_refused_up_front(
        make_sandbox, tmp_path: Path) -> None:
    box = make_sandbox(max_post=2_000_000)
    source = make_file(tmp_path, 3_000_000)
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        doc = new_doc(crm, "big")
        with pytest.raises(TooLarge) as first:
            crm.file_upload(doc, source)
        assert "too large for this server" in str(first.value)
        before = box.server.requests_served
        with pytest.raises(TooLarge):
            crm.file_upload(doc, source)
        assert box.server.requests_served == before  # known limit: refused before sending


def test_upload_can_be_cancelled_between_chunks(client: Client, tmp_path: Path) -> None:
    source = make_file(tmp_path, 4 * READ_CHUNK)
    doc = new_doc(client, "cancel me")
    sent: list[int] = []
    with pytest.raises(Cancelled):
        client.file_upload(doc, source, progress=sent.append, cancelled=lambda: bool(sent))
    assert "imageattachmentids" not in client.retrieve(doc)


@KAFINEA_ONLY
def test_download_can_be_cancelled(client: Client, tmp_path: Path) -> None:
    source = make_file(tmp_path, 3_000_000)
    doc = new_doc(client, "cancel download")
    client.file_upload(doc, source)
    file_id = client.retrieve(doc)["imageattachmentids"]
    with (tmp_path / "x").open("wb") as out, pytest.raises(Cancelled):
        client.files_retrieve(file_id, lambda i: out, cancelled=lambda: True)


@KAFINEA_ONLY
def test_download_into_memory_for_small_files(client: Client) -> None:
    doc = new_doc(client, "small")
    client.call("FileUpload", {"parentId": doc, "attachmentType": "Attachment",
                               "fileName": "hi.txt", "fileContents": "aGkK"}, post=True)
    (info,) = client.files_retrieve(client.retrieve(doc)["imageattachmentids"])
    assert client.buffers[0].getvalue() == b"hi\n" and info.filename == "hi.txt"
