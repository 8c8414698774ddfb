"""Kafinea's FileUpload and files_retrieve, byte for byte."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tests.sandbox.wsclient import Plain, error

DOC = {"notes_title": "Doc", "folderid": "22x1", "filestatus": "1",
       "filelocationtype": "I", "assigned_user_id": "19x1"}


@pytest.fixture
def sandbox(make_sandbox):
    """FileUpload is Kafinea's: stock vtiger answers it with an HTML fatal error."""
    return make_sandbox(demo_data=True, flavour="kafinea")


def upload(ws: Plain, doc_id: str, name: str, content: bytes, kind: str = "Attachment") -> dict:
    return ws.post("FileUpload", parentId=doc_id, attachmentType=kind, fileName=name,
                   fileContents=base64.b64encode(content).decode())


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 786431, 786432, 786433, 3_000_000])
def test_fileupload_then_files_retrieve_round_trips(ws: Plain, size: int) -> None:
    content = hashlib.sha256(str(size).encode()).digest() * (size // 32 + 1)
    content = content[:size]
    doc = ws.ok(ws.create("Documents", DOC))
    answer = ws.post("FileUpload", files={"fileContents": (None, base64.b64encode(content))},
                     parentId=doc["id"], attachmentType="Attachment", fileName="data.raw")
    ws.ok(answer)
    record = ws.retrieve(doc["id"])
    assert record["filesize"] == str(size) and record["filename"] == "data.raw"
    meta, data = ws.file(record["imageattachmentids"])
    assert data == content
    assert meta["filesize"] == size and isinstance(meta["filesize"], int)
    assert meta["fileid"] == record["imageattachmentids"].split("x")[1]


def test_fileupload_accepts_urlencoded_base64(ws: Plain) -> None:
    content = bytes(range(256)) * 10  # base64 full of + and /
    doc = ws.ok(ws.create("Documents", DOC))
    ws.ok(upload(ws, doc["id"], "bytes.raw", content))
    assert ws.file(ws.retrieve(doc["id"])["imageattachmentids"])[1] == content


def test_fileupload_to_a_missing_document(ws: Plain) -> None:
    assert error(upload(ws, "15x999999", "a.txt", b"a"))[0] == "ACCESS_DENIED"


def test_fileupload_without_contents_names_the_missing_parameter(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    answer = ws.post("FileUpload", parentId=doc["id"], attachmentType="Attachment",
                     fileName="a.txt")
    assert error(answer) == ("ACCESS_DENIED",
                             "Permission to perform the operation is denied for fileContents")


def test_fileupload_on_a_document_with_a_file_replaces_it(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    ws.ok(upload(ws, doc["id"], "v1.txt", b"one"))
    first = ws.retrieve(doc["id"])["imageattachmentids"]
    ws.ok(upload(ws, doc["id"], "v2 final.pdf", b"second"))
    record = ws.retrieve(doc["id"])
    assert record["imageattachmentids"] != first and "," not in record["imageattachmentids"]
    assert (record["filename"], record["filesize"], record["filetype"]) == (
        "v2 final.pdf", "6", "application/pdf")
    assert ws.file(record["imageattachmentids"])[1] == b"second"
    assert error(ws.get("files_retrieve", id=first))[0] == "RECORD_NOT_FOUND"


def test_fileupload_of_nothing_stores_an_empty_file(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    ws.ok(upload(ws, doc["id"], "empty.txt", b""))
    record = ws.retrieve(doc["id"])
    assert (record["filename"], record["filesize"], record["filelocationtype"]) == (
        "empty.txt", "0", "I")
    assert ws.file(record["imageattachmentids"])[1] == b""


def test_fileupload_keeps_the_name_but_its_path_and_emoji(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    ws.ok(upload(ws, doc["id"], "C:\\scans\\mon  devis 📄.exe", b"x"))
    assert ws.retrieve(doc["id"])["filename"] == "mon  devis ?.exe"


def test_fileupload_image_adds_a_picture_to_a_product(ws: Plain) -> None:
    from kafdocs.sandbox.demo import png

    product = ws.ok(ws.create("Products", {"productname": "Four", "assigned_user_id": "19x1"}))
    ws.ok(upload(ws, product["id"], "four.png", png(8, 8, 1), kind="Image"))
    ws.ok(upload(ws, product["id"], "four-2.png", png(8, 8, 2), kind="Image"))
    ids = ws.retrieve(product["id"])["imageattachmentids"].split(",")
    assert len(ids) == 2 and all(i.startswith("14x") for i in ids)
    assert ws.file(ids[1])[1] == png(8, 8, 2)


def test_files_retrieve_escapes_slashes_in_base64(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    ws.ok(upload(ws, doc["id"], "s.raw", b"\xff\xff\xff" * 10))
    file_id = ws.retrieve(doc["id"])["imageattachmentids"]
    raw = ws.http.get(ws.endpoint, params={"operation": "files_retrieve", "id": file_id,
                                           "sessionName": ws.session}).content
    assert b"\\/\\/\\/\\/" in raw


@pytest.mark.parametrize("file_id", ["4", "abc", "15x999999"])
def test_files_retrieve_of_unknown_ids(ws: Plain, file_id: str) -> None:
    assert error(ws.get("files_retrieve", id=file_id)) == (
        "RECORD_NOT_FOUND", "Record you are trying to access is not found")


def test_files_retrieve_with_a_document_id_is_not_found(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    assert error(ws.get("files_retrieve", id=doc["id"]))[0] == "RECORD_NOT_FOUND"


def test_a_deleted_document_hides_its_files(ws: Plain, sandbox) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    ws.ok(upload(ws, doc["id"], "x.txt", b"x"))
    file_id = ws.retrieve(doc["id"])["imageattachmentids"]
    ws.ok(ws.post("delete", id=doc["id"]))
    assert error(ws.get("files_retrieve", id=file_id))[0] == "RECORD_NOT_FOUND"
    assert not list(sandbox.settings.data_dir.joinpath("blobs").glob("*.part"))
