"""Which files of a watched directory are filed, and where they go afterwards.

Scanners, browsers and office suites write under temporary names (``*.part``,
``~$report.docx``, ``.~lock.x#``) and rename when done; those names are never filed.
``Filed/`` and ``Failed/`` hold what the watcher already dealt with.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path, PurePosixPath

from kafdocs.transfer.naming import numbered

FILED, FAILED = "Filed", "Failed"
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".kafdocs-part")
IGNORED_PREFIXES = (".", "~$")  # hidden files (``.~lock.*#`` too) and Office owner files


def ignored_name(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES) or name.lower().endswith(IGNORED_SUFFIXES)


def watched(relative: str, recursive: bool) -> bool:
    """Whether a path relative to the watched directory ("/"-separated) may be filed."""
    parts = PurePosixPath(relative).parts
    if not parts or (len(parts) > 1 and (not recursive or parts[0] in (FILED, FAILED))):
        return False
    return not any(ignored_name(part) for part in parts)


def hidden_attribute(info: os.stat_result) -> bool:
    """Windows' hidden flag; dot-names are the other platforms' way and are ruled out above."""
    return bool(getattr(info, "st_file_attributes", 0) & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


def unique_target(directory: Path, relative: str) -> Path:
    """``directory/relative``, or ``name (2).ext`` beside it if that is taken."""
    wanted = directory / relative
    target, n = wanted, 1
    while os.path.lexists(target):  # a case-insensitive disk finds "A.pdf" for "a.pdf" too
        n += 1
        target = wanted.with_name(numbered(wanted.name, n))
    return target


def server_key(name: str) -> str:
    """Names the server would confuse (case, accents, white space): one chain at a time."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(bare.split())
