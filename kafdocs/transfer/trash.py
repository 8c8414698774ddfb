"""Copies kafdocs removes go to a trash, never away for good.

The system's trash first (send2trash: the desktop's trash can on Windows, macOS and
freedesktop systems); where there is none — no trash for that disk, a server, a
library missing — into ``.kafdocs-trash/`` inside the folder the copy was in.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from .naming import numbered

log = logging.getLogger(__name__)
LOCAL_TRASH = ".kafdocs-trash"
SYSTEM = "system"  # where to_trash says the copy went, when the system took it

try:
    from send2trash import send2trash as _send2trash
except ImportError:  # pragma: no cover - a declared dependency; the fallback still works
    _send2trash = None

system_trash: Callable[[str], None] | None = _send2trash


def to_trash(path: Path, folder: Path) -> str:
    """Move ``path`` to the system's trash, else to ``folder/.kafdocs-trash``; returns
    ``SYSTEM`` or the local trash's name. Raises OSError when neither can take it."""
    if system_trash is not None:
        try:
            system_trash(str(path))
            return SYSTEM
        except Exception as exc:  # send2trash raises OSError and its own kinds
            log.info("no system trash for %s (%s); using %s", path.name,
                     exc.__class__.__name__, LOCAL_TRASH)
    local = folder / LOCAL_TRASH
    local.mkdir(exist_ok=True)
    target, n = local / path.name, 1
    while target.exists():  # an older copy of the same name stays in the trash too
        n += 1
        target = local / numbered(path.name, n)
    os.rename(path, target)
    return LOCAL_TRASH
