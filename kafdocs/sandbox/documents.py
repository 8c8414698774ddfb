"""What saving a Document does beyond its fields: its folder and its file.

It follows vtiger's ``Documents::save_module``: with ``filelocationtype`` ``I`` and a
multipart part named ``filename``, the file's name, size and type come from that part
(a 0-byte part leaves the document without a file); without one, a new document keeps
the metadata it was sent and an edited one keeps its own. Every non-empty file part is
then stored as an attachment; on an edit each stored file replaces the previous ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import files
from .filenames import server_name
from .forms import Value
from .records import ws_id
from .schema import DOCUMENT_FOLDERS, DOCUMENTS

if TYPE_CHECKING:
    from .operations import Backend, Call

FILE_PART = "filename"
DEFAULT_FOLDER = ws_id(DOCUMENT_FOLDERS, 1)
NEW_DOCUMENT = {"folderid": DEFAULT_FOLDER, "starred": "0", "tags": "", "notecontent": "",
                "filestatus": "0", "fileversion": "", "filelocationtype": "",
                "filename": "", "filesize": "0", "filetype": "", "filedownloadcount": ""}


def create(be: Backend, call: Call, values: dict[str, str]) -> int:
    values = {**NEW_DOCUMENT, **values}
    if values.get("filename"):
        values["filedownloadcount"] = "0"
    values.update(_folder(values), **_file_fields(call, values, previous=None))
    docid = be.store.insert(DOCUMENTS, values)
    files.store_parts(be, call, docid, DOCUMENTS, replace=False)
    return docid


def write(be: Backend, call: Call, docid: int, values: dict[str, str]) -> None:
    """update and revise: only the fields given change, then the file if one was sent."""
    previous = be.store.row(DOCUMENTS, docid) or {}
    values.pop("filedownloadcount", None)
    values.update(_folder(values))
    merged = {**previous, **values}
    values.update(_file_fields(call, merged, previous=previous))
    be.store.update(DOCUMENTS, docid, values)
    files.store_parts(be, call, docid, DOCUMENTS, replace=True)


def _folder(values: dict[str, str]) -> dict[str, str]:
    """A document is always in a folder: no folder (``""``) means the default one."""
    if "folderid" in values and not values["folderid"]:
        return {"folderid": DEFAULT_FOLDER}
    return {}


def _file_fields(call: Call, values: dict[str, str],
                 previous: dict[str, str] | None) -> dict[str, str]:
    """filename, filesize, filetype and filelocationtype after the save."""
    if values.get("filelocationtype") != "I":
        return {}
    part = call.form.file(FILE_PART)
    if part is None:
        if previous is not None:  # an edit without a new file keeps the file it had
            return {k: previous.get(k, "") for k in ("filename", "filesize", "filetype")}
        return {} if values.get("filename") else {"filesize": "0", "filetype": ""}
    if not any(v.size for _, v in call.form.files):  # a 0-byte part: PHP's upload error
        return {"filename": "", "filesize": "0", "filetype": "", "filelocationtype": "",
                "filedownloadcount": ""}
    return _from_part(part)


def _from_part(part: Value) -> dict[str, str]:
    return {"filename": server_name(part.filename or ""), "filesize": str(part.size),
            "filetype": part.content_type or "", "filedownloadcount": ""}
