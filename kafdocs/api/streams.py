"""Files in and out of JSON and multipart bodies, chunk by chunk, in bounded memory.

Upload: a multipart body whose file part is base64-encoded (or raw) as it is sent,
with its exact length known in advance. Download: a scanner that walks the
``files_retrieve`` envelope and decodes each ``filecontents`` string into a sink as
it arrives, keeping only the small rest of the JSON.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from kafdocs.i18n import _

from .errors import BadAnswer, Cancelled, CorruptFile, FileChanged

try:
    import pybase64 as _b64

    b64encode: Callable[[bytes], bytes] = _b64.b64encode
    def _b64decode_strict(data: bytes | memoryview) -> bytes:
        return _b64.b64decode(data, validate=True)
except ImportError:  # pragma: no cover - the stdlib is the fallback
    import base64 as _std

    b64encode = _std.b64encode
    _b64decode_strict = lambda data: _std.b64decode(data, validate=True)  # noqa: E731

READ_CHUNK = 3 * (1 << 18)  # 768 KiB of file → 1 MiB of base64; a multiple of 3
MAX_KEPT = 1 << 20  # JSON of a files_retrieve answer besides the files' contents
MAX_PREFIX = 8 << 20  # what PHP may print before the JSON (warnings: about 600 KB seen)
MAX_PENDING = 4096  # bytes held back to decide what follows a key
Progress = Callable[[int], None]
CancelCheck = Callable[[], bool]


def b64_length(size: int) -> int:
    return (size + 2) // 3 * 4


class MultipartFileBody:
    """A multipart/form-data body streamed from disk, with a known Content-Length.

    It is an iterable with ``__len__``: requests then sends a Content-Length header
    and writes the chunks as they come, without reading the file into memory. Each
    iteration starts from the beginning of the file, so a retried request is whole.
    """

    def __init__(
        self,
        fields: dict[str, str],
        file_field: str,
        path: Path,
        *,
        file_name: str,
        content_type: str = "application/octet-stream",
        base64: bool,
        progress: Progress | None = None,
        cancelled: CancelCheck | None = None,
    ) -> None:
        self.path = Path(path)
        self.size = os.stat(self.path).st_size
        self.base64 = base64
        self.progress = progress
        self.cancelled = cancelled
        self.boundary = "kafdocs" + secrets.token_hex(12)
        head = b"".join(self._part_header(k) + v.encode() + b"\r\n" for k, v in fields.items())
        safe_name = file_name.replace('"', "%22").replace("\r", "").replace("\n", "")
        if base64:
            head += self._part_header(file_field)
        else:
            head += (
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
                f'filename="{safe_name}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
        self.head = head
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()

    def _part_header(self, name: str) -> bytes:
        return (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        ).encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        encoded = b64_length(self.size) if self.base64 else self.size
        return len(self.head) + encoded + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        sent = 0
        with open(self.path, "rb") as f:
            while sent < self.size:
                if self.cancelled and self.cancelled():
                    raise Cancelled(_("Upload cancelled"))
                block = f.read(min(READ_CHUNK, self.size - sent))
                if not block:
                    raise FileChanged(
                        _("{name} shrank while it was being sent").format(name=self.path.name)
                    )
                sent += len(block)
                yield b64encode(block) if self.base64 else block
                if self.progress:
                    self.progress(sent)
        yield self.tail


class Base64Sink:
    """Decodes a JSON-escaped base64 string, fed in pieces, into a binary file.

    Speed matters here (the decode must keep up with the wire): the only escape base64
    can carry is ``\\/``, so backslashes are deleted in one C-level pass and the rest is
    decoded strictly. Anything else that slips through breaks the 4-byte grouping or
    the size check, and the file fails as corrupt.
    """

    def __init__(self, out: BinaryIO, limit: int | None = None) -> None:
        self.out = out
        self.limit = limit  # the size the server announced: not one byte more is written
        self.carry = b""
        self.pending_escape = False
        self.padded = False  # a padded group was decoded: nothing may follow
        self.written = 0

    def feed(self, raw: bytes) -> None:
        if self.pending_escape:
            if not raw.startswith(b"/"):
                raise CorruptFile(_("The file's contents are not valid base64 (unexpected escape)"))
            self.pending_escape = False
        if raw.endswith(b"\\") and (len(raw) - len(raw.rstrip(b"\\"))) % 2:
            raw, self.pending_escape = raw[:-1], True
        if b"\\" in raw:
            raw = raw.replace(b"\\", b"")
        if self.carry:
            raw = self.carry + raw
        whole = len(raw) - len(raw) % 4
        padding = raw.find(b"=")
        if (0 <= padding < whole - 4) or (self.padded and raw):
            # padding is only legal in the last group of the whole string
            raise CorruptFile(_("The file's contents are not valid base64 (padding inside)"))
        if whole:
            self._decode(memoryview(raw)[:whole] if whole != len(raw) else raw)
            self.padded = raw[whole - 1 : whole] == b"="
        self.carry = raw[whole:]

    def close(self) -> None:
        if self.carry or self.pending_escape:
            raise CorruptFile(_("The file's contents are not valid base64 (truncated group)"))

    def _decode(self, data: bytes | memoryview) -> None:
        try:
            decoded = _b64decode_strict(data)
        except ValueError as exc:
            raise CorruptFile(
                _("The file's contents are not valid base64 ({exc})").format(exc=exc)
            ) from None
        if self.limit is not None and self.written + len(decoded) > self.limit:
            raise CorruptFile(_("The server sent more than the {size} bytes it announced for "
                                "this file; the download was stopped").format(size=self.limit))
        self.out.write(decoded)
        self.written += len(decoded)


_AFTER_KEY = re.compile(rb'\s*:\s*"')
_FILESIZE = re.compile(rb'"filesize"\s*:\s*"?([0-9]{1,18})\b')
_STRING_STOP = re.compile(rb'["\\]')
FILE_KEY = b"filecontents"


class FilesRetrieveScanner:
    """Walks a files_retrieve answer as it arrives.

    Each ``filecontents`` value is decoded into ``open_sink(index)`` and replaced in
    the kept JSON by ``"#index"``; everything else (the envelope, the metadata, an
    error) is kept and parsed at the end. Text before the envelope (PHP warnings) is
    skipped; the answer ends at the brace that closes the envelope.

    Nothing a server sends grows memory or disk without bound: the kept JSON and the
    text before it are capped, and a file stops at the size announced for it (by the
    caller, ``max_bytes``, or by the ``filesize`` that precedes it in the answer).
    """

    def __init__(
        self, open_sink: Callable[[int], BinaryIO], progress: Progress | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self.open_sink = open_sink
        self.progress = progress
        self.max_bytes = max_bytes
        self.seen = 0  # bytes fed so far, to bound the search for the envelope
        self.prefix = bytearray()  # what came before the envelope, for error messages
        self.kept = bytearray()
        self.state = "seek"
        self.depth = 0
        self.string_start = 0
        self.pending = b""  # bytes held back at a chunk boundary
        self.sinks: list[Base64Sink] = []
        self.decoded = 0

    @property
    def done(self) -> bool:
        return self.state == "done"

    def feed(self, chunk: bytes) -> None:
        self.seen += len(chunk)
        if self.state == "seek" and self.seen > MAX_PREFIX:
            raise BadAnswer(_("The server sent more than {limit} MB without a webservice "
                              "answer").format(limit=MAX_PREFIX // 1_000_000))
        if len(self.kept) > MAX_KEPT:
            raise BadAnswer(_("The server's answer holds more than {limit} MB besides the "
                              "files").format(limit=MAX_KEPT // 1_000_000))
        data = self.pending + chunk
        self.pending = b""
        pos = 0
        while pos < len(data) and self.state != "done":
            pos = getattr(self, "_" + self.state.replace("-", "_"))(data, pos)

    # Each state handler consumes from data[pos:] and returns the new position.
    def _seek(self, data: bytes, pos: int) -> int:
        m = re.search(rb'\{\s*"success"', data[pos:])
        if m is None:
            keep = 32
            self._remember_prefix(data[pos : len(data) - keep] if len(data) - pos > keep else b"")
            self.pending = data[max(pos, len(data) - keep) :]
            return len(data)
        self._remember_prefix(data[pos : pos + m.start()])
        self.state = "structure"
        return pos + m.start()

    def _remember_prefix(self, data: bytes) -> None:
        if len(self.prefix) < 65536:
            self.prefix += data[: 65536 - len(self.prefix)]

    def _structure(self, data: bytes, pos: int) -> int:
        quote = data.find(b'"', pos)
        segment = data[pos:] if quote < 0 else data[pos:quote]
        for i, byte in enumerate(segment):
            if byte in b"{[":
                self.depth += 1
            elif byte in b"}]":
                self.depth -= 1
                if self.depth == 0:
                    self.kept += segment[: i + 1]
                    self.state = "done"
                    return len(data)
        self.kept += segment
        if quote < 0:
            return len(data)
        self.kept += b'"'
        self.string_start = len(self.kept)
        self.state = "string"
        return quote + 1

    def _string(self, data: bytes, pos: int) -> int:
        m = _STRING_STOP.search(data, pos)
        if m is None:
            self.kept += data[pos:]
            return len(data)
        at = m.start()
        if data[at : at + 1] == b"\\":
            if at + 1 >= len(data):
                self.kept += data[pos:at]
                self.pending = b"\\"
                return len(data)
            self.kept += data[pos : at + 2]
            return at + 2
        self.kept += data[pos : at + 1]
        if bytes(self.kept[self.string_start : -1]) == FILE_KEY:
            self.state = "after-key"
        else:
            self.state = "structure"
        return at + 1

    def _after_key(self, data: bytes, pos: int) -> int:
        rest = data[pos:]
        m = _AFTER_KEY.match(rest)
        if m is None:
            if len(rest) < MAX_PENDING and re.fullmatch(rb"\s*:?\s*", rest):
                self.pending = rest  # wait for more bytes to decide
                return len(data)
            self.state = "structure"  # filecontents with a non-string value: keep as is
            return pos
        index = len(self.sinks)
        self.sinks.append(Base64Sink(self.open_sink(index), self._limit()))
        self.kept += b':"#%d"' % index
        self.state = "contents"
        return pos + m.end()

    def _contents(self, data: bytes, pos: int) -> int:
        sink = self.sinks[-1]
        end = data.find(b'"', pos)
        before = sink.written
        sink.feed(data[pos:] if end < 0 else data[pos:end])
        self.decoded += sink.written - before
        if self.progress:
            self.progress(self.decoded)
        if end < 0:
            return len(data)
        sink.close()
        self.state = "structure"
        return end + 1

    def _limit(self) -> int | None:
        """The smaller of the caller's limit and the ``filesize`` this file's object
        announced before its contents (vtiger writes it there)."""
        start = self.kept.rfind(b"{")
        found = _FILESIZE.findall(self.kept, max(start, 0))
        announced = int(found[-1]) if found else None
        limits = [n for n in (self.max_bytes, announced) if n is not None]
        return min(limits) if limits else None

    def result(self) -> Any:
        """The kept JSON, parsed; raises when the answer ended early or is not JSON."""
        if self.state != "done":
            raise EOFError(self.state)
        operation = "files_retrieve"
        try:
            return json.loads(bytes(self.kept))
        except UnicodeDecodeError:
            raise BadAnswer(_("The server's answer to {operation} is not valid text (UTF-8)")
                            .format(operation=operation)) from None
        except RecursionError:
            raise BadAnswer(_("The server's answer to {operation} is nested too deeply to be "
                              "read").format(operation=operation)) from None
        except ValueError as exc:
            raise BadAnswer(_("The server's answer to {operation} was cut off or damaged "
                              "({name})").format(operation=operation,
                                                 name=exc.__class__.__name__)) from None
