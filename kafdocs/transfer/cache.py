"""The app's copies of documents opened or dragged out: where they go, who may read them.

Every path here is made from server data (an endpoint, a record id, a file name), so
each part goes through its gate (``id_part``, ``safe_name``) and the result is checked
to stay inside the cache root. Copies are keyed by endpoint and id: two CRMs with the
same ids never share a file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from .download import local_name_source
from .naming import id_part, inside, safe_name

log = logging.getLogger(__name__)
MAX_AGE_SECONDS = 14 * 24 * 3600  # copies not fetched again for two weeks are removed


def endpoint_key(endpoint: str) -> str:
    """A short, stable directory name for one CRM (its address never becomes a path)."""
    return hashlib.sha256(endpoint.encode()).hexdigest()[:16]


def cache_target(root: Path, endpoint: str, record: dict[str, Any]) -> Path:
    """Where the copy of ``record`` of the CRM at ``endpoint`` lives under ``root``.

    Raises ``BadAnswer`` for an id that is not ``<digits>x<digits>``.
    """
    name = safe_name(local_name_source(record))
    return inside(root, root / endpoint_key(endpoint) / id_part(record.get("id")) / name)


def prepare_cache(root: Path, max_age: float = MAX_AGE_SECONDS,
                  now: float | None = None) -> None:
    """Create the cache readable by its owner only, and drop copies older than ``max_age``.

    A copy's age is that of its id directory, which changes when the copy is fetched
    (the file's own time is the document's modification time on the server).
    """
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(OSError):
        os.chmod(root, 0o700)  # made by an earlier version with the umask's mode
    limit = (time.time() if now is None else now) - max_age
    for crm in _subdirs(root):
        for copy in _subdirs(crm):
            with suppress(OSError):
                if copy.stat().st_mtime < limit:
                    shutil.rmtree(copy)
        with suppress(OSError):
            crm.rmdir()  # only when empty


def _subdirs(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError as exc:
        log.info("cannot list %s: %s", folder, exc.__class__.__name__)
        return []
