"""The app's copies of documents opened or dragged out: where they go, who may read them,
and whether the user changed them.

Every path here is made from server data (an endpoint, a record id, a file name), so
each part goes through its gate (``id_part``, ``safe_name``) and the result is checked
to stay inside the cache root. Copies are keyed by endpoint and id: two CRMs with the
same ids never share a file.

An opened copy may be edited and saved by the user. Each copy's folder holds a manifest
(``manifest.py``) saying what kafdocs wrote; a copy that no longer matches it holds the
user's changes: it is never fetched over, nor cleaned away with old copies.
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

from kafdocs.api.servertime import ServerZone

from .download import (
    entry_for,
    expected_size,
    local_name_source,
    modified_timestamp,
    remove_stale_parts,
)
from .manifest import Manifest
from .naming import id_part, inside, safe_name
from .sync import CHANGED, MISSING, local_state, same_file

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
                if copy.stat().st_mtime < limit and not _edited(copy):
                    shutil.rmtree(copy)
        with suppress(OSError):
            crm.rmdir()  # only when empty


FETCH, CURRENT, EDITED = "fetch", "current", "edited"


def copy_state(path: Path, record: dict[str, Any], zone: ServerZone) -> str:
    """What the app's copy of ``record`` at ``path`` is (disk work: not on a GUI thread):

    EDITED: changed here since kafdocs wrote it — open it, never fetch over it;
    CURRENT: as kafdocs wrote it, and the CRM still holds that file — open it;
    FETCH: missing, or an older version kafdocs may replace — fetch it.
    """
    manifest = Manifest(path.parent)
    entry = manifest.entries.get(str(record.get("id")))
    if entry is None or entry.name != path.name:
        return _unrecorded(path, record, zone, manifest)
    state = local_state(entry, path)
    if state == MISSING:
        return FETCH
    if state == CHANGED:
        return EDITED
    return CURRENT if same_file(entry, record) else FETCH


def _unrecorded(path: Path, record: dict[str, Any], zone: ServerZone,
                manifest: Manifest) -> str:
    """A copy an older kafdocs wrote, without a manifest: adopted if it is the CRM's
    file as written (size and time), else taken for the user's own changes."""
    try:
        info = path.stat()
    except OSError:
        return FETCH
    stamp = modified_timestamp(record, zone)
    if info.st_size == expected_size(record) and stamp is not None \
            and int(info.st_mtime) == int(stamp):
        manifest.record(entry_for(record, path.name, path))
        return CURRENT
    return EDITED


def _edited(copy: Path) -> bool:
    """Whether a copy's folder holds a file the user changed (to be kept)."""
    entries = Manifest(copy).entries.values()
    return any(local_state(entry, copy / entry.name) == CHANGED for entry in entries)
def remove_stale_parts_in_cache(root: Path, idle: float) -> int:
    """The ``.part`` files of copies whose fetch was killed midway (see
    ``download.remove_stale_parts``); returns how many were removed."""
    return sum(remove_stale_parts(copy, idle) for crm in _subdirs(root)
               for copy in _subdirs(crm))


def _subdirs(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError as exc:
        log.info("cannot list %s: %s", folder, exc.__class__.__name__)
        return []
