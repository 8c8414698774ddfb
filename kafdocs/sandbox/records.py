"""Records as the webservice shows them: prefixed ids, strings, an entity-encoded label.

Ids are resolved as vtiger's ``VtigerWebserviceObject::fromId`` does: the leading
digits name a webservice entity (MySQL reads ``15x3`` as 15 and ``abc`` as 0), the
number after the ``x`` a record.
"""

from __future__ import annotations

import re

from .errors import WSError, access_denied, invalid_id
from .schema import BY_PREFIX, DOCUMENT_FOLDERS, KNOWN_PREFIXES, MODULES, USERS, Module
from .store import Store
from .wire import htmlentities

WS_ID = re.compile(r"^(\d+)x(\d+)$")
_LEADING_DIGITS = re.compile(r"^\s*(\d*)")


def ws_id(module: Module, crmid: int | str) -> str:
    return f"{module.prefix}x{crmid}"


def entity_of(value: str | None) -> Module | None:
    """The module an id's prefix names; None for a known entity the sandbox does not serve.

    A prefix naming no entity at all is ``ACCESS_DENIED ... for id``.
    """
    prefix = str(int(_LEADING_DIGITS.match(value or "").group(1) or 0))
    if prefix not in KNOWN_PREFIXES:
        raise access_denied("id")
    return BY_PREFIX.get(prefix)


def resolve_id(store: Store, value: str | None) -> tuple[Module, int]:
    """Map a webservice id to a live record, with vtiger's errors for bad ones."""
    module = entity_of(value)
    number = (value or "").partition("x")[2]
    if module is None or not number.isdigit():
        raise access_denied()
    crmid = int(number)
    if module.id_source == "crmentity":
        found = store.setype(crmid)
        seen = found[0] if found and not found[1] else None
        if seen not in MODULES:  # missing, deleted, or a file rather than a record
            raise access_denied()
        if seen != module.name:
            raise invalid_id()
    elif store.row(module, crmid) is None:
        raise access_denied()
    return module, crmid


def check_reference(store: Store, field_name: str, value: str,
                    targets: tuple[str, ...]) -> str:
    """A reference as create/update accept it; returns what is stored.

    Only the prefix is checked: a record that does not exist is accepted and the
    field then reads ``""`` (an unknown folder id leaves the document in no folder).
    """
    module = entity_of(value)
    if module is None or module.name not in targets:
        raise WSError("REFERENCE_INVALID", f"Invalid reference specified for {field_name}")
    number = value.partition("x")[2]
    if module is USERS and not (number.isdigit() and store.row(USERS, int(number))):
        raise WSError("ACCESS_DENIED", "Cannot assign record to the given user")
    return ws_id(module, number) if number.isdigit() else ""


def present(store: Store, module: Module, rows: list[dict[str, str]], *,
            label: bool) -> list[dict[str, str]]:
    """Turn stored rows into webservice records (query results have no label)."""
    entity = module.id_source == "crmentity"
    files = store.attachment_ids([int(r["crmid"]) for r in rows]) if entity else {}
    dangling = _dangling_references(store, module, rows)
    out = []
    for row in rows:
        crmid = int(row["crmid"])
        record = {k: ("" if (k, v) in dangling else v) for k, v in row.items()
                  if k not in ("crmid", "accesskey")}
        if module is DOCUMENT_FOLDERS:
            record["createdby"] = ""  # the stock bug: createdby never resolves
            if label:
                record = {"folderid": str(crmid), **record}
        record["id"] = ws_id(module, crmid)
        if crmid in files:
            record["imageattachmentids"] = ",".join(ws_id(module, a) for a in files[crmid])
        if label and module.is_entity:
            record["label"] = htmlentities(
                " ".join(row.get(f, "") for f in module.label_fields).strip()
            )
        out.append(record)
    return out


def _dangling_references(store: Store, module: Module,
                         rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    """(field, value) pairs naming a record that is not there: they read ``""``, as a
    document whose folder was deleted (or never existed) shows ``folderid ""``."""
    dangling = set()
    for field in module.fields:
        if field.type != "reference" or not field.refers_to:
            continue
        for value in {r.get(field.name) or "" for r in rows} - {""}:
            target, _, number = value.partition("x")
            found = BY_PREFIX.get(target)
            if found is None or not number.isdigit() or not store.exists(found, int(number)):
                dangling.add((field.name, value))
    return dangling


def module_or_denied(name: str | None) -> Module:
    module = MODULES.get(name or "")
    if module is None:
        raise access_denied(f"name : {name or ''}")
    return module
