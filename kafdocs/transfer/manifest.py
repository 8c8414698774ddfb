"""What a folder download already holds, so a re-run follows the CRM: fetches what is
new or changed, renames what was renamed, and knows which local copies are untouched.

An append-only journal of JSON lines, keyed by document id: one line per completed
document, written after the file is in place, and one ``gone`` line per copy removed.
Each line says what was fetched (the server's file ids, size, name and modification
time) and what was written (the local file's size and modification time: a copy whose
stat still matches was not changed by anyone since). A run killed at any moment leaves
at worst a half line, which is ignored; the journal is compacted when a run ends. Lines
of older versions, without the newer fields, still load. The journal lies in a folder
others may write to: a line whose name is not one plain file name is ignored.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .naming import is_plain_name

log = logging.getLogger(__name__)
MANIFEST = ".kafdocs-manifest.jsonl"


@dataclass(frozen=True)
class Entry:
    doc_id: str
    name: str  # the local file's name
    modifiedtime: str  # the document's, on the server, when it was fetched
    filesize: int  # the document's, on the server
    files: str = ""  # the document's imageattachmentids; "" if not known (older lines)
    source: str = ""  # the server's name the local name was made from; "" if not known
    local_size: int = -1  # the local file as written; -1 if not known (older lines)
    local_mtime_ns: int = -1

    def as_json(self) -> dict[str, object]:
        """The entry as a journal line holds it (``asdict`` deep-copies: slower, same)."""
        return dict(vars(self))

    @property
    def stamped(self) -> bool:
        """Whether the local file's state when written is known."""
        return self.local_size >= 0


class Manifest:
    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST
        self.entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            try:
                data = json.loads(line)
                if data.get("gone"):
                    self.entries.pop(str(data["doc_id"]), None)
                    continue
                entry = Entry(str(data["doc_id"]), str(data["name"]),
                              str(data["modifiedtime"]), int(data["filesize"]),
                              str(data.get("files", "")), str(data.get("source", "")),
                              int(data.get("local_size", -1)),
                              int(data.get("local_mtime_ns", -1)))
            except (ValueError, KeyError, TypeError, AttributeError):
                log.info("ignoring a damaged manifest line in %s", self.path)
                continue
            if not is_plain_name(entry.name):
                log.warning("ignoring a manifest line naming %r in %s", entry.name, self.path)
                continue
            self.entries[entry.doc_id] = entry

    def names(self) -> dict[str, str]:
        return {doc_id: e.name for doc_id, e in self.entries.items()}

    def record(self, entry: Entry) -> None:
        self._append(entry.as_json())
        self.entries[entry.doc_id] = entry

    def forget(self, doc_id: str) -> None:
        """The document's local copy is no longer this folder's (it was removed)."""
        self._append({"doc_id": doc_id, "gone": True})
        self.entries.pop(doc_id, None)

    def _append(self, data: dict[str, object]) -> None:
        line = json.dumps(data, ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)

    def compact(self) -> None:
        """Rewrite the journal with one line per document, atomically."""
        tmp = self.path.with_suffix(".tmp")
        with self._lock:
            with tmp.open("w", encoding="utf-8") as f:
                for entry in self.entries.values():
                    f.write(json.dumps(entry.as_json(), ensure_ascii=False) + "\n")
                f.flush()
                os.fsync(f.fileno())
            tmp.replace(self.path)
