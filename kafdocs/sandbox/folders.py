"""Document folders: flat, not entities, deleted for good.

On stock vtiger, ``createdby`` is mandatory yet refers to no module (an install bug),
so ``create`` and ``update`` always fail on it while ``revise`` (rename) and ``delete``
work. The Kafinea flavour is taken to have the bug fixed: the server fills
``createdby`` itself. Deleting a folder does not look inside: its documents are left
in no folder.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .elements import values_of
from .errors import WSError
from .schema import DOCUMENT_FOLDERS, Module

if TYPE_CHECKING:
    from .operations import Backend

FIXED_FOLDERS = replace(DOCUMENT_FOLDERS, fields=tuple(
    replace(f, mandatory=False) if f.name == "createdby" else f
    for f in DOCUMENT_FOLDERS.fields))


def served(be: Backend, module: Module) -> Module:
    """The module as this flavour has it: Kafinea's folders need no ``createdby``, and
    its ``describe`` says so (stock vtiger's says it is mandatory, refers to nothing)."""
    return FIXED_FOLDERS if module is DOCUMENT_FOLDERS and not be.config.stock else module


def _values(be: Backend, element: dict[str, object], *, full: bool) -> dict[str, str]:
    module = served(be, DOCUMENT_FOLDERS)
    if not be.config.stock:
        element = {k: v for k, v in element.items() if k != "createdby"}
    values = values_of(be, module, element, all_mandatory=full)
    values.pop("sequence", None)
    return {**values, "createdby": ""}


def create(be: Backend, element: dict[str, object]) -> int:
    values = _values(be, element, full=True)
    (sequence,) = be.store.fetch("SELECT count(*) + 1 FROM folders")[0]
    return be.store.insert(DOCUMENT_FOLDERS, {"description": "", **values,
                                              "sequence": str(sequence)})


def write(be: Backend, crmid: int, element: dict[str, object], *, full: bool) -> None:
    be.store.update(DOCUMENT_FOLDERS, crmid, _values(be, element, full=full))


def check_deletable(crmid: int) -> None:
    """The sandbox keeps its built-in folder: every install has 22x1, "Default"."""
    if crmid == 1:
        raise WSError("OPERATION_NOT_SUPPORTED", "The default folder cannot be deleted")
