"""Everything known about one document: its fields with names instead of ids, and
the records it is linked to, for ``kafdocs info`` and the window's details.

Links are read from the document's side (``query_related`` Document → Accounts,
Contacts, Products), which vtiger answers; a server that cannot tell says so with an
error, and the details then say "unknown" rather than "none".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kafdocs.api import ApiError, Client, Query, TransportError, instance_url
from kafdocs.api.values import number

from .crmrecords import RECORD_MODULES, CrmRecord, account_names, record_from_row


@dataclass
class DocumentDetails:
    record: dict[str, Any]
    folder: str = ""  # the folder's name
    owner: str = ""  # the assigned user's name
    linked: list[CrmRecord] | None = field(default=None)  # None: the server cannot tell

    @property
    def size(self) -> int | None:
        return number(self.record.get("filesize"))

    def as_json(self, client: Client) -> dict[str, Any]:
        r = self.record
        return {"id": r.get("id"), "number": r.get("note_no", ""),
                "title": r.get("notes_title", ""), "folder_id": r.get("folderid", ""),
                "folder": self.folder, "file_name": r.get("filename", ""),
                "type": r.get("filetype", ""), "size": self.size,
                "owner": self.owner, "created": r.get("createdtime", ""),
                "modified": r.get("modifiedtime", ""),
                "description": r.get("notecontent", ""),
                "link": r.get("filelocationtype") == "E",
                "linked": None if self.linked is None else [x.as_json() for x in self.linked],
                "web_page": web_page(client, str(r.get("id", "")))}


def web_page(client: Client, record_id: str) -> str:
    """The record's page in the CRM's web interface (the browser signs in there)."""
    number_part = record_id.split("x")[-1]
    if not number_part.isdigit():
        return ""
    return (f"{instance_url(client.endpoint).rstrip('/')}/index.php?module=Documents"
            f"&view=Detail&record={number_part}")


def users_names(client: Client, user_ids: Iterable[str]) -> dict[str, str]:
    """Display names of CRM users by id."""
    wanted = sorted({u for u in user_ids if u})
    if not wanted:
        return {}
    users = client.query(Query("Users").where("id", "IN", wanted))
    return {u["id"]: " ".join(filter(None, [u.get("first_name"), u.get("last_name")]))
            or u.get("user_name", "") for u in users}


def folder_name(client: Client, folder_id: str) -> str:
    if not folder_id:
        return ""
    try:
        return str(client.retrieve(folder_id).get("foldername", ""))
    except ApiError:
        return ""


def linked_records(client: Client, doc_id: str) -> list[CrmRecord] | None:
    """The accounts, contacts and products this document is linked to; None when the
    server answers none of the questions (it cannot tell)."""
    found: list[CrmRecord] = []
    answered = False
    for module in RECORD_MODULES:
        try:
            rows = client.query_related(doc_id, module, Query(module))
        except ApiError:
            continue
        answered = True
        accounts = account_names(client, [str(r.get("account_id") or "") for r in rows]) \
            if module == "Contacts" else {}
        found += [record_from_row(module, row, accounts) for row in rows]
    return found if answered else None


def document_details(client: Client, record: dict[str, Any]) -> DocumentDetails:
    """The details of a document as just retrieved (network: run it in the background)."""
    owner = str(record.get("assigned_user_id", ""))
    try:
        owners = users_names(client, [owner])
    except (ApiError, TransportError):
        owners = {}
    return DocumentDetails(record, folder_name(client, str(record.get("folderid", ""))),
                           owners.get(owner, ""), linked_records(client, str(record["id"])))
