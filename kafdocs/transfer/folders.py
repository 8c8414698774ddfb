"""Document folders: finding one by name or id, listing them with their sizes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from kafdocs.api import Client, KafdocsError, Query
from kafdocs.i18n import _

WS_ID = re.compile(r"^\d+x\d+$")


class FolderNotFound(KafdocsError):
    """No folder, or several, by that name."""


@dataclass(frozen=True)
class Folder:
    id: str
    name: str
    description: str = ""
    count: int | None = None


def list_folders(client: Client, with_counts: bool = False) -> list[Folder]:
    rows = list(client.iter_query(Query("DocumentFolders")))
    folders = [Folder(r["id"], r.get("foldername", ""), r.get("description", ""))
               for r in rows]
    if with_counts:
        folders = [Folder(f.id, f.name, f.description, count_documents(client, f.id))
                   for f in folders]
    return sorted(folders, key=lambda f: (name_order(f.name), f.id))


def name_order(name: str) -> str:
    """A name as the CRM's database orders it (case and accents ignored), so that the
    folder list reads like the CRM's own: 'Études' among the E, not after 'zones'."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def count_documents(client: Client, folder_id: str) -> int:
    return client.count(documents_query(folder_id))


def documents_query(folder_id: str) -> Query:
    return Query("Documents").where("folderid", "=", folder_id)


def resolve_folder(client: Client, name_or_id: str) -> Folder:
    """A folder given as ``22x5`` or by its name (exact, then ignoring case)."""
    if WS_ID.match(name_or_id):
        row = client.retrieve(name_or_id)
        return Folder(row["id"], row.get("foldername", ""), row.get("description", ""))
    rows = client.query(Query("DocumentFolders").where("foldername", "=", name_or_id))
    exact = [r for r in rows if r.get("foldername") == name_or_id]
    matches = exact or [r for r in rows
                        if str(r.get("foldername", "")).casefold() == name_or_id.casefold()]
    if not matches:
        raise FolderNotFound(_("No document folder named {name!r}").format(name=name_or_id))
    if len(matches) > 1:
        ids = ", ".join(r["id"] for r in matches)
        raise FolderNotFound(_("Several folders are named {name!r} ({ids}); give the id")
                             .format(name=name_or_id, ids=ids))
    row = matches[0]
    return Folder(row["id"], row["foldername"], row.get("description", ""))


def list_documents(client: Client, folder_id: str) -> list[dict[str, Any]]:
    """Every document of a folder, paging past the row cap, in id order."""
    return list(client.iter_query(documents_query(folder_id)))
