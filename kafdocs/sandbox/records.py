"""Records as the webservice shows them: prefixed ids, strings, an entity-encoded label."""

from __future__ import annotations

import re

from .errors import WSError, access_denied, invalid_id
from .schema import BY_PREFIX, DOCUMENTS, MODULES, Module
from .store import Store
from .wire import htmlentities

WS_ID = re.compile(r"^(\d+)x(\d+)$")


def ws_id(module: Module, crmid: int | str) -> str:
    return f"{module.prefix}x{crmid}"


def resolve_id(store: Store, value: str, expected: Module | None = None) -> tuple[Module, int]:
    """Map a webservice id to its module and number, with vtiger's errors for bad ones."""
    m = WS_ID.match(value or "")
    if not m:
        raise access_denied() if value.isdigit() else access_denied("id")
    module = BY_PREFIX.get(m.group(1))
    if module is None:
        raise WSError("INVALID_ID_ATTRIBUTE", "Entity id is invalid")
    if expected is not None and module is not expected:
        raise invalid_id()
    crmid = int(m.group(2))
    if module.id_source == "crmentity":
        found = store.setype(crmid)
        if found is None or found[1]:
            raise access_denied()
        if found[0] != module.name:
            raise invalid_id()
    if store.row(module, crmid) is None:
        raise access_denied()
    return module, crmid


def present(store: Store, module: Module, rows: list[dict[str, str]], *,
            label: bool) -> list[dict[str, str]]:
    """Turn stored rows into webservice records (query results have no label)."""
    attachments: dict[int, list[int]] = {}
    if module is DOCUMENTS:
        attachments = store.attachment_ids([int(r["crmid"]) for r in rows])
    out = []
    for row in rows:
        crmid = int(row["crmid"])
        record = {k: v for k, v in row.items() if k not in ("crmid", "accesskey")}
        if module.name == "DocumentFolders":
            record["createdby"] = ""  # the stock bug: createdby never resolves
            if label:
                record = {"folderid": str(crmid), **record}
        record["id"] = ws_id(module, crmid)
        if crmid in attachments:
            record["imageattachmentids"] = ",".join(ws_id(DOCUMENTS, a) for a in attachments[crmid])
        if label and module.is_entity:
            record["label"] = htmlentities(
                " ".join(row.get(f, "") for f in module.label_fields).strip()
            )
        out.append(record)
    return out


def module_or_denied(name: str) -> Module:
    module = MODULES.get(name)
    if module is None:
        raise access_denied(f"name : {name}")
    return module
