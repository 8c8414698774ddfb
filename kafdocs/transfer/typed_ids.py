"""Record ids a person typed (``download 15x42``, ``--link 11x42``), checked up front.

The server's own answers to a wrong id are cryptic: vtiger says ``ACCESS_DENIED`` for a
record that does not exist or was deleted, ``INVALID_ID_ATTRIBUTE`` for an id of another
module, and happily retrieves an Account where a Document was meant. Checked here, before
any file moves, each case gets a sentence saying what is wrong with the id.
"""

from __future__ import annotations

import re
from typing import Any

from kafdocs.api import AccessDenied, Client, InvalidId, KafdocsError
from kafdocs.i18n import _

from .crmrecords import RECORD_MODULES, CrmRecord, account_names, record_from_row

_ID = re.compile(r"[0-9]+x[0-9]+")


class NoSuchRecord(KafdocsError):
    """The id has the right form, but the CRM shows no such record to this user."""


class WrongKindOfId(KafdocsError):
    """Not an id, or the id of another kind of record than the one asked for."""


def _prefix(client: Client, module: str, default: str) -> str:
    try:
        return client.id_prefix(module)
    except KafdocsError:  # a CRM without that module: show the usual prefix
        return default


def documents(client: Client, ids: list[str]) -> list[dict[str, Any]]:
    """The documents named by ``ids``, or an error about the first wrong one."""
    prefix = _prefix(client, "Documents", "15")
    records = []
    for record_id in ids:
        if not _ID.fullmatch(record_id):
            raise WrongKindOfId(_("“{id}” is not a document id: document ids look like "
                                  "{prefix}x42").format(id=record_id, prefix=prefix))
        if record_id.split("x")[0] != prefix:
            raise WrongKindOfId(_("{id} is not a document: document ids look like {prefix}x…")
                                .format(id=record_id, prefix=prefix))
        try:
            records.append(client.retrieve(record_id))
        except (AccessDenied, InvalidId):
            raise NoSuchRecord(_("There is no document {id}: it was deleted, or your CRM "
                                 "user may not see it.").format(id=record_id)) from None
    return records


def check_link_target(client: Client, record_id: str) -> None:
    """Refuse, before anything is uploaded, a record to link documents to that cannot be."""
    example = _prefix(client, "Accounts", "11") + "x…"
    if not _ID.fullmatch(record_id):
        raise WrongKindOfId(_("“{id}” is not a record id: the record to link to (an account, "
                              "a contact…) has an id like {example}")
                            .format(id=record_id, example=example))
    if record_id.split("x")[0] == _prefix(client, "Documents", "15"):
        raise WrongKindOfId(_("{id} is a document id; the record to link to (an account, "
                              "a contact…) has an id like {example}")
                            .format(id=record_id, example=example))
    try:
        client.retrieve(record_id)
    except AccessDenied:
        raise NoSuchRecord(_("There is no record {id} to link to: it was deleted, or your "
                             "CRM user may not see it.").format(id=record_id)) from None
    except InvalidId:
        raise NoSuchRecord(_("{id} is not the id of a record in this CRM; the record to link "
                             "to (an account, a contact…) has an id like {example}")
                           .format(id=record_id, example=example)) from None


def crm_record(client: Client, record_id: str,
               modules: tuple[str, ...] = RECORD_MODULES) -> CrmRecord:
    """The account, contact or product (one of ``modules``) named by ``record_id``, or
    a sentence about what is wrong with the id."""
    prefixes = {_prefix(client, m, _USUAL_PREFIXES.get(m, "")): m for m in modules}
    examples = ", ".join(f"{p}x…" for p in prefixes)
    if not _ID.fullmatch(record_id):
        raise WrongKindOfId(_("“{id}” is not a record id: accounts, contacts and products "
                              "have ids like {examples}").format(id=record_id,
                                                                 examples=examples))
    module = prefixes.get(record_id.split("x")[0])
    if module is None:
        what = (_("{id} is not a product: product ids look like {examples}")
                if modules == ("Products",) else
                _("{id} is not an account, a contact or a product: their ids look like "
                  "{examples}"))
        raise WrongKindOfId(what.format(id=record_id, examples=examples))
    try:
        row = client.retrieve(record_id)
    except (AccessDenied, InvalidId):
        raise NoSuchRecord(_("There is no record {id}: it was deleted, or your CRM user may "
                             "not see it.").format(id=record_id)) from None
    accounts = account_names(client, [str(row.get("account_id") or "")])
    return record_from_row(module, row, accounts)


_USUAL_PREFIXES = {"Accounts": "11", "Contacts": "12", "Products": "14"}
