"""The watcher's journal: every step of every file's chain, so a killed run resumes it.

A CRM has no undo and the process may die at any moment (``kill -9``, a power cut).
Each step is written *before* the action it announces, as JSON lines in
``DIR/.kafdocs-watch.jsonl``:

``begin``      the file (path, size, mtime) is about to be sent; ``existing`` lists the
               documents of the same name already in the folder, so that any other one
               found later can only come from this chain;
``restart``    the file changed since ``begin``: what an earlier attempt left is stale;
``confirmed``  the document holds the whole file (its id and number);
``moving``     the file is being moved to ``target`` (``Filed/…``);
``failing``    the file is being moved to ``target`` (``Failed/…``) for ``reason``;
``done``       the chain is over (``outcome``: moved, deleted, kept, failed, gone).

A half-written last line (killed while writing) is ignored. The journal is rewritten,
with only what is still needed, when a watcher starts and stops.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kafdocs.api import KafdocsError
from kafdocs.i18n import _

log = logging.getLogger(__name__)
JOURNAL = ".kafdocs-watch.jsonl"
LOCK = ".kafdocs-watch.lock"
COMPACT_AFTER = 20_000  # lines appended before the journal is rewritten while running
DURABLE = frozenset({"begin", "failing"})  # synced to the disk, not only written
Identity = tuple[int, int]  # size, mtime in nanoseconds: "the same file, unchanged"


class AlreadyWatched(KafdocsError):
    """Another kafdocs (the app, or a ``kafdocs watch``) is watching this directory."""


@dataclass
class Chain:
    """One file's way into the CRM, as far as the journal knows it."""

    id: str
    path: str  # relative to the watched directory, "/"-separated
    size: int
    mtime_ns: int
    existing: list[str] = field(default_factory=list)
    doc: str = ""  # the confirmed document
    number: str = ""  # its number (DOC12), for people
    target: str = ""  # where the file is being moved, relative to the directory
    reason: str = ""  # why it failed for good
    outcome: str = ""  # set when the chain is over

    @property
    def identity(self) -> Identity:
        return (self.size, self.mtime_ns)

    @property
    def over(self) -> bool:
        return bool(self.outcome)


class Journal:
    """The chains of one watched directory, folded from its journal file; thread-safe."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / JOURNAL
        self.chains: dict[str, Chain] = {}
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()  # taken before _lock, never after
        self._file: IO[str] | None = None
        self._written = self._synced = self._compacted = 0  # lines, counted from the start
        self._load()

    # -- reading --------------------------------------------------------------
    def _load(self) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            try:
                self._apply(json.loads(line))
            except (ValueError, KeyError, TypeError):
                log.info("ignoring a damaged line of %s", self.path)

    def _apply(self, entry: dict[str, Any]) -> Chain:
        """The one fold of the journal, for replayed and for new lines alike."""
        op, chain_id = entry["op"], str(entry["id"])
        if op == "begin":
            chain = Chain(chain_id, str(entry["path"]), int(entry["size"]),
                          int(entry["mtime_ns"]), [str(i) for i in entry["existing"]])
            self.chains[chain_id] = chain
            return chain
        chain = self.chains[chain_id]
        if op == "restart":
            chain.size, chain.mtime_ns = int(entry["size"]), int(entry["mtime_ns"])
        elif op == "confirmed":
            chain.doc, chain.number = str(entry["doc"]), str(entry["number"])
        elif op in ("moving", "failing"):
            chain.target, chain.reason = str(entry["target"]), str(entry.get("reason", ""))
        elif op == "done":
            chain.outcome = str(entry["outcome"])
        else:
            raise ValueError(op)
        return chain

    def open_chains(self) -> list[Chain]:
        with self._lock:
            return [c for c in self.chains.values() if not c.over]

    def open_chain(self, path: str) -> Chain | None:
        with self._lock:
            return next((c for c in self.chains.values() if c.path == path and not c.over),
                        None)

    def kept(self) -> dict[str, Identity]:
        """Files left in place after filing (``--after keep``), by path: not filed again."""
        with self._lock:
            return {c.path: c.identity for c in self.chains.values() if c.outcome == "kept"}

    # -- writing --------------------------------------------------------------
    def begin(self, path: str, identity: Identity, existing: list[str]) -> Chain:
        return self.write({"op": "begin", "id": uuid.uuid4().hex, "path": path,
                           "size": identity[0], "mtime_ns": identity[1],
                           "existing": existing})

    def record(self, chain: Chain, op: str, **values: Any) -> Chain:
        return self.write({"op": op, "id": chain.id, **values})

    def write(self, entry: dict[str, Any]) -> Chain:
        """Append one step before the caller acts on it.

        Every line reaches the operating system at once: a killed process cannot lose
        it. Lines whose loss in a power cut could file a file twice (``DURABLE``) are
        also synced to the disk; concurrent writers share one sync (a group commit).
        """
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            if self._file is not None and not self.path.exists():  # the folder was removed
                self._rewrite()  # and made again: the journal starts again from memory
            if self._file is None:
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line)
            self._file.flush()
            self._written += 1
            mine = self._written
            chain = self._apply(entry)
            if entry["op"] == "done" and chain.outcome != "kept":
                del self.chains[chain.id]  # nothing left to remember
            crowded = self._written - self._compacted >= COMPACT_AFTER
        if entry["op"] in DURABLE:
            self._sync(mine)
        if crowded:
            self.compact()
        return chain

    def _sync(self, line: int) -> None:
        with self._sync_lock:
            if self._synced >= line:
                return  # another writer's sync covered it
            with self._lock:
                written = self._written
                fd = self._file.fileno() if self._file is not None else None
            if fd is not None:
                os.fsync(fd)
            self._synced = written

    def compact(self) -> None:
        """Rewrite the journal with the open chains and the kept files only, atomically."""
        with self._sync_lock, self._lock:
            self._rewrite()
            self._synced = self._compacted = self._written

    def _rewrite(self) -> None:
        kept: dict[str, Chain] = {}
        for chain in self.chains.values():
            if chain.outcome == "kept":
                kept[chain.path] = chain  # the latest per path
        live = [c for c in self.chains.values() if not c.over] + list(kept.values())
        self.chains = {c.id: c for c in live}
        if self._file is not None:
            self._file.close()
            self._file = None
        tmp = self.path.with_name(self.path.name + ".new")
        with tmp.open("w", encoding="utf-8") as f:
            for chain in live:
                for entry in _as_entries(chain):
                    f.write(json.dumps(entry, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def _as_entries(chain: Chain) -> list[dict[str, Any]]:
    """The fewest lines that fold back into ``chain``."""
    entries: list[dict[str, Any]] = [{"op": "begin", "id": chain.id, "path": chain.path,
                                      "size": chain.size, "mtime_ns": chain.mtime_ns,
                                      "existing": list(chain.existing)}]
    if chain.doc:
        entries.append({"op": "confirmed", "id": chain.id, "doc": chain.doc,
                        "number": chain.number})
    if chain.target:
        entries.append({"op": "failing" if chain.reason else "moving", "id": chain.id,
                        "target": chain.target, "reason": chain.reason})
    if chain.outcome:
        entries.append({"op": "done", "id": chain.id, "outcome": chain.outcome})
    return entries


class DirectoryLock:
    """One watcher per directory: two would file the same files twice."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_fd(fd)
        except OSError:
            os.close(fd)
            raise AlreadyWatched(_("{directory} is already being watched by another kafdocs")
                                 .format(directory=self.path.parent)) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def _lock_fd(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
