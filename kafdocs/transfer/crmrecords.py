"""The CRM records documents belong to — Accounts, Contacts, Products — found by name,
their documents, and links from a record to documents.

A related list is read with ``query_related`` (the server shows only active documents,
``filestatus`` 1, and an account's list holds its contacts' documents too); a link is
made with ``add_related`` and, since the server answers success whatever happened,
confirmed by reading the list back. The webservice has no operation to undo a link.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from kafdocs.api import AccessDenied, ApiError, Client, KafdocsError, Query
from kafdocs.i18n import N_, _

log = logging.getLogger(__name__)

RECORD_MODULES = ("Accounts", "Contacts", "Products")
MODULE_LABELS = {"Accounts": N_("Account"), "Contacts": N_("Contact"),
                 "Products": N_("Product")}  # translated where shown
MATCHES_PER_MODULE = 25
DOCUMENTS = "Documents"  # the relation label of a record's documents
ACTIVE_DOCUMENTS = Query("Documents").where("filestatus", "=", "1")
IDS_PER_QUERY = 50


@dataclass(frozen=True)
class CrmRecord:
    """A record as a person tells it from its homonyms: its module, its name, and
    where it is (city), how to write to it (e-mail), whose it is (a contact's account),
    what it is called in the catalogue (a product's reference)."""

    id: str
    module: str
    name: str
    city: str = ""
    email: str = ""
    account: str = ""
    account_id: str = ""
    code: str = ""

    def as_json(self) -> dict[str, str]:
        return asdict(self)

    @property
    def is_product(self) -> bool:
        return self.module == "Products"

    @property
    def kind(self) -> str:
        """The module in the user's words: "Account", "Contact", "Product"."""
        return _(MODULE_LABELS.get(self.module, self.module))

    @property
    def details(self) -> str:
        """What tells it from its homonyms, in one line: "Lyon · a@b.fr · ACME"."""
        return " · ".join(v for v in (self.code, self.city, self.email, self.account) if v)


def record_from_row(module: str, row: dict[str, Any], accounts: dict[str, str] | None = None
               ) -> CrmRecord:
    """A record of ``module`` from its query or retrieve row; ``accounts`` names the
    accounts of contacts, by id."""
    def text(*names: str) -> str:
        return " ".join(str(row.get(n) or "").strip() for n in names if row.get(n)).strip()

    record_id = str(row.get("id", ""))
    if module == "Contacts":
        account_id = str(row.get("account_id") or "")
        return CrmRecord(record_id, module, text("firstname", "lastname"),
                         city=text("mailingcity"), email=text("email"),
                         account=(accounts or {}).get(account_id, ""), account_id=account_id)
    if module == "Products":
        return CrmRecord(record_id, module, text("productname"), code=text("productcode"))
    return CrmRecord(record_id, module, text("accountname"), city=text("bill_city"),
                     email=text("email1"))


def _name_query(module: str, text: str) -> Query:
    """The records of ``module`` whose name holds ``text`` (case and accents ignored by
    the server). A contact is also found by "first last": AND binds tighter than OR."""
    like = f"%{text}%"
    if module == "Contacts":
        query = Query(module).where("lastname", "LIKE", like).or_where("firstname", "LIKE", like)
        first, _space, rest = text.partition(" ")
        if rest.strip():
            query = (query.or_where("firstname", "LIKE", f"%{first}%")
                     .where("lastname", "LIKE", f"%{rest.strip()}%"))
        return query.order_by("lastname")
    if module == "Products":
        return (Query(module).where("productname", "LIKE", like)
                .or_where("productcode", "LIKE", like).order_by("productname"))
    return Query(module).where("accountname", "LIKE", like).order_by("accountname")


def search_records(client: Client, text: str, modules: Sequence[str] = RECORD_MODULES,
                   limit: int = MATCHES_PER_MODULE) -> list[CrmRecord]:
    """Accounts, contacts and products whose name holds ``text``, the first ``limit``
    of each module by name. A module this CRM user may not read is left out."""
    text = " ".join(text.split())
    if not text:
        return []
    found: list[CrmRecord] = []
    for module in modules:
        try:
            rows = client.query(_name_query(module, text).limit(limit))
        except AccessDenied as exc:  # no such module here, or not for this user
            log.info("no %s in the search: %s", module, exc)
            continue
        accounts = account_names(client, [str(r.get("account_id") or "") for r in rows]) \
            if module == "Contacts" else {}
        found.extend(record_from_row(module, row, accounts) for row in rows)
    return found


def account_names(client: Client, ids: Iterable[str]) -> dict[str, str]:
    """The names of these accounts, by id (one query per 50)."""
    wanted = sorted({i for i in ids if i})
    names: dict[str, str] = {}
    for start in range(0, len(wanted), IDS_PER_QUERY):
        query = (Query("Accounts").select("id", "accountname")
                 .where("id", "IN", wanted[start:start + IDS_PER_QUERY]))
        names.update((str(r.get("id")), str(r.get("accountname") or "")) for r in
                     client.query(query))
    return names


def record_documents(client: Client, record_id: str) -> list[dict[str, Any]]:
    """The documents in a record's related list, every page of it."""
    return list(client.iter_related(record_id, DOCUMENTS, ACTIVE_DOCUMENTS))


def count_record_documents(client: Client, record_id: str) -> int:
    return client.iter_related(record_id, DOCUMENTS, ACTIVE_DOCUMENTS).total


def record_documents_page(client: Client, record_id: str, order: tuple[str, bool],
                          offset: int, size: int) -> list[dict[str, Any]]:
    """One page of a record's documents, sorted by one column (a view's paging)."""
    query = ACTIVE_DOCUMENTS.order_by(*order).limit(size, offset)
    return client.query_related(record_id, DOCUMENTS, query)


def linked_among(client: Client, record_id: str, doc_ids: Sequence[str]) -> set[str]:
    """Which of ``doc_ids`` the record's related list holds."""
    found: set[str] = set()
    for start in range(0, len(doc_ids), IDS_PER_QUERY):
        query = Query("Documents").select("id").where(
            "id", "IN", list(doc_ids[start:start + IDS_PER_QUERY]))
        found.update(str(r.get("id")) for r in client.query_related(record_id, DOCUMENTS, query))
    return found


class LinkFailed(KafdocsError):
    """The record to link the document to is not there or cannot hold documents."""


def _listed_by_document(client: Client, record_id: str, doc_id: str) -> bool:
    """Whether the document's own list of records (Document → Accounts, Contacts or
    Products) holds ``record_id``: the side that shows the links of an inactive
    document too, which no record's list shows."""
    prefix = record_id.partition("x")[0]
    for module in RECORD_MODULES:
        try:
            if client.id_prefix(module) != prefix:
                continue
            query = Query(module).select("id").where("id", "=", record_id)
            rows = client.query_related(doc_id, module, query)
        except ApiError:
            return False
        return any(str(r.get("id")) == record_id for r in rows)
    return False


def link_document(client: Client, record_id: str, doc_id: str) -> None:
    """add_related says "successfull" whatever happened: the link is confirmed by
    reading the record's related documents, or, for a document the record's list hides
    (``filestatus`` 0), the document's records."""
    client.add_related(record_id, doc_id, DOCUMENTS)
    if doc_id not in linked_among(client, record_id, [doc_id]) \
            and not _listed_by_document(client, record_id, doc_id):
        raise LinkFailed(_("The document could not be linked to the record {id}: it does not "
                           "exist or cannot hold documents").format(id=record_id))


@dataclass(frozen=True)
class LinkOutcome:
    """What became of the documents a person asked to link to a record."""

    linked: tuple[str, ...] = ()
    already: tuple[str, ...] = ()  # were in its list before
    failed: tuple[tuple[str, str], ...] = ()  # (document id, reason)


def link_documents(client: Client, record_id: str, doc_ids: Sequence[str]) -> LinkOutcome:
    """Link each document to the record (nothing is uploaded again), each confirmed.

    A document is "already linked" only when its own list of records says so: an
    account's list also shows the documents of its contacts, not linked to it."""
    before = {doc_id for doc_id in linked_among(client, record_id, doc_ids)
              if _listed_by_document(client, record_id, doc_id)}
    linked, failed = [], []
    for doc_id in doc_ids:
        if doc_id in before:
            continue
        try:
            link_document(client, record_id, doc_id)
        except KafdocsError as exc:
            failed.append((doc_id, str(exc)))
        else:
            linked.append(doc_id)
    return LinkOutcome(tuple(linked), tuple(d for d in doc_ids if d in before), tuple(failed))


def image_ids(record: dict[str, Any]) -> list[str]:
    """The file ids of a record's pictures or file (``imageattachmentids``), in order."""
    return [i for i in str(record.get("imageattachmentids") or "").split(",") if i.strip()]
