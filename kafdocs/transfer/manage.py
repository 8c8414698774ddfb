"""Tidying the CRM's documents: rename, describe, move, delete, new folders.

Shared by the window and the command line. Each change touches only the fields the
user changed (``Client.change``: ``revise``, or ``update`` with the whole record as
just retrieved), each action on several documents goes on after a failure and says,
per document, what failed and why; and what the server allows is read from
``describe`` before anything is tried (``Rights``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kafdocs.api import (
    AccessDenied,
    ApiError,
    Client,
    InvalidId,
    KafdocsError,
)
from kafdocs.i18n import _

from .folders import Folder, FolderNotFound, resolve_folder

Record = dict[str, Any]


@dataclass
class Outcome:
    """What became of one document: ``record`` as the server now has it, or ``error``."""

    id: str
    title: str
    error: str = ""
    record: Record | None = None

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Rights:
    """What this user may do, as ``describe`` says; ``folder_refusal`` says why new
    folders cannot be made ("" when they can)."""

    update: bool = True
    delete: bool = True
    create: bool = True
    folder_refusal: str = ""

    @property
    def create_folders(self) -> bool:
        return not self.folder_refusal


def rights(client: Client) -> Rights:
    documents = client.describe("Documents")
    return Rights(update=bool(documents.get("updateable", True)),
                  delete=bool(documents.get("deleteable", True)),
                  create=bool(documents.get("createable", True)),
                  folder_refusal=folder_refusal(client))


def folder_refusal(client: Client) -> str:
    """Why this server will not create document folders ("" when it will).

    Found out without creating anything: stock vtiger says ``createable`` but its
    ``createdby`` field is mandatory and refers to no module (an install bug), so no
    value can ever pass — the create always fails. A server with that fixed either
    fills the field itself or names Users, and then kafdocs gives the user's id.
    """
    try:
        described = client.describe("DocumentFolders")
    except ApiError:
        return _("This CRM does not let kafdocs see its document folders' settings.")
    if not described.get("createable", True):
        return _("Your CRM user may not create folders.")
    if _unfillable_fields(described):
        return _("This CRM cannot create folders through its web service (a known fault "
                 "of vtiger). Create the folder in the CRM's web page, then press F5.")
    return ""


def _mandatory_references(described: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in described.get("fields", []) if isinstance(f, dict)
            and f.get("mandatory") and f.get("name") != "foldername"
            and isinstance(f.get("type"), dict)
            and f["type"].get("name") in ("reference", "owner")]


def _unfillable_fields(described: dict[str, Any]) -> list[str]:
    """Mandatory references no value can satisfy: they refer to no module at all."""
    return [f["name"] for f in _mandatory_references(described)
            if f["type"].get("name") == "reference" and not f["type"].get("refersTo")]


def create_folder(client: Client, name: str, description: str = "") -> Folder:
    """A new document folder; refuses an empty name or one already used."""
    name = name.strip()
    if not name:
        raise KafdocsError(_("Give the new folder a name."))
    refusal = folder_refusal(client)
    if refusal:
        raise KafdocsError(refusal)
    try:
        resolve_folder(client, name)
    except FolderNotFound:
        pass
    else:
        raise KafdocsError(_("There is already a folder named “{name}”.").format(name=name))
    element: Record = {"foldername": name, "description": description}
    for wanted in _mandatory_references(client.describe("DocumentFolders")):
        element[wanted["name"]] = client.user_id  # createdby: Users, the only sensible one
    row = client.create("DocumentFolders", element)
    return Folder(row["id"], row.get("foldername", name), row.get("description", ""), 0)


def _title(record: Record) -> str:
    return str(record.get("notes_title") or record.get("id", ""))


def failure_reason(error: BaseException) -> str:
    """Why a change to one document failed, in words an office worker can act on."""
    if isinstance(error, (AccessDenied, InvalidId)):
        return _("it was deleted, or your CRM user may not change it")
    return str(error)


def _each(records: Iterable[Record], act: Callable[[Record], Record | None]) -> list[Outcome]:
    """``act`` on every record, on after a failure; one outcome per record."""
    outcomes = []
    for record in records:
        outcome = Outcome(str(record.get("id", "")), _title(record))
        try:
            outcome.record = act(record)
        except KafdocsError as exc:
            outcome.error = failure_reason(exc)
        outcomes.append(outcome)
    return outcomes


def rename(client: Client, records: Iterable[Record], title: str) -> list[Outcome]:
    title = title.strip()
    if not title:
        raise KafdocsError(_("A document needs a title."))
    return _each(records, lambda r: client.change(r["id"], {"notes_title": title}))


def set_description(client: Client, records: Iterable[Record], text: str) -> list[Outcome]:
    return _each(records, lambda r: client.change(r["id"], {"notecontent": text}))


def move(client: Client, records: Iterable[Record], folder: Folder) -> list[Outcome]:
    """Into ``folder``, which must exist: vtiger takes an unknown folder id and the
    document then belongs to no folder at all."""
    try:
        client.retrieve(folder.id)
    except (AccessDenied, InvalidId):
        raise FolderNotFound(_("The folder “{name}” no longer exists; press F5 to see the "
                               "folders as they are now.").format(name=folder.name)) from None

    def one(record: Record) -> Record:
        if record.get("folderid") == folder.id:
            return record
        return client.change(record["id"], {"folderid": folder.id})

    return _each(records, one)


def delete(client: Client, records: Iterable[Record]) -> list[Outcome]:
    def one(record: Record) -> None:
        client.delete(record["id"])

    return _each(records, one)


@dataclass
class Report:
    """Outcomes of one action, summed up for a status line and listed for a dialog."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def failure_lines(self) -> list[str]:
        return [_("{title} ({id}): {reason}").format(title=o.title, id=o.id, reason=o.error)
                for o in self.failed]

