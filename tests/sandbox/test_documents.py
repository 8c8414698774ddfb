"""A document's file sent as multipart parts, the stock vtiger way (both flavours)."""

from __future__ import annotations

import json
import os
import struct

import pytest

from kafdocs.sandbox.demo import png
from tests.sandbox.wsclient import Plain, error

DOC = {"notes_title": "Doc", "folderid": "22x1", "filestatus": "1",
       "filelocationtype": "I", "assigned_user_id": "19x1"}


def create(ws: Plain, *parts: tuple[str, tuple[str, bytes, str]], **fields: str) -> dict:
    return ws.ok(ws.post("create", elementType="Documents",
                         element=json.dumps({**DOC, **fields}), files=list(parts)))


def part(name: str, content: bytes, mime: str = "text/plain") -> tuple[str, tuple]:
    return ("filename", (name, content, mime))


def test_the_file_part_gives_name_size_and_type(both: Plain) -> None:
    record = create(both, part("hello world.txt", b"Hello from realpeer\n"))
    assert (record["filename"], record["filesize"], record["filetype"]) == (
        "hello_world.txt", "20", "text/plain")
    assert record["filedownloadcount"] == ""
    assert both.file(record["imageattachmentids"])[1] == b"Hello from realpeer\n"


@pytest.mark.parametrize(("sent", "stored"), [
    ("Devis   client\t2026.pdf", "Devis_client_2026.pdf"),
    ("x.exe", "x.exefile.txt"),
    ("x.JS", "x.JSfile.txt"),
    ("x.php.jpg", "x.phpfile.jpg.txt"),
    ("archive.tar.gz", "archive.tar.gz"),
    ("C:\\Users\\amelie\\scan.pdf", "scan.pdf"),
    ("../../etc/passwd", "passwd"),
    ("photo 📷 été.txt", "photo_?_été.txt"),
    ("%22quoted%22.txt", "%22quoted%22.txt"),
])
def test_file_names_follow_vtigers_rules(both: Plain, sent: str, stored: str) -> None:
    record = create(both, part(sent, b"data"))
    assert record["filename"] == stored
    assert both.file(record["imageattachmentids"])[0]["filename"] == stored


def test_a_long_attachment_name_loses_its_end(both: Plain) -> None:
    record = create(both, part("n" * 300 + ".pdf", b"data"))
    assert both.file(record["imageattachmentids"])[0]["filename"] == "n" * 255


def test_a_zero_byte_part_leaves_the_document_without_a_file(both: Plain) -> None:
    record = create(both, part("empty.txt", b""))
    assert (record["filename"], record["filelocationtype"]) == ("", "")
    assert "imageattachmentids" not in record


def test_another_part_name_stores_a_file_but_not_its_metadata(both: Plain) -> None:
    record = create(both, ("attachment", ("other.txt", b"other", "text/plain")),
                    filename="declared.pdf", filesize="99")
    assert (record["filename"], record["filesize"]) == ("declared.pdf", "99")
    assert both.file(record["imageattachmentids"])[1] == b"other"


def test_a_file_that_looks_like_an_image_must_be_one(both: Plain) -> None:
    tga = bytes([0, 0, 2] + [0] * 9) + struct.pack("<HH", 64, 48) + bytes([24, 0])
    record = create(both, part("mesures.dat", tga + os.urandom(200), "application/octet-stream"))
    assert "imageattachmentids" not in record  # libmagic says TGA: refused, silently
    picture = create(both, part("logo.png", png(8, 8, 3), "image/png"))
    assert both.file(picture["imageattachmentids"])[1] == png(8, 8, 3)


def test_a_corrupt_jpeg_is_a_php_fatal_error_after_the_document_was_saved(both: Plain) -> None:
    answer = both.http.post(both.endpoint, data={
        "operation": "create", "sessionName": both.session, "elementType": "Documents",
        "element": json.dumps({**DOC, "notes_title": "Photo abîmée"})},
        files=[part("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00JFIF" + b"\x00" * 64, "image/jpeg")])
    assert answer.text.startswith("<br />\n<b>Fatal error</b>")
    found = both.ok(both.query("SELECT * FROM Documents WHERE notes_title = 'Photo abîmée';"))
    assert len(found) == 1 and "imageattachmentids" not in found[0]


@pytest.mark.parametrize("operation", ["update", "revise"])
def test_a_filename_part_replaces_the_file_in_place(both: Plain, operation: str) -> None:
    first = create(both, part("v1.txt", b"one"))
    both.ok(both.post("add_related", sourceRecordId="11x1", relatedRecordId=first["id"]))
    element = {"id": first["id"], "notes_title": "Doc", "assigned_user_id": "19x1"}
    answer = both.post(operation, element=json.dumps(element),
                       files=[part("v2 signée.pdf", b"second", "application/pdf")])
    record = both.ok(answer)
    assert (record["id"], record["note_no"]) == (first["id"], first["note_no"])
    assert (record["filename"], record["filesize"], record["filetype"]) == (
        "v2_signée.pdf", "6", "application/pdf")
    assert record["imageattachmentids"] != first["imageattachmentids"]
    assert both.file(record["imageattachmentids"])[1] == b"second"
    assert error(both.get("files_retrieve", id=first["imageattachmentids"]))[0] == (
        "RECORD_NOT_FOUND")
    assert record["fileversion"] == first["fileversion"]


def test_an_edit_without_a_file_keeps_the_file_it_had(both: Plain) -> None:
    first = create(both, part("v1.txt", b"one"))
    record = both.ok(both.update({**first, "filename": "other.txt", "filesize": "1"}))
    assert (record["filename"], record["filesize"]) == ("v1.txt", "3")
    assert record["imageattachmentids"] == first["imageattachmentids"]


def test_files_retrieve_with_another_modules_prefix(both: Plain) -> None:
    record = create(both, part("a.txt", b"a"))
    number = record["imageattachmentids"].split("x")[1]
    for prefix in ("11", "22"):
        assert error(both.get("files_retrieve", id=f"{prefix}x{number}")) == (
            "INVALID_ID_ATTRIBUTE", "Id specified is incorrect")
    assert error(both.get("files_retrieve", id=f"999x{number}"))[1].endswith("denied for id")


def test_an_attachment_id_cannot_be_deleted(both: Plain) -> None:
    record = create(both, part("a.txt", b"a"))
    assert error(both.post("delete", id=record["imageattachmentids"])) == (
        "ACCESS_DENIED", "Permission to perform the operation is denied")
    assert both.file(record["imageattachmentids"])[1] == b"a"
