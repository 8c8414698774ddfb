"""Downloads: one document to a file, never a half file, never a good copy lost.

Each file is streamed into a hidden ``.part`` file beside its final place, checked,
fsynced and only then renamed over the previous copy, if any; its modification time is
the document's ``modifiedtime``. A fetch that fails for any reason — a size that does
not match, a connection cut mid-body, a server error, a full disk — removes its
``.part`` and leaves the previous copy byte-identical.

Which size is trusted: neither alone. The bytes must match the ``filesize`` of the
``files_retrieve`` answer (it travels with them: a difference means the answer was
cut or damaged) and the document's own ``filesize`` (a difference means the stored
file and the record disagree — a file truncated on the server, say — and kafdocs
cannot tell which is right). Any difference fails the job and keeps what was there.
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit, urlunsplit

from kafdocs.api import BadAnswer, Client, CorruptFile, KafdocsError
from kafdocs.api.servertime import ServerZone
from kafdocs.api.values import number
from kafdocs.i18n import _

from .engine import Job, JobContext, Skipped, describe_os_error, read_only
from .manifest import Entry, Manifest
from .naming import NameAllocator, inside, numbered

log = logging.getLogger(__name__)
PART_SUFFIX = ".kafdocs-part"


def file_ids(record: dict[str, Any]) -> list[str]:
    return [i for i in str(record.get("imageattachmentids") or "").split(",") if i.strip()]


def expected_size(record: dict[str, Any]) -> int:
    """The size the CRM lists, for display and comparisons: 0 when unknown."""
    return number(record.get("filesize")) or 0


def announced_size(record: dict[str, Any]) -> int | None:
    """The size the CRM lists, which a download may not exceed; None when it lists none
    (or 0, which older records hold for files of any size). Not a number: BadAnswer."""
    raw = record.get("filesize")
    size = number(raw) if raw not in (None, "") else 0
    if size is None:
        raise BadAnswer(_("The server sent a file size that is not a number: {value}")
                        .format(value=repr(raw)[:40]))
    return size or None


def skip_reason(record: dict[str, Any]) -> str | None:
    """Why a document has nothing to download, or None."""
    if record.get("filelocationtype") == "E":
        return _("External link, not a stored file: {url}").format(
            url=record.get("filename", ""))
    if not file_ids(record):
        return _("No file is attached to this document")
    return None


_URL_SAFE = "/%:@!$&'()*+,;=-._~?#[]"


def web_link(record: dict[str, Any]) -> str | None:
    """The address of an external-link document, if kafdocs may offer to open it.

    Only http and https to a named host, without a user name or password in it (the
    ``https://bank.example@evil.example`` trick); the result is plain ASCII (host in
    punycode, the rest percent-encoded), so what the user is shown is what opens.
    """
    raw = str(record.get("filename") or "").strip()
    if not raw.isprintable():
        return None
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").encode("idna").decode("ascii")
        port = parts.port
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not host \
            or parts.username is not None or parts.password is not None:
        return None
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), netloc, quote(parts.path, _URL_SAFE),
                       quote(parts.query, _URL_SAFE), quote(parts.fragment, _URL_SAFE)))


def local_name_source(record: dict[str, Any]) -> str:
    """The server's file name, or the title where the "file name" is an external URL."""
    if record.get("filelocationtype") != "E" and record.get("filename"):
        return str(record["filename"])
    return str(record.get("notes_title") or record["id"])


def modified_timestamp(record: dict[str, Any], zone: ServerZone) -> float | None:
    """The document's ``modifiedtime`` as a moment: server-local in ``zone``."""
    return zone.timestamp(record.get("modifiedtime"))


@contextmanager
def part_file(final: Path, stamp: float | None = None) -> Iterator[BinaryIO]:
    """A hidden temporary file that becomes ``final`` only if the block succeeds.

    The modification time is set before the rename, so a file under its final name
    always carries the stamp that lets a re-run recognise it as complete.
    """
    part = final.with_name(f".{final.name}{PART_SUFFIX}")
    try:
        with part.open("wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if stamp is not None:
            os.utime(part, (stamp, stamp))
        part.replace(final)
    except BaseException:
        with suppress(OSError):
            part.unlink()
        raise


def remove_stale_parts(folder: Path, idle: float = 0.0, now: float | None = None) -> int:
    """Remove the ``.part`` files a download killed midway left in ``folder``; those
    written to in the last ``idle`` seconds are another download's, still running.
    Returns how many were removed."""
    limit = (time.time() if now is None else now) - idle
    removed = 0
    try:
        parts = list(folder.glob(f".*{PART_SUFFIX}"))
    except OSError:
        return 0
    for part in parts:
        with suppress(OSError):
            if part.is_file() and not part.is_symlink() and part.stat().st_mtime <= limit:
                part.unlink()
                removed += 1
    return removed


class DestinationNotWritable(KafdocsError):
    """Files cannot be saved in the destination chosen: said once, before any transfer."""


def writable_destination(dest: Path) -> None:
    """Create ``dest`` if needed and prove a file can be written in it, so a read-only
    destination fails at once, the same way whether the folder exists or not."""
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=dest):
            pass
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            existing = next(p for p in (dest, *dest.parents) if p.exists())
            raise DestinationNotWritable(read_only(existing)) from None
        raise DestinationNotWritable(describe_os_error(exc)) from None


def download_document(client: Client, record: dict[str, Any], folder: Path, name: str,
                      ctx: JobContext,
                      before_replace: Callable[[], None] | None = None) -> list[Path]:
    """Fetch every file of one document into ``folder``; the first one takes ``name``.

    ``before_replace`` runs once the first file is complete and verified, just before
    it takes its place: it may still refuse (raise), e.g. when the copy it would
    replace was changed meanwhile.
    """
    reason = skip_reason(record)
    if reason:
        raise Skipped(reason)
    announced = announced_size(record)
    ctx.set_total(announced or 0)
    written: list[Path] = []
    done = 0
    stamp = modified_timestamp(record, client.server_zone)
    for n, file_id in enumerate(file_ids(record), 1):
        target = inside(folder, folder / (name if n == 1 else numbered(name, n)))
        ctx.check()
        limit = announced if n == 1 else None  # the CRM lists the size of the first only
        with part_file(target, stamp) as out:  # checked before it replaces anything
            (info,) = _fetch_one(client, file_id, out, ctx.base(done), ctx, limit)
            if limit is not None and info.written != limit:
                raise CorruptFile(_("{name}: the CRM says {expected} bytes but the file has "
                                    "{actual}; the file was not saved").format(
                    name=name, expected=limit, actual=info.written))
            if n == 1 and before_replace is not None:
                before_replace()
        done += info.written
        written.append(target)
    return written


def _fetch_one(client: Client, file_id: str, out: BinaryIO, progress: Any,
               ctx: JobContext, limit: int | None) -> list[Any]:
    def only_one(index: int) -> BinaryIO:
        if index:
            raise CorruptFile(_("The server sent several files for one file id"))
        return out

    return client.files_retrieve(file_id, only_one, progress=progress, cancelled=ctx.cancelled,
                                 max_bytes=limit)


def entry_for(record: dict[str, Any], name: str, path: Path) -> Entry:
    """What the manifest keeps of a document fetched (or adopted) as ``path``."""
    written = path.stat()
    return Entry(record["id"], name, str(record.get("modifiedtime", "")),
                 expected_size(record), ",".join(file_ids(record)),
                 local_name_source(record), written.st_size, written.st_mtime_ns)


def document_job(client: Client, record: dict[str, Any], folder: Path, name: str,
                 manifest: Manifest | None = None, *, change: str = "new",
                 previous: str = "", before_replace: Callable[[], None] | None = None
                 ) -> Job:
    """A job fetching one document as ``folder/name``; with a ``manifest``, recorded
    there once in place. ``previous``: the name of the copy this one supersedes, removed
    once the new one is in place (the document was renamed on the server)."""
    def run(ctx: JobContext) -> str:
        paths = download_document(client, record, folder, name, ctx, before_replace)
        if manifest is not None:
            manifest.record(entry_for(record, name, paths[0]))
        if previous and previous != name:
            with suppress(FileNotFoundError):
                (folder / previous).unlink()
        return ", ".join(p.name for p in paths)

    return Job(label=name, run=run, total=expected_size(record), kind="download",
               meta={"doc_id": record["id"], "folder": str(folder), "change": change})


def document_jobs(client: Client, records: list[dict[str, Any]], dest: Path) -> list[Job]:
    """Jobs for documents chosen one by one, with names unique among them."""
    names = NameAllocator()
    return [document_job(client, r, dest, names.name_for(r["id"], local_name_source(r)))
            for r in records]
