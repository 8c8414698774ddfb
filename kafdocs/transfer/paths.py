"""Turning what a user dropped or named into files to upload, with reasons for the rest.

A file named by the user is taken as given. What a dropped folder holds is taken with
care: hidden files (``.cache-secret``, ``Thumbs.db``) are left out, and so is a symbolic
link that leads out of the dropped folder (to ``/etc/passwd``, say) — both are listed,
with why, so the user can see what was not sent. Files of its subfolders keep the
subfolder they came from, for the upload to say where they go.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kafdocs.i18n import _


@dataclass
class Expanded:
    files: list[Path] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)  # cannot be sent
    left_out: list[tuple[Path, str]] = field(default_factory=list)  # not sent, on purpose
    # a file found in a subfolder of a dropped folder: that subfolder ("2024/scans")
    subfolders: dict[Path, str] = field(default_factory=dict)

    def subfolder(self, path: Path) -> str:
        return self.subfolders.get(path, "")

    def title(self, path: Path) -> str | None:
        """The title a file of a subfolder is filed under (None: the usual one)."""
        subfolder = self.subfolder(path)
        return flattened_title(path, subfolder) if subfolder else None


@dataclass(frozen=True)
class _Within:
    """The dropped folder being walked, and where in it we are."""

    root: Path  # resolved
    relative: PurePosixPath


def flattened_title(path: Path, subfolder: str) -> str:
    """The title of a file from a dropped folder's subfolder, filed with the others in
    one CRM folder: its subfolder, then its name ("2024/Facture 12")."""
    stem = path.stem or path.name
    return f"{subfolder}/{stem}" if subfolder else stem


def expand_paths(paths: list[Path]) -> Expanded:
    """Files as given, directories recursively; symlink loops, sockets and the like
    refused; inside a directory, hidden files and links leading out of it left out."""
    out = Expanded()
    seen_dirs: set[tuple[int, int]] = set()
    for path in paths:
        _add(Path(path), out, seen_dirs, None)
    return out


def is_hidden(path: Path, info: os.stat_result) -> bool:
    """A dot-file (Unix, macOS) or a file with the hidden attribute (Windows)."""
    attributes = getattr(info, "st_file_attributes", 0)
    return path.name.startswith(".") or bool(attributes & stat.FILE_ATTRIBUTE_HIDDEN)


def _leads_out(path: Path, within: _Within) -> bool:
    try:
        path.resolve(strict=True).relative_to(within.root)
    except (OSError, ValueError):
        return True
    return False


def _add(path: Path, out: Expanded, seen_dirs: set[tuple[int, int]],
         within: _Within | None) -> None:
    try:
        info = path.stat()
    except OSError as exc:
        out.rejected.append((path, _("file not found") if exc.errno == errno.ENOENT
                             else exc.strerror or _("cannot be read")))
        return
    if within is not None:
        if is_hidden(path, info):
            out.left_out.append((path, _("hidden file")))
            return
        if path.is_symlink() and _leads_out(path, within):
            out.left_out.append((path, _("a link to somewhere outside the dropped folder")))
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
        inner = _Within(path.resolve(), PurePosixPath()) if within is None \
            else _Within(within.root, within.relative / path.name)
        for child in children:
            _add(Path(child.path), out, seen_dirs, inner)
    elif stat.S_ISREG(info.st_mode):
        if not os.access(path, os.R_OK):
            out.rejected.append((path, _("permission denied")))
            return
        out.files.append(path)
        if within is not None and within.relative.parts:
            out.subfolders[path] = str(within.relative)
    else:
        out.rejected.append((path, _("not a regular file")))
