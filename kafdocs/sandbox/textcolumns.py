"""What MySQL does to text on the real server: its collation and its ``utf8`` columns.

vtiger's tables use MySQL's 3-byte ``utf8`` with a case- and accent-insensitive
collation, in the non-strict mode PHP applications run with.
"""

from __future__ import annotations

import re
import unicodedata

# Characters outside the Basic Multilingual Plane need 4 bytes in UTF-8 (emoji…).
_FOUR_BYTES = re.compile("[\U00010000-\U0010ffff]")


def fold(value: object) -> object:
    """The comparison key of utf8_general_ci: é = e = É, ß = ss aside, ignoring case."""
    if not isinstance(value, str):
        return value
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def stored(value: str, length: int = 0) -> str:
    """A value as a ``utf8`` column keeps it: 4-byte characters become ``?``, and a
    value longer than the column is cut, silently."""
    value = _FOUR_BYTES.sub("?", value)
    return value[:length] if length else value
