"""Records in SQLite and file contents in a blob directory, as a CRM keeps them.

One connection guarded by a lock: the sandbox serves a handful of clients, and
serialising the short SQL statements is simpler and safer than a pool. File
contents never pass through the database; they are streamed to ``blobs/``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .schema import MODULES, NUMBERING, Module


def now_text() -> str:
    """Datetimes as vtiger stores them: server-local, no zone marker."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())


class Store:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir)
        self.blobs = self.root / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.root / "crm.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._create_tables()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- schema -------------------------------------------------------------
    def _create_tables(self) -> None:
        statements = [
            "CREATE TABLE IF NOT EXISTS crmentity (crmid INTEGER PRIMARY KEY AUTOINCREMENT,"
            " setype TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)",
            "CREATE TABLE IF NOT EXISTS attachments (crmid INTEGER PRIMARY KEY,"
            " docid INTEGER NOT NULL, name TEXT, type TEXT, size INTEGER, path TEXT)",
            "CREATE INDEX IF NOT EXISTS attachments_doc ON attachments(docid)",
            "CREATE TABLE IF NOT EXISTS relations (crmid INTEGER, docid INTEGER,"
            " PRIMARY KEY (crmid, docid))",
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER)",
        ]
        for module in MODULES.values():
            auto = " AUTOINCREMENT" if module.id_source == "own" else ""
            cols = ", ".join(f'"{c}" TEXT' for c in module.column_names)
            extra = ', "accesskey" TEXT' if module.name == "Users" else ""
            statements.append(
                f"CREATE TABLE IF NOT EXISTS {module.table} "
                f"(crmid INTEGER PRIMARY KEY{auto}, {cols}{extra})"
            )
        statements.append("CREATE INDEX IF NOT EXISTS documents_folder ON documents(folderid)")
        with self.transaction() as db:
            for sql in statements:
                db.execute(sql)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def fetch(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # -- records ------------------------------------------------------------
    def insert(self, module: Module, values: dict[str, str]) -> int:
        with self.transaction() as db:
            crmid = None
            if module.id_source == "crmentity":
                crmid = db.execute(
                    "INSERT INTO crmentity (setype) VALUES (?)", (module.name,)
                ).lastrowid
            if module.name in NUMBERING:
                field, prefix = NUMBERING[module.name]
                values = {**values, field: f"{prefix}{self._next(db, module.name)}"}
            names = list(values)
            cols = ", ".join(["crmid", *(f'"{n}"' for n in names)])
            marks = ", ".join("?" * (len(names) + 1))
            cur = db.execute(
                f"INSERT INTO {module.table} ({cols}) VALUES ({marks})",
                (crmid, *values.values()),
            )
            return int(cur.lastrowid if crmid is None else crmid)

    @staticmethod
    def _next(db: sqlite3.Connection, name: str) -> int:
        db.execute(
            "INSERT INTO counters VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (name,),
        )
        return int(db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0])

    def row(self, module: Module, crmid: int) -> dict[str, str] | None:
        with self._lock:
            cur = self._db.execute(f"SELECT * FROM {module.table} WHERE crmid = ?", (crmid,))
            found = cur.fetchone()
            if found is None:
                return None
            names = [d[0] for d in cur.description]
        return {n: ("" if v is None else str(v)) for n, v in zip(names, found, strict=True)}

    def update(self, module: Module, crmid: int, values: dict[str, str]) -> None:
        if not values:
            return
        sets = ", ".join(f'"{n}" = ?' for n in values)
        with self.transaction() as db:
            db.execute(
                f"UPDATE {module.table} SET {sets} WHERE crmid = ?", (*values.values(), crmid)
            )

    def delete(self, module: Module, crmid: int) -> list[Path]:
        """Delete a record; returns the blob files that the caller may now remove."""
        with self.transaction() as db:
            db.execute(f"DELETE FROM {module.table} WHERE crmid = ?", (crmid,))
            db.execute("UPDATE crmentity SET deleted = 1 WHERE crmid = ?", (crmid,))
            paths = [
                self.root / p
                for (p,) in db.execute("SELECT path FROM attachments WHERE docid = ?", (crmid,))
            ]
            db.execute("DELETE FROM attachments WHERE docid = ?", (crmid,))
            db.execute("DELETE FROM relations WHERE docid = ? OR crmid = ?", (crmid, crmid))
        return paths

    def setype(self, crmid: int) -> tuple[str, bool] | None:
        """The module of an entity record and whether it is deleted."""
        found = self.fetch("SELECT setype, deleted FROM crmentity WHERE crmid = ?", (crmid,))
        return (found[0][0], bool(found[0][1])) if found else None

    # -- files --------------------------------------------------------------
    def new_blob_path(self) -> Path:
        """A unique file under blobs/ to stream an upload into before it is registered."""
        return self.blobs / f"upload-{uuid.uuid4().hex}.part"

    def add_attachment(self, docid: int, name: str, mime: str, size: int, tmp: Path) -> int:
        """Register a streamed blob as an attachment of document ``docid``."""
        with self.transaction() as db:
            attid = int(
                db.execute("INSERT INTO crmentity (setype) VALUES ('Documents Attachment')")
                .lastrowid
            )
            final = self.blobs / f"{attid}.bin"
            tmp.replace(final)
            db.execute(
                "INSERT INTO attachments VALUES (?, ?, ?, ?, ?, ?)",
                (attid, docid, name, mime, size, str(final.relative_to(self.root))),
            )
        return attid

    def attachment(self, attid: int) -> tuple[str, str, int, Path] | None:
        found = self.fetch("SELECT name, type, size, path FROM attachments WHERE crmid = ?",
                           (attid,))
        if not found:
            return None
        name, mime, size, path = found[0]
        return name, mime, int(size), self.root / path

    def attachment_ids(self, docids: list[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for start in range(0, len(docids), 500):
            part = docids[start:start + 500]
            marks = ",".join("?" * len(part))
            for docid, attid in self.fetch(
                f"SELECT docid, crmid FROM attachments WHERE docid IN ({marks}) ORDER BY crmid",
                part,
            ):
                out.setdefault(docid, []).append(attid)
        return out

    # -- relations ----------------------------------------------------------
    def relate(self, crmid: int, docid: int) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO relations VALUES (?, ?)", (crmid, docid))

    def related_documents(self, crmid: int) -> list[int]:
        return [d for (d,) in self.fetch(
            "SELECT docid FROM relations WHERE crmid = ? ORDER BY docid", (crmid,))]
