"""Stored files: multipart file parts, Kafinea's FileUpload, and files_retrieve.

File contents stream between the socket, a spooled temporary file and ``blobs/``;
no file is ever held whole in memory, neither raw nor in base64.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pybase64

from . import images, wire
from .errors import FatalError, WSError, access_denied, invalid_id
from .filenames import ATTACHMENT_NAME_LENGTH, attachment_name
from .forms import CHUNK, Value
from .records import entity_of, resolve_id, ws_id
from .schema import DOCUMENTS, MODULES, PRODUCTS, Module
from .textcolumns import stored

if TYPE_CHECKING:
    from .operations import Backend, Call

B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
NOT_B64 = bytes(b for b in range(256) if b not in B64_ALPHABET)
NOT_FOUND = ("RECORD_NOT_FOUND", "Record you are trying to access is not found")
KINDS = {DOCUMENTS.name: "Documents Attachment", PRODUCTS.name: "Products Image"}


def store_parts(be: Backend, call: Call, owner: int, module: Module, *, replace: bool,
                names: tuple[str, ...] = ()) -> None:
    """Store the request's non-empty file parts (only ``names`` when given) as files of
    ``owner``, as CRMEntity::uploadAndSaveFile does; on an edit (``replace``) each
    stored document file replaces the previous ones. Products keep images only."""
    for name, part in call.form.files:
        if (names and name not in names) or not part.size:
            continue
        tmp = _spill(be, part)
        declared = part.content_type or ""
        must_be_image = module is PRODUCTS or images.looks_like_image(tmp)
        if must_be_image and not images.valid_image(declared, tmp):
            tmp.unlink(missing_ok=True)
            continue
        if images.undecodable_jpeg(tmp):
            tmp.unlink(missing_ok=True)
            raise FatalError("Uncaught ErrorException: imagecreatefromjpeg(): gd-jpeg: "
                             "JPEG library reports unrecoverable error")
        if replace and module is DOCUMENTS:
            be.store.remove_attachments(owner)
        be.store.add_attachment(owner, attachment_name(part.filename or ""), declared,
                                part.size, tmp, kind=KINDS[module.name])


def _spill(be: Backend, part: Value) -> Path:
    tmp = be.store.new_blob_path()
    with tmp.open("wb") as out:
        for block in part.chunks():
            out.write(block)
    return tmp


# -- Kafinea's FileUpload ----------------------------------------------------------
def file_upload(be: Backend, call: Call, parent_id: str | None, kind: str | None,
                file_name: str | None, contents: Value | None) -> object:
    """Store a base64 file on a document (replacing its file) or, as an ``Image``, add
    a picture to a product. Empty contents store an empty file."""
    for name, value in (("parentId", parent_id), ("attachmentType", kind),
                        ("fileName", file_name), ("fileContents", contents)):
        if value is None:
            raise access_denied(name)
    assert parent_id is not None and file_name is not None and contents is not None
    module, owner = resolve_id(be.store, parent_id)
    if (module, kind) not in ((DOCUMENTS, "Attachment"), (DOCUMENTS, "Image"),
                              (PRODUCTS, "Image")):
        raise access_denied("attachmentType" if module in (DOCUMENTS, PRODUCTS) else "parentId")
    tmp = be.store.new_blob_path()
    try:
        size = _decode_base64_to(contents, tmp)
        # Kafinea's own code keeps the name as sent, but for its path and MySQL's utf8
        name = stored(re.split(r"[/\\]", file_name)[-1], ATTACHMENT_NAME_LENGTH) or "file"
        if module is PRODUCTS:
            return _add_product_image(be, owner, name, tmp, size)
        guessed = mimetypes.guess_type(name)[0]
        declared = (be.store.row(DOCUMENTS, owner) or {}).get("filetype", "")
        if be.store.attachment_ids([owner]):  # a replacement: the old type is the old file's
            declared = ""
        # the type the new document declared wins (it may be one Python cannot guess)
        mime = declared or guessed or "application/octet-stream"
        be.store.remove_attachments(owner)
        attid = be.store.add_attachment(owner, name, mime, size, tmp)
    finally:
        tmp.unlink(missing_ok=True)
    be.store.update(DOCUMENTS, owner, {
        "filename": name, "filesize": str(size), "filetype": mime,
        "filelocationtype": "I", "modifiedtime": be.now()})
    return {"id": ws_id(DOCUMENTS, attid), "filename": name, "filesize": str(size)}


def _add_product_image(be: Backend, owner: int, name: str, tmp: Path, size: int) -> object:
    mime = mimetypes.guess_type(name)[0] or ""
    if not images.valid_image(mime, tmp):
        raise WSError("INVALID_FILE", "Only images can be added to a product")
    attid = be.store.add_attachment(owner, name, mime, size, tmp, kind=KINDS[PRODUCTS.name])
    return {"id": ws_id(PRODUCTS, attid), "filename": name, "filesize": str(size)}


def _decode_base64_to(value: Value, target: Path) -> int:
    """Decode like PHP's lenient base64_decode: skip foreign bytes, stop at padding."""
    size, carry = 0, b""
    with target.open("wb") as out:
        for block in value.chunks():
            data = carry + block.split(b"=", 1)[0].translate(None, NOT_B64)
            whole = len(data) - len(data) % 4
            decoded = pybase64.b64decode(data[:whole])
            out.write(decoded)
            size += len(decoded)
            carry = data[whole:]
            if b"=" in block:
                break
        if len(carry) > 1:
            decoded = pybase64.b64decode(carry + b"=" * (-len(carry) % 4))
            out.write(decoded)
            size += len(decoded)
    return size


# -- files_retrieve -----------------------------------------------------------------
def files_retrieve(be: Backend, call: Call, file_id: str | None) -> Iterator[bytes]:
    """A file by its attachment id, under its owner's prefix (``15x4``, ``14x9``)."""
    m = re.match(r"^([^x]*)x(\d+)", file_id or "")
    found = be.store.attachment(int(m.group(2))) if m else None
    if found is None or not found.path.exists():
        raise WSError(*NOT_FOUND)
    module = entity_of(file_id)  # a prefix naming no entity: "denied for id"
    owner = be.store.setype(found.owner)
    if module is None or owner is None or MODULES.get(owner[0]) is not module:
        raise invalid_id()
    size = found.path.stat().st_size
    head = wire.dumps({"fileid": str(found.crmid), "filename": found.name,
                       "filetype": found.mime, "filesize": size})[:-1] + b',"filecontents":"'
    return _stream_file(b'{"success":true,"result":[' + head, found.path, b'"}]}')


def _stream_file(head: bytes, path: Path, tail: bytes) -> Iterator[bytes]:
    """The files_retrieve answer, base64-encoded chunk by chunk with ``/`` escaped."""
    yield head
    with path.open("rb") as f:
        while block := f.read(CHUNK // 4 * 3):
            yield pybase64.b64encode(block).replace(b"/", b"\\/")
    yield tail

