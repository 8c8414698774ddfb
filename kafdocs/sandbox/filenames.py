"""The name a stored file gets: vtiger's rules for uploaded file names."""

from __future__ import annotations

import re

from .textcolumns import stored

# config.inc.php's $upload_badext: such a part of a name is renamed, the name made .txt.
DANGEROUS = frozenset([
    "php", "php3", "php4", "php5", "pl", "cgi", "py", "asp", "cfm", "js", "vbs", "html", "htm",
    "exe", "bin", "bat", "sh", "dll", "phps", "phtml", "xhtml", "rb", "msi", "jsp", "shtml",
    "sth", "shtm",
])
ATTACHMENT_NAME_LENGTH = 255
_WHITESPACE = re.compile(r"\s+")


def server_name(name: str) -> str:
    """``Mon  contrat.exe`` → ``Mon_contrat.exefile.txt``; ``C:\\x\\a b.pdf`` → ``a_b.pdf``.

    Runs of white space become one ``_``, the path is dropped up to the last ``/`` or
    ``\\``, and every dot-separated part that is a dangerous extension gets ``file``
    appended, the whole name then ending in ``.txt``. ``%22`` and the like stay as sent.
    """
    name = _WHITESPACE.sub("_", name)
    name = re.split(r"[/\\]", name)[-1].rstrip('\\/<>?*:"|')
    parts = name.split(".")
    renamed = [p + "file" if p.lower() in DANGEROUS else p for p in parts]
    name = ".".join(renamed)
    return stored(name + ".txt" if renamed != parts else name)


def attachment_name(name: str) -> str:
    """The attachment's own name column is 255 characters: a long name loses its end."""
    return stored(server_name(name), ATTACHMENT_NAME_LENGTH)
