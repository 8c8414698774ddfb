"""Under which names a server may store a file: what duplicate detection looks for.

Observed on stock vtiger 8 (protocol.md, "File names"): runs of white space become
``_``, everything up to the last ``/`` or ``\\`` is dropped, each dot-separated part
that is a dangerous extension gets ``file`` appended and the name then ends in
``.txt`` (``x.exe`` → ``x.exefile.txt``), and on MySQL ``utf8`` databases 4-byte
characters (emoji) are stored as ``?``. Kafinea's FileUpload keeps the name as sent,
but for the ``?``. A name is looked for under every form it may have taken — never
with its 4-byte characters, which such a database cannot hold or compare.
"""

from __future__ import annotations

import re

DANGEROUS = frozenset([
    "php", "php3", "php4", "php5", "pl", "cgi", "py", "asp", "cfm", "js", "vbs", "html", "htm",
    "exe", "bin", "bat", "sh", "dll", "phps", "phtml", "xhtml", "rb", "msi", "jsp", "shtml",
    "sth", "shtm",
])
_FOUR_BYTES = re.compile("[\U00010000-\U0010ffff]")
_WHITESPACE = re.compile(r"\s+")


def utf8_column(text: str) -> str:
    """``text`` as a MySQL ``utf8`` (3-byte) column keeps it."""
    return _FOUR_BYTES.sub("?", text)


def vtiger_name(name: str) -> str:
    """The name stock vtiger stores an uploaded file under."""
    name = _WHITESPACE.sub("_", name)
    name = re.split(r"[/\\]", name)[-1]
    parts = name.split(".")
    renamed = [part + "file" if part.lower() in DANGEROUS else part for part in parts]
    name = ".".join(renamed)
    return utf8_column(name + ".txt" if renamed != parts else name)


def server_names(name: str) -> list[str]:
    """Every name under which a file sent as ``name`` may be stored: as sent (emoji as
    ``?``), then as stock vtiger renames it."""
    return list(dict.fromkeys([utf8_column(name), vtiger_name(name)]))
