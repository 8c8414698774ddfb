"""Local file names from untrusted server names: safe everywhere, unique, stable.

A name from the CRM may hold path separators, ``..``, a drive letter, control
characters, a Windows device name or a thousand characters. Whatever it holds, the
result is one plain file name that stays inside the destination folder.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from kafdocs.api import BadAnswer
from kafdocs.i18n import _

MAX_BYTES = 200  # well under the 255-byte limit of common file systems, room for " (12)"
# also bidirectional overrides (which make "fdp.exe" look like "exe.pdf") and lone
# surrogates (which no file system encoding can write)
_FORBIDDEN = re.compile('[\x00-\x1f\x7f<>:"/\\\\|?*\u202a-\u202e\u2066-\u2069\ud800-\udfff]')
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)
_RECORD_ID = re.compile(r"[0-9]+x[0-9]+")  # ASCII digits only: "²" and "٣" are digits too


def id_part(record_id: object) -> str:
    """A server id as one path component: only ``<digits>x<digits>`` is accepted.

    The one gate between an id the server sent and a file system path: anything
    else (``../..``, an absolute path, a drive letter) is refused, never cleaned up.
    """
    if isinstance(record_id, str) and _RECORD_ID.fullmatch(record_id):
        return record_id
    raise BadAnswer(_("The server sent a record id that is not valid: {id}").format(
        id=repr(record_id)[:60]))


def inside(root: Path, path: Path) -> Path:
    """``path`` once resolved, if it stays inside ``root``; links are followed."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise BadAnswer(_("A name sent by the server leads outside the folder {folder}")
                        .format(folder=str(root)))
    return resolved


def is_plain_name(name: str) -> bool:
    """One file name that stays in its folder (for names read back, e.g. from a manifest):
    no separator, drive or control character, not only dots, not a device name."""
    return name.strip(" .") != "" and not _FORBIDDEN.search(name) \
        and not _RESERVED.match(name)


def safe_name(raw: str, fallback: str = "document") -> str:
    """One safe file name, keeping the extension when the name must be shortened."""
    text = unicodedata.normalize("NFC", html.unescape(raw or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]  # a path: keep its last part
    text = _FORBIDDEN.sub("_", text)
    text = text.strip().strip(".").strip()
    if not text or set(text) <= {"_", "."}:
        text = fallback
    if _RESERVED.match(text):
        text = "_" + text
    return _shorten(text)


def _shorten(name: str) -> str:
    if len(name.encode()) <= MAX_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    budget = MAX_BYTES - len(suffix.encode())
    cut = stem.encode()[:budget].decode("utf-8", "ignore").rstrip(" .")
    return cut + suffix


def name_key(name: str) -> str:
    """Names that a case-insensitive or normalising file system would confuse."""
    return unicodedata.normalize("NFC", name).casefold()


def numbered(name: str, n: int) -> str:
    """``report.pdf`` → ``report (2).pdf``."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return _shorten(f"{name} ({n})")
    return _shorten(f"{stem} ({n}).{ext}")


class NameAllocator:
    """Gives each document a unique local name; names already given are kept.

    ``free`` (optional) refuses names taken by something else, such as a file the
    user put in the folder: the next numbered name is tried instead.
    """

    def __init__(self, taken: dict[str, str] | None = None) -> None:
        self.by_doc: dict[str, str] = dict(taken or {})
        self._used = {name_key(n) for n in self.by_doc.values()}
        self._last: dict[str, int] = {}  # per base name, the last number tried

    def name_for(self, doc_id: str, raw: str,
                 free: Callable[[str], bool] | None = None) -> str:
        if doc_id in self.by_doc:
            return self.by_doc[doc_id]
        base = safe_name(raw)
        key = name_key(base)
        name, n = base, self._last.get(key, 1)
        if n > 1:
            name = numbered(base, n)
        while name_key(name) in self._used or (free is not None and not free(name)):
            n += 1  # linear over a folder, not quadratic
            name = numbered(base, n)
        self._last[key] = n
        self._used.add(name_key(name))
        self.by_doc[doc_id] = name
        return name

    def rename(self, doc_id: str, raw: str, free: Callable[[str], bool] | None = None) -> str:
        """A new name for a document whose server name changed; its old one is released."""
        old = self.by_doc.pop(doc_id, None)
        if old is not None:
            self._used.discard(name_key(old))
        return self.name_for(doc_id, raw, free)
