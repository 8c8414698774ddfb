"""Links between documents and the records they concern (Accounts, Contacts, Products).

As on vtiger: ``add_related`` says "successfull" whatever happened and only a record →
document link is visible; ``query_related`` works from both sides and appends its own
``WHERE`` to the caller's query (so the query must not end with ``;``, and a query
with ORDER BY or LIMIT but no WHERE breaks); an account's list also holds the
documents of its contacts; only active documents (filestatus 1) are listed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .errors import WSError
from .query_ops import run
from .records import entity_of, module_or_denied, present, resolve_id, ws_id
from .schema import DOCUMENTS, MODULES, RELATABLE, Module

if TYPE_CHECKING:
    from .operations import Backend, Call

_RELATED_MODULE = re.compile(r"FROM\s+(\S+)")
UNKNOWN_RELATION = ("UNKOWN_ENTITY", "Relation specified is incorrect")  # sic


def relation_labels(module: Module) -> dict[str, Module]:
    """The related lists of a module, by label."""
    if module is DOCUMENTS:
        return {name: MODULES[name] for name in RELATABLE}
    if module.name in RELATABLE:
        return {DOCUMENTS.name: DOCUMENTS}
    return {}


def relatedtypes(be: Backend, call: Call, element_type: str | None) -> object:
    labels = relation_labels(module_or_denied(element_type))
    return {"types": sorted({m.name for m in labels.values()}),
            "information": {label: {"name": m.name, "label": label, "isEntity": "1"}
                            for label, m in labels.items()}}


def add_related(be: Backend, call: Call, source_id: str | None, related_id: str | None,
                label: str | None) -> object:
    """Links record → document; anything else (a document as the source, a bogus label,
    a deleted target) links nothing, and the answer is the same."""
    source, related = entity_of(source_id), entity_of(related_id)
    if source is not None and source.name in RELATABLE and related is DOCUMENTS:
        try:
            _, crmid = resolve_id(be.store, source_id)
            _, docid = resolve_id(be.store, related_id)
        except WSError:
            pass
        else:
            be.store.relate(crmid, docid)
    return {"message": "successfull"}


def _related(be: Backend, record_id: str | None, label: str | None,
             target_name: str) -> list[int]:
    """The ids in a record's related list ``label``, which must hold ``target_name``."""
    module, crmid = resolve_id(be.store, record_id)
    target = relation_labels(module).get(label or "")
    if target is None or target.name != target_name:
        raise WSError(*UNKNOWN_RELATION)
    if module is DOCUMENTS:
        return be.store.related_records(crmid, target)
    return be.store.related_documents(crmid)


def query_related(be: Backend, call: Call, text: str | None, record_id: str | None,
                  label: str | None) -> object:
    m = _RELATED_MODULE.search(text or "")
    ids = _related(be, record_id, label, m.group(1) if m else "")
    if not ids:
        return []
    target = MODULES[m.group(1)] if m else DOCUMENTS
    within = "id IN (" + ",".join(f"'{ws_id(target, i)}'" for i in ids) + ")"
    query = text or ""
    if "WHERE" in query:  # vtiger splits on this literal, case-sensitively
        head, tail = query.split("WHERE", 1)
        return run(be, f"{head}WHERE {within} AND{tail};")
    return run(be, f"{query} WHERE {within};")


def retrieve_related(be: Backend, call: Call, record_id: str | None,
                     related_type: str | None, label: str | None) -> object:
    target = module_or_denied(related_type)
    rows = [be.store.row(target, i) for i in _related(be, record_id, label, target.name)]
    return present(be.store, target, [r for r in rows if r is not None], label=False)
