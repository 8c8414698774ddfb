"""retrieve, create, update, revise and delete: the record operations of every module.

The checks come in vtiger's order: the module, then references (only their prefix),
then mandatory fields. ``update`` needs every mandatory field but keeps the omitted
ones; ``revise`` changes only what it is sent. What is special to a module — a
document's file, a product's images, the folder rules — lives in its own module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import documents, folders, products
from .elements import as_text, element_of, values_of
from .errors import access_denied
from .records import present, resolve_id, ws_id
from .schema import DOCUMENT_FOLDERS, DOCUMENTS, MODULES, PRODUCTS, USERS, Module

if TYPE_CHECKING:
    from .operations import Backend, Call

def record(be: Backend, module: Module, crmid: int) -> dict[str, str]:
    """A record as retrieve and the write operations answer it (with its label)."""
    row = be.store.row(module, crmid)
    if row is None:
        raise access_denied()
    return present(be.store, module, [row], label=True)[0]


def retrieve(be: Backend, call: Call, record_id: str | None) -> object:
    return record(be, *resolve_id(be.store, record_id))


def create(be: Backend, call: Call, element_type: str | None,
           element_text: str | None) -> object:
    module = MODULES.get(element_type or "")
    if module is None or module is USERS:
        raise access_denied()
    element = element_of(element_text)
    if module is DOCUMENT_FOLDERS:
        return record(be, module, folders.create(be, element))
    values = values_of(be, module, element, all_mandatory=True)
    now = be.now()
    values.update(createdtime=now, modifiedtime=now, source="WEBSERVICE",
                  modifiedby=ws_id(USERS, call.user_id))
    if module is DOCUMENTS:
        return record(be, module, documents.create(be, call, values))
    crmid = be.store.insert(module, values)
    if module is PRODUCTS:
        products.add_images(be, call, crmid)
    return record(be, module, crmid)


def update(be: Backend, call: Call, element_text: str | None) -> object:
    return _write(be, call, element_text, full=True)


def revise(be: Backend, call: Call, element_text: str | None) -> object:
    return _write(be, call, element_text, full=False)


def _write(be: Backend, call: Call, element_text: str | None, *, full: bool) -> object:
    """update (``full``: every mandatory field needed) or revise (only what is sent)."""
    element = element_of(element_text)
    module, crmid = resolve_id(be.store, as_text(element.get("id")) or None)
    if module is USERS:
        raise access_denied()
    if module is DOCUMENT_FOLDERS:
        folders.write(be, crmid, element, full=full)
        return record(be, module, crmid)
    values = values_of(be, module, element, all_mandatory=full)
    values.update(modifiedtime=be.now(), modifiedby=ws_id(USERS, call.user_id))
    if module is DOCUMENTS:
        documents.write(be, call, crmid, values)
    else:
        be.store.update(module, crmid, values)
        if module is PRODUCTS:
            products.add_images(be, call, crmid)
    return record(be, module, crmid)


def delete(be: Backend, call: Call, record_id: str | None) -> object:
    module, crmid = resolve_id(be.store, record_id)
    if module is USERS:
        raise access_denied()
    if module is DOCUMENT_FOLDERS:
        folders.check_deletable(crmid)
    be.store.delete(module, crmid)
    return {"status": "successful"}
