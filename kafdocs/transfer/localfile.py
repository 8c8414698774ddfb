"""The local file being sent: readable, not empty where the server cannot store that,
unchanged while it is sent, and — for a new version — a private snapshot of it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from kafdocs.api import Client, FileChanged, KafdocsError
from kafdocs.i18n import _


class UnreadableFile(KafdocsError):
    """The local file cannot be uploaded (not a regular file, no permission)."""


class EmptyFileRefused(KafdocsError):
    """Stock vtiger answers success to an empty file part but stores no file."""


def check_uploadable(path: Path) -> os.stat_result:
    """The file's state as its sending begins, or a clear reason why it cannot be sent."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnreadableFile(f"{path.name}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(_("{name} is not a regular file").format(name=path.name))
    if not os.access(path, os.R_OK):
        raise UnreadableFile(_("{name}: permission denied").format(name=path.name))
    return info


def check_expected(path: Path, info: os.stat_result, expect: tuple[int, int] | None) -> None:
    """Refuse a file that is not the one the caller saw complete: maybe half-written."""
    if expect is not None and expect != (info.st_size, info.st_mtime_ns):
        raise changed(path)


def refuse_empty(client: Client, path: Path, size: int) -> None:
    """Stock vtiger answers success to an empty file and stores none — on a new version,
    it even drops the document's file. Refused before anything is sent."""
    if size == 0 and not client.supports_file_upload():
        raise EmptyFileRefused(_("{name}: the file is empty and this server cannot store "
                                 "empty files").format(name=path.name))


def check_unchanged(path: Path, before: os.stat_result) -> None:
    """Refuse a file that is no longer the one whose sending began: it may arrive torn.

    A scanner or an export still writing, or a user saving again, changes the size or
    the modification time; the caller rolls the document back and tries again later.
    """
    try:
        now = os.stat(path)
    except OSError:
        now = None
    if now is None or (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise changed(path)


def changed(path: Path) -> FileChanged:
    return FileChanged(_("{name} changed while it was being sent; it will be sent again "
                         "once it stops changing").format(name=path.name))


@contextmanager
def snapshot(path: Path, before: os.stat_result) -> Iterator[Path]:
    """A private copy of ``path`` as it is now, removed when the block ends.

    A new document whose file changed while it was sent is deleted and sent again; a
    new *version* cannot be undone that way (the server dropped the previous file), so
    it is sent from a copy nobody else writes to. The copy is checked against the
    state the sending began with: a file still being written is refused, not copied.
    """
    handle, name = tempfile.mkstemp(prefix="kafdocs-version-")
    copy = Path(name)
    try:
        os.close(handle)
        shutil.copyfile(path, copy)
        check_unchanged(path, before)
        if copy.stat().st_size != before.st_size:
            raise changed(path)
        yield copy
    finally:
        with suppress(OSError):
            copy.unlink()
