"""Files: FileUpload, the stock multipart create, files_retrieve, byte for byte."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from tests.sandbox.wsclient import Plain, error

DOC = {"notes_title": "Doc", "folderid": "22x1", "filestatus": "1",
       "filelocationtype": "I", "assigned_user_id": "19x1"}


def fetch(ws: Plain, file_id: str) -> tuple[dict, bytes]:
    meta = ws.ok(ws.get("files_retrieve", id=file_id))
    assert isinstance(meta, list) and len(meta) == 1
    return meta[0], base64.b64decode(meta[0]["filecontents"])


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 786431, 786432, 786433, 3_000_000])
def test_fileupload_then_files_retrieve_round_trips(ws: Plain, size: int) -> None:
    content = hashlib.sha256(str(size).encode()).digest() * (size // 32 + 1)
    content = content[:size]
    doc = ws.ok(ws.create("Documents", DOC))
    answer = ws.post("FileUpload", files={"fileContents": (None, base64.b64encode(content))},
                     parentId=doc["id"], attachmentType="Attachment", fileName="data.bin")
    ws.ok(answer)
    record = ws.ok(ws.get("retrieve", id=doc["id"]))
    assert record["filesize"] == str(size) and record["filename"] == "data.bin"
    meta, data = fetch(ws, record["imageattachmentids"])
    assert data == content
    assert meta["filesize"] == size and isinstance(meta["filesize"], int)
    assert meta["fileid"] == record["imageattachmentids"].split("x")[1]


def test_fileupload_accepts_urlencoded_base64(ws: Plain) -> None:
    content = bytes(range(256)) * 10  # base64 full of + and /
    doc = ws.ok(ws.create("Documents", DOC))
    ws.ok(ws.post("FileUpload", parentId=doc["id"], attachmentType="Attachment",
                  fileName="bytes.bin", fileContents=base64.b64encode(content).decode()))
    record = ws.ok(ws.get("retrieve", id=doc["id"]))
    assert fetch(ws, record["imageattachmentids"])[1] == content


def test_fileupload_to_a_missing_document(ws: Plain) -> None:
    answer = ws.post("FileUpload", parentId="15x999999", attachmentType="Attachment",
                     fileName="a.txt", fileContents="YQ==")
    assert error(answer)[0] == "ACCESS_DENIED"


def test_fileupload_without_contents_names_the_missing_parameter(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    answer = ws.post("FileUpload", parentId=doc["id"], attachmentType="Attachment",
                     fileName="a.txt")
    assert error(answer) == ("ACCESS_DENIED",
                             "Permission to perform the operation is denied for fileContents")


def test_stock_create_with_a_file_part_renames_spaces(ws: Plain) -> None:
    answer = ws.post("create", elementType="Documents", element=json.dumps(DOC),
                     files={"filename": ("hello world.txt", b"Hello from realpeer\n",
                                         "text/plain")})
    record = ws.ok(answer)
    assert record["filename"] == "hello_world.txt" and record["filesize"] == "20"
    assert record["filetype"] == "text/plain" and record["filedownloadcount"] == ""
    assert fetch(ws, record["imageattachmentids"])[1] == b"Hello from realpeer\n"


def test_files_retrieve_escapes_slashes_in_base64(ws: Plain) -> None:
    content = b"\xff\xff\xff" * 10
    doc = ws.ok(ws.create("Documents", DOC))
    ws.post("FileUpload", parentId=doc["id"], attachmentType="Attachment", fileName="s.bin",
            fileContents=base64.b64encode(content).decode())
    file_id = ws.ok(ws.get("retrieve", id=doc["id"]))["imageattachmentids"]
    raw = ws.http.get(ws.endpoint, params={"operation": "files_retrieve", "id": file_id,
                                           "sessionName": ws.session}).content
    assert b"\\/\\/\\/\\/" in raw


def test_a_document_may_hold_several_files(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    for name in ("a.txt", "b.txt"):
        ws.ok(ws.post("FileUpload", parentId=doc["id"], attachmentType="Attachment",
                      fileName=name, fileContents=base64.b64encode(name.encode()).decode()))
    ids = ws.ok(ws.get("retrieve", id=doc["id"]))["imageattachmentids"].split(",")
    assert [fetch(ws, i)[0]["filename"] for i in ids] == ["a.txt", "b.txt"]
    rows = ws.ok(ws.query(f"SELECT id FROM Documents WHERE id = '{doc['id']}';"))
    assert rows[0]["imageattachmentids"] == ",".join(ids)


@pytest.mark.parametrize("file_id", ["4", "abc", "15x999999"])
def test_files_retrieve_of_unknown_ids(ws: Plain, file_id: str) -> None:
    assert error(ws.get("files_retrieve", id=file_id)) == (
        "RECORD_NOT_FOUND", "Record you are trying to access is not found")


def test_files_retrieve_with_a_document_id_is_not_found(ws: Plain) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    assert error(ws.get("files_retrieve", id=doc["id"]))[0] == "RECORD_NOT_FOUND"


def test_deleting_a_document_removes_its_files(ws: Plain, sandbox) -> None:
    doc = ws.ok(ws.create("Documents", DOC))
    ws.ok(ws.post("FileUpload", parentId=doc["id"], attachmentType="Attachment",
                  fileName="x.txt", fileContents="eA=="))
    file_id = ws.ok(ws.get("retrieve", id=doc["id"]))["imageattachmentids"]
    ws.ok(ws.post("delete", id=doc["id"]))
    assert error(ws.get("files_retrieve", id=file_id))[0] == "RECORD_NOT_FOUND"
    assert not list(sandbox.settings.data_dir.joinpath("blobs").glob("*.part"))
