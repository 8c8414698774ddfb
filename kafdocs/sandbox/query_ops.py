"""The query operation: find the module as vtiger does, then parse and run the VTQL."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import query as vtquery
from . import vtql
from .errors import access_denied
from .records import module_or_denied, present

if TYPE_CHECKING:
    from .operations import Backend, Call

# vtws_query finds the module with this before parsing anything.
_MODULE = re.compile(r"[fF][rR][oO][mM]\s+([^\s;]+)")


def query(be: Backend, call: Call, text: str | None) -> object:
    return run(be, text)


def run(be: Backend, text: str | None) -> object:
    m = _MODULE.search(text or "")
    if m is None:
        raise access_denied("query")
    module = module_or_denied(m.group(1).strip())
    found = vtquery.run(be.store, module, vtql.parse(text or ""), be.config.row_cap)
    if isinstance(found, int):
        return [{"count": str(found)}]
    return present(be.store, module, found, label=False)
