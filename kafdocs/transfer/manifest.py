"""What a folder download already holds, so a re-run fetches only what is new or changed.

An append-only journal of JSON lines: one line per completed document, written after
the file is in place. A run killed at any moment leaves at worst a half line, which is
ignored; the journal is compacted when a run ends. The journal lies in a folder others
may write to: a line whose name is not one plain file name is ignored, never followed.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from .naming import is_plain_name

log = logging.getLogger(__name__)
MANIFEST = ".kafdocs-manifest.jsonl"


@dataclass(frozen=True)
class Entry:
    doc_id: str
    name: str
    modifiedtime: str
    filesize: int


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
                entry = Entry(str(data["doc_id"]), str(data["name"]),
                              str(data["modifiedtime"]), int(data["filesize"]))
            except (ValueError, KeyError, TypeError):
                log.info("ignoring a damaged manifest line in %s", self.path)
                continue
            if not is_plain_name(entry.name):
                log.warning("ignoring a manifest line naming %r in %s", entry.name, self.path)
                continue
            self.entries[entry.doc_id] = entry

    def names(self) -> dict[str, str]:
        return {doc_id: e.name for doc_id, e in self.entries.items()}

    def record(self, entry: Entry) -> None:
        self._append(asdict(entry))
        self.entries[entry.doc_id] = entry

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
                    f.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
                f.flush()
                os.fsync(f.fileno())
            tmp.replace(self.path)
