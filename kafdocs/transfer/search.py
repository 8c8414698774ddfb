"""Finding documents in every folder: the one search the CLI and the window both send.

The server does the searching (VTQL ``LIKE``), so a search sees every document, not only
the rows a client happened to load. On vtiger, ``LIKE`` ignores case and accents
(MySQL's collation), so "lefevre" finds "Lefèvre" with no help from here.

VTQL has no parentheses and ``AND`` binds tighter than ``OR``. "Any of four fields
matches" is a chain of ``OR``; "...and it is in this folder" is written once per field
(``title LIKE p AND folderid = f OR filename LIKE p AND folderid = f ...``), which the
server reads as wanted. "Every word in some field" cannot be written without
parentheses (it would take 4^n terms), so the words typed are looked for in that order,
with anything between them: ``hello world`` finds ``hello_world.txt`` and "Hello, the
world" alike.
"""

from __future__ import annotations

import re

from kafdocs.api import Query, QueryValueError
from kafdocs.i18n import _

# title, file name, document number, description
SEARCH_FIELDS = ("notes_title", "filename", "note_no", "notecontent")
# LIKE's own wildcards and VTQL's troublesome backslash are separators, not search text
_SEPARATORS = re.compile(r"[\s%\\]+")
MAX_SEARCH_LENGTH = 200  # longer text finds nothing more, and makes a long request


def search_words(text: str) -> list[str]:
    """The words of a search, as typed (case and accents are the server's business)."""
    return [w for w in _SEPARATORS.split(text.strip()[:MAX_SEARCH_LENGTH]) if w]


def search_pattern(text: str) -> str | None:
    """The ``LIKE`` pattern of a search; None when there is nothing to look for."""
    words = search_words(text)
    return "%" + "%".join(words) + "%" if words else None


def search_query(text: str, folder_id: str | None = None) -> Query:
    """Documents whose title, file name, number or description holds ``text``,
    in every folder or only in ``folder_id``."""
    pattern = search_pattern(text)
    if pattern is None:
        raise QueryValueError(_("Type a word to search for"))
    query = Query("Documents")
    for n, field in enumerate(SEARCH_FIELDS):
        query = query.where(field, "LIKE", pattern, joiner="OR" if n else "AND")
        if folder_id:
            query = query.where("folderid", "=", folder_id)
    return query
