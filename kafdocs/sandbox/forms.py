"""Request bodies parsed as PHP fills $_POST and $_FILES, streamed in bounded memory.

Small values stay in memory; large ones (a base64 ``fileContents``, a file part)
are spooled to disk as they arrive, so a 1 GB upload never sits in RAM.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import unquote_to_bytes

CHUNK = 1 << 20
MEMORY_LIMIT = 1 << 20
HEADER_LIMIT = 16 * 1024  # the headers of one multipart part; more is an abuse


class BadRequest(ValueError):
    """A body no PHP front end would accept (Apache answers 400 Bad Request)."""


class Guard(Protocol):
    """Watches a body as it streams in, and may refuse to keep the rest of it."""

    def field_done(self, name: str, value: Value) -> None:
        """A form field arrived whole (a file part does not count)."""

    def grew(self, size: int) -> None:
        """The value being read has reached ``size`` bytes."""


class _Unguarded:
    def field_done(self, name: str, value: Value) -> None:
        pass

    def grew(self, size: int) -> None:
        pass


def _spool(tmp_dir: Path) -> BinaryIO:
    return tempfile.SpooledTemporaryFile(  # type: ignore[return-value]
        max_size=MEMORY_LIMIT, dir=tmp_dir
    )


@dataclass
class Value:
    """One form value: its bytes are in ``data`` (spooled), plus file-part metadata."""

    data: BinaryIO
    filename: str | None = None
    content_type: str | None = None

    @property
    def size(self) -> int:
        pos = self.data.tell()
        self.data.seek(0, 2)
        size = self.data.tell()
        self.data.seek(pos)
        return size

    def text(self) -> str:
        self.data.seek(0)
        return self.data.read().decode("utf-8", "replace")

    def chunks(self, size: int = CHUNK):
        self.data.seek(0)
        while block := self.data.read(size):
            yield block


@dataclass
class Form:
    fields: dict[str, Value] = field(default_factory=dict)
    files: list[tuple[str, Value]] = field(default_factory=list)  # ($_FILES, in order)

    def file(self, name: str) -> Value | None:
        return next((v for n, v in self.files if n == name), None)

    def close(self) -> None:
        for value in (*self.fields.values(), *(v for _, v in self.files)):
            value.data.close()


def read_exact(stream: BinaryIO, length: int, pace: Callable[[int], None] | None = None):
    """Yield the request body in chunks.

    A body shorter than its Content-Length means the client gave up (a cancelled
    upload): the request is abandoned, never run with what arrived.
    """
    left = length
    step = CHUNK if pace is None else 64 * 1024
    while left > 0:
        block = stream.read(min(step, left))
        if not block:
            raise ConnectionAbortedError(f"body ended {left} bytes short")
        left -= len(block)
        if pace is not None:
            pace(len(block))
        yield block


def parse_urlencoded(chunks, tmp_dir: Path, guard: Guard | None = None) -> Form:
    guard = guard or _Unguarded()
    form = Form()
    name = bytearray()
    value: BinaryIO | None = None
    pending = b""  # an unfinished %XX escape carried to the next chunk
    for chunk in chunks:
        pos = 0
        while pos < len(chunk):
            if value is None:
                eq, amp = chunk.find(b"=", pos), chunk.find(b"&", pos)
                if eq >= 0 and (amp < 0 or eq < amp):
                    name += chunk[pos:eq]
                    value, pos = _spool(tmp_dir), eq + 1
                    current = _decode_name(name)
                    form.fields[current] = Value(value)
                    continue
                stop = amp if amp >= 0 else len(chunk)
                name += chunk[pos:stop]
                if amp >= 0:
                    if name:
                        form.fields[_decode_name(name)] = Value(_spool(tmp_dir))
                    name = bytearray()
                pos = stop + (1 if amp >= 0 else 0)
                continue
            amp = chunk.find(b"&", pos)
            stop = amp if amp >= 0 else len(chunk)
            pending = _write_unquoted(value, pending + chunk[pos:stop], final=amp >= 0)
            guard.grew(value.tell())
            if amp >= 0:
                guard.field_done(current, form.fields[current])
                value, name = None, bytearray()
            pos = stop + (1 if amp >= 0 else 0)
    if value is not None:
        _write_unquoted(value, pending, final=True)
        guard.field_done(current, form.fields[current])
    elif name:
        form.fields[_decode_name(name)] = Value(_spool(tmp_dir))
    return form


def _write_unquoted(out: BinaryIO, raw: bytes, *, final: bool) -> bytes:
    keep = b""
    if not final:
        cut = raw.rfind(b"%", max(0, len(raw) - 2))
        if cut >= 0:
            raw, keep = raw[:cut], raw[cut:]
    out.write(unquote_to_bytes(raw.replace(b"+", b" ")))
    return keep


def _decode_name(raw: bytes | bytearray) -> str:
    return unquote_to_bytes(bytes(raw).replace(b"+", b" ")).decode("utf-8", "replace")


_DISPOSITION = re.compile(rb'(\w+)="((?:[^"\\]|\\.)*)"|(\w+)=([^;\s]+)')


def parse_multipart(chunks, boundary: bytes, tmp_dir: Path,
                    guard: Guard | None = None) -> Form:
    guard = guard or _Unguarded()
    form = Form()
    delimiter = b"\r\n--" + boundary
    buf = b"\r\n"  # lets the first boundary match the same delimiter
    it = iter(chunks)
    state = "preamble"
    current: tuple[str, Value] | None = None
    for chunk in it:
        buf += chunk
        while True:
            if state == "preamble":
                at = buf.find(delimiter)
                if at < 0:
                    buf = buf[-len(delimiter):]
                    break
                buf, state = buf[at + len(delimiter):], "after-delimiter"
            if state == "after-delimiter":
                if len(buf) < 2:
                    break
                if buf.startswith(b"--"):
                    return form
                state = "headers"
            if state == "headers":
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > HEADER_LIMIT:
                        raise BadRequest("multipart headers too long")
                    break
                if end > HEADER_LIMIT:
                    raise BadRequest("multipart headers too long")
                current = _start_part(form, buf[:end], tmp_dir)
                buf, state = buf[end + 4:], "body"
            if state == "body":
                assert current is not None
                part_name, value = current
                at = buf.find(delimiter)
                if at < 0:
                    keep = len(delimiter) - 1
                    if len(buf) > keep:
                        value.data.write(buf[:-keep])
                        guard.grew(value.data.tell())
                        buf = buf[-keep:]
                    break
                value.data.write(buf[:at])
                if value.filename is None:
                    guard.field_done(part_name, value)
                buf, state = buf[at + len(delimiter):], "after-delimiter"
    return form


def _start_part(form: Form, raw_headers: bytes, tmp_dir: Path) -> tuple[str, Value]:
    name, filename, content_type = "", None, None
    for line in raw_headers.split(b"\r\n"):
        key, _, rest = line.partition(b":")
        key = key.strip().lower()
        if key == b"content-disposition":
            for m in _DISPOSITION.finditer(rest):
                k = (m.group(1) or m.group(3)).lower()
                v = m.group(2) if m.group(1) else m.group(4)
                text = v.replace(b'\\"', b'"').decode("utf-8", "replace")
                if k == b"name":
                    name = text
                elif k == b"filename":
                    filename = text
        elif key == b"content-type":
            content_type = rest.strip().decode("latin-1")
    value = Value(_spool(tmp_dir), filename, content_type)
    if filename is not None:
        if filename:  # PHP leaves $_FILES entries of empty file inputs aside
            form.files.append((name, value))
    else:
        form.fields[name] = value
    return name, value
