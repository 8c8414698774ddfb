"""Records in SQLite and file contents in a blob directory, as a CRM keeps them.

One connection guarded by a lock: the sandbox serves a handful of clients, and
serialising the short SQL statements is simpler and safer than a pool. File
contents never pass through the database; they are streamed to ``blobs/``.

Entity records are deleted softly, as vtiger does (``crmentity.deleted``): the row,
its links and its files stay, only the webservice stops seeing them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .schema import ACCOUNTS, MODULES, Module
from .textcolumns import fold


@dataclass(frozen=True)
class Attachment:
    crmid: int
    owner: int  # the document or product the file belongs to
    name: str
    mime: str
    size: int
    path: Path


class Store:
    def __init__(self, data_dir: Path, time_zone: str | None = None) -> None:
        self.root = Path(data_dir)
        self.blobs = self.root / "blobs"
        _private_dir(self.root)
        self.blobs.mkdir(exist_ok=True)
        self.zone = ZoneInfo(time_zone) if time_zone else None
        self._lock = threading.RLock()
        database = self.root / "crm.sqlite3"
        # SQLite gives the -wal and -shm files the database file's mode: the WAL holds
        # the access key, so the file is created private before SQLite opens it.
        os.close(os.open(database, os.O_CREAT | os.O_RDWR, 0o600))
        self._db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.create_function("fold", 1, fold, deterministic=True)
        self._create_tables()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def now_text(self) -> str:
        """Datetimes as vtiger stores them: local to the server's zone, no zone marker."""
        moment = datetime.now(self.zone) if self.zone else datetime.fromtimestamp(time.time())
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    # -- schema -------------------------------------------------------------
    def _create_tables(self) -> None:
        statements = [
            "CREATE TABLE IF NOT EXISTS crmentity (crmid INTEGER PRIMARY KEY AUTOINCREMENT,"
            " setype TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)",
            # docid: the record owning the file, a document or a product (its images)
            "CREATE TABLE IF NOT EXISTS attachments (crmid INTEGER PRIMARY KEY,"
            " docid INTEGER NOT NULL, name TEXT, type TEXT, size INTEGER, path TEXT)",
            "CREATE INDEX IF NOT EXISTS attachments_doc ON attachments(docid)",
            "CREATE TABLE IF NOT EXISTS relations (crmid INTEGER, docid INTEGER,"
            " PRIMARY KEY (crmid, docid))",
            "CREATE INDEX IF NOT EXISTS relations_doc ON relations(docid)",
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
            self._add_new_columns(db)

    @staticmethod
    def _add_new_columns(db: sqlite3.Connection) -> None:
        """A data directory made by an older sandbox gains the fields added since."""
        for module in MODULES.values():
            have = {row[1] for row in db.execute(f"PRAGMA table_info({module.table})")}
            for name in module.column_names:
                if name not in have:
                    db.execute(f'ALTER TABLE {module.table} ADD COLUMN "{name}" TEXT')

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
    def insert(self, module: Module, values: dict[str, str], crmid: int | None = None) -> int:
        """A new record; ``crmid`` chooses an entity's number (demo data with stable ids)."""
        with self.transaction() as db:
            if module.id_source == "crmentity":
                crmid = db.execute(
                    "INSERT INTO crmentity (crmid, setype) VALUES (?, ?)", (crmid, module.name)
                ).lastrowid
            if module.numbering:
                field, prefix = module.numbering
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
        """The stored row, deleted or not."""
        with self._lock:
            cur = self._db.execute(f"SELECT * FROM {module.table} WHERE crmid = ?", (crmid,))
            found = cur.fetchone()
            if found is None:
                return None
            names = [d[0] for d in cur.description]
        return {n: ("" if v is None else str(v)) for n, v in zip(names, found, strict=True)}

    def live_row(self, module: Module, crmid: int) -> dict[str, str] | None:
        """The row the webservice may see: present, of this module and not deleted."""
        if module.id_source == "crmentity" and self.setype(crmid) != (module.name, False):
            return None
        return self.row(module, crmid)

    def update(self, module: Module, crmid: int, values: dict[str, str]) -> None:
        if not values:
            return
        sets = ", ".join(f'"{n}" = ?' for n in values)
        with self.transaction() as db:
            db.execute(
                f"UPDATE {module.table} SET {sets} WHERE crmid = ?", (*values.values(), crmid)
            )

    def delete(self, module: Module, crmid: int) -> None:
        """Entities go to the recycle bin; folders (not entities) are gone for good,
        and their documents then point at nothing."""
        with self.transaction() as db:
            if module.id_source == "crmentity":
                db.execute("UPDATE crmentity SET deleted = 1 WHERE crmid = ?", (crmid,))
            else:
                db.execute(f"DELETE FROM {module.table} WHERE crmid = ?", (crmid,))

    def setype(self, crmid: int) -> tuple[str, bool] | None:
        """The module of an entity record and whether it is deleted."""
        found = self.fetch("SELECT setype, deleted FROM crmentity WHERE crmid = ?", (crmid,))
        return (found[0][0], bool(found[0][1])) if found else None

    def exists(self, module: Module, crmid: int) -> bool:
        return self.live_row(module, crmid) is not None

    # -- files --------------------------------------------------------------
    def new_blob_path(self) -> Path:
        """A unique file under blobs/ to stream an upload into before it is registered."""
        return self.blobs / f"upload-{uuid.uuid4().hex}.part"

    def add_attachment(self, docid: int, name: str, mime: str, size: int, tmp: Path,
                       kind: str = "Documents Attachment") -> int:
        """Register a streamed blob as a file of record ``docid`` (a document or product)."""
        with self.transaction() as db:
            attid = int(db.execute("INSERT INTO crmentity (setype) VALUES (?)", (kind,))
                        .lastrowid)
            final = self.blobs / f"{attid}.bin"
            tmp.replace(final)
            db.execute(
                "INSERT INTO attachments VALUES (?, ?, ?, ?, ?, ?)",
                (attid, docid, name, mime, size, str(final.relative_to(self.root))),
            )
        return attid

    def remove_attachments(self, owner: int) -> None:
        """Unlink every file of ``owner``: their ids answer "not found" from now on."""
        with self.transaction() as db:
            paths = [p for (p,) in db.execute(
                "SELECT path FROM attachments WHERE docid = ?", (owner,))]
            db.execute("DELETE FROM attachments WHERE docid = ?", (owner,))
        for path in paths:
            (self.root / path).unlink(missing_ok=True)

    def attachment(self, attid: int) -> Attachment | None:
        """A file whose owner is still live; the files of deleted records are hidden."""
        found = self.fetch(
            "SELECT a.docid, a.name, a.type, a.size, a.path FROM attachments a"
            " JOIN crmentity e ON e.crmid = a.docid WHERE a.crmid = ? AND e.deleted = 0",
            (attid,))
        if not found:
            return None
        owner, name, mime, size, path = found[0]
        return Attachment(attid, int(owner), name, mime, int(size), self.root / path)

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
        """The live documents in a record's related list.

        An account's list also shows the documents of its contacts, as vtiger's
        Accounts related list does; only active documents (filestatus 1) appear.
        """
        sources = [crmid, *self._contacts_of(crmid)]
        marks = ",".join("?" * len(sources))
        return [d for (d,) in self.fetch(
            f"SELECT DISTINCT r.docid FROM relations r JOIN crmentity e ON e.crmid = r.docid"
            f" JOIN documents d ON d.crmid = r.docid WHERE r.crmid IN ({marks})"
            f" AND e.deleted = 0 AND d.filestatus = '1' ORDER BY r.docid", sources)]

    def _contacts_of(self, crmid: int) -> list[int]:
        if self.setype(crmid) != ("Accounts", False):
            return []
        return [c for (c,) in self.fetch(
            "SELECT c.crmid FROM contacts c JOIN crmentity e ON e.crmid = c.crmid"
            " WHERE c.account_id = ? AND e.deleted = 0", (f"{ACCOUNTS.prefix}x{crmid}",))]

    def related_records(self, docid: int, module: Module) -> list[int]:
        """The live records of ``module`` a document is linked to (its reverse list)."""
        return [c for (c,) in self.fetch(
            "SELECT r.crmid FROM relations r JOIN crmentity e ON e.crmid = r.crmid"
            " WHERE r.docid = ? AND e.setype = ? AND e.deleted = 0 ORDER BY r.crmid",
            (docid, module.name))]


def _private_dir(path: Path) -> None:
    """The data directory holds the access key: readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)

