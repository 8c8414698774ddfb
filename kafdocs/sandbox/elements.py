"""Reading an ``element`` (the JSON record of create, update and revise) as vtiger does.

References are checked before mandatory fields, and only by their prefix; text is
stored as MySQL keeps it (4-byte characters as ``?``, cut to the column's length).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .errors import WSError
from .records import check_reference
from .schema import USERS, Module
from .textcolumns import stored

if TYPE_CHECKING:
    from .operations import Backend

# Written by the server, never taken from an element.
SERVER_FIELDS = frozenset({"createdtime", "modifiedtime", "modifiedby", "source"})


def element_of(text: str | None) -> dict[str, object]:
    """The decoded ``element``; anything but a JSON object is no element at all."""
    try:
        element = json.loads(text or "")
    except ValueError:
        return {}
    return element if isinstance(element, dict) else {}


def as_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "1" if raw else ""
    return raw if isinstance(raw, str) else json.dumps(raw)


def values_of(be: Backend, module: Module, element: dict[str, object], *,
              all_mandatory: bool) -> dict[str, str]:
    """The fields of ``element`` as they will be stored, checked as vtiger checks them.

    With ``all_mandatory`` (create, update) every mandatory field must have a value;
    otherwise (revise) only the mandatory fields sent must not be empty.
    """
    given = {f.name: as_text(element[f.name]) for f in module.fields if f.name in element}
    for field in module.fields:
        if field.is_reference and given.get(field.name):
            targets = (USERS.name,) if field.type == "owner" else field.refers_to
            given[field.name] = check_reference(be.store, field.name, given[field.name],
                                                targets)
    for field in module.fields:
        if field.mandatory and (field.name in given or all_mandatory) \
                and not given.get(field.name):
            raise WSError("MANDATORY_FIELDS_MISSING", f"{field.name} does not have a value")
    frozen = SERVER_FIELDS | {module.numbering[0] if module.numbering else ""}
    return {name: stored(value, module.field(name).length)  # type: ignore[union-attr]
            for name, value in given.items() if name not in frozen}
