"""Scalar values as the server writes them, read strictly.

Sizes and counts arrive as JSON strings (``"31"``) or numbers (``31``). ``str.isdigit``
is no test for them: it accepts ``"²"`` and ``"٣"``, which ``int()`` then refuses with
a traceback. Only ASCII digits count here.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[0-9]{1,18}")  # up to an exabyte: enough for any size or count


def number(value: object) -> int | None:
    """A non-negative integer the server sent, or None when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10**18 else None
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return int(value)
    return None
