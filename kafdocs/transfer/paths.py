"""Turning what a user dropped or named into files to upload, with reasons for the rest."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from kafdocs.i18n import _


@dataclass
class Expanded:
    files: list[Path] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)


def expand_paths(paths: list[Path]) -> Expanded:
    """Files as given, directories recursively; symlink loops, sockets and the like refused."""
    out = Expanded()
    seen_dirs: set[tuple[int, int]] = set()
    for path in paths:
        _add(Path(path), out, seen_dirs)
    return out


def _add(path: Path, out: Expanded, seen_dirs: set[tuple[int, int]]) -> None:
    try:
        info = path.stat()
    except OSError as exc:
        out.rejected.append((path, _("file not found") if exc.errno == errno.ENOENT
                             else exc.strerror or _("cannot be read")))
        return
    if stat.S_ISDIR(info.st_mode):
        key = (info.st_dev, info.st_ino)
        if key in seen_dirs:
            out.rejected.append((path, _("folder already included (symbolic link loop?)")))
            return
        seen_dirs.add(key)
        try:
            children = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            out.rejected.append((path, exc.strerror or _("cannot be listed")))
            return
        for child in children:
            _add(Path(child.path), out, seen_dirs)
    elif stat.S_ISREG(info.st_mode):
        if not os.access(path, os.R_OK):
            out.rejected.append((path, _("permission denied")))
        else:
            out.files.append(path)
    else:
        out.rejected.append((path, _("not a regular file")))
