"""MIME types from file contents (libmagic), from the extension where it is missing."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from types import ModuleType

log = logging.getLogger(__name__)
FALLBACK = "application/octet-stream"

_magic: ModuleType | None
try:
    import magic

    magic.from_buffer(b"%PDF-1.4", mime=True)
except Exception as exc:  # ImportError, or a python-magic without its library
    _magic, _missing_reason = None, str(exc)
else:
    _magic, _missing_reason = magic, ""

_warned = False


def detect_mime(path: Path) -> str:
    """What the file is, as the CRM should record it."""
    by_name = mimetypes.guess_type(path.name)[0]
    if _magic is None:
        _warn_once()
        return by_name or FALLBACK
    try:
        found = _magic.from_file(str(path), mime=True)
    except Exception as exc:
        log.warning("libmagic could not read %s: %s", path.name, exc)
        return by_name or FALLBACK
    # Empty or text files: the extension says more (a .csv is "text/plain" to libmagic).
    if found in ("inode/x-empty", "application/x-empty") or (
            found == "text/plain" and by_name and by_name.startswith("text/")):
        return by_name or FALLBACK
    if found in ("application/zip", FALLBACK) and by_name:
        return by_name  # office documents are zip files inside
    return found or by_name or FALLBACK


def _warn_once() -> None:
    global _warned
    if not _warned:
        log.warning("libmagic is not available (%s); guessing file types from extensions",
                    _missing_reason)
        _warned = True
