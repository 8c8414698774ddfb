"""Turning a local file into something to look at: a PDF page, a picture, text, a table.

Everything here runs on a background thread (TaskRunner) and returns plain data or a
QImage — never a widget or a QPixmap, which belong to the GUI thread. PDF pages come
from PDFium (pypdfium2: small, no Qt add-on needed); PDFium is not thread-safe, so its
calls are serialised by one lock. Pictures are decoded straight at the size shown
(JPEG scales while decoding: a 20-megapixel photo costs a fraction of a full decode),
turned as their EXIF orientation says.
"""

from __future__ import annotations

import codecs
import csv
import io
import threading
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeDatabase, QSize, Qt
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader

from kafdocs.i18n import _

TEXT_LIMIT = 64 * 1024  # the start of a text file shown: enough to recognise it
TABLE_ROWS = 500  # rows of a CSV file shown
MAX_PIXELS = 40_000_000  # a picture larger than this is not decoded whole (a decompression bomb)
_pdfium_lock = threading.Lock()
_mime_db = QMimeDatabase()


class Kind(Enum):
    PDF = "pdf"
    IMAGE = "image"
    TEXT = "text"
    TABLE = "table"
    OTHER = "other"


class CannotShow(Exception):
    """The file is not what its type says, or is damaged: the message says so, in the
    user's words (never PDFium's or the image reader's)."""


def kind_of(file_name: str, mime: str) -> Kind:
    """What a document's file can be shown as, from its name and the type the CRM gives
    (which may be wrong or generic: the name's extension is asked too)."""
    types = [_mime_db.mimeTypeForFile(file_name, QMimeDatabase.MatchMode.MatchExtension)]
    if mime:
        types.append(_mime_db.mimeTypeForName(mime.lower()))
    types = [t for t in types if t.isValid() and not t.isDefault()]
    names = {t.name() for t in types}
    if "application/pdf" in names:
        return Kind.PDF
    if names & readable_image_types():
        return Kind.IMAGE
    if any(t.inherits("text/csv") or t.inherits("text/tab-separated-values") for t in types):
        return Kind.TABLE
    if any(t.inherits("text/plain") for t in types):
        return Kind.TEXT
    return Kind.OTHER


_image_types: set[str] = set()


def readable_image_types() -> set[str]:
    if not _image_types:
        _image_types.update(bytes(m.data()).decode() for m in QImageReader.supportedMimeTypes())
        _image_types.discard("application/pdf")
    return _image_types


def warm_up() -> None:
    """Load, on a background thread, what the first preview would otherwise load on the
    GUI thread (image plugins, the MIME database) or slowly on its own (PDFium)."""
    readable_image_types()
    kind_of("x.pdf", "application/pdf")
    import pypdfium2  # noqa: F401


# -- PDF -------------------------------------------------------------------------
@dataclass(frozen=True)
class PdfPage:
    image: QImage
    number: int  # from 0
    count: int


def render_pdf_page(path: Path, number: int, width: int) -> PdfPage:
    """Page ``number`` of a PDF, ``width`` pixels wide (at most: very wide pages keep
    a readable height)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            locked = getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD
            raise CannotShow(_("the PDF is protected by a password") if locked else
                             _("the file is damaged or is not really a PDF")) from exc
        try:
            count = len(document)
            if count == 0:
                raise CannotShow(_("the PDF has no pages"))
            number = max(0, min(number, count - 1))
            page = document[number]
            try:
                scale = max(0.05, min(width / max(page.get_width(), 1.0), 8.0))
                bitmap = page.render(scale=scale, force_bitmap_format=pdfium_c.FPDFBitmap_BGRx,
                                     rev_byteorder=True)
                try:
                    image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                                   QImage.Format.Format_RGBX8888).copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    return PdfPage(image, number, count)


# -- pictures --------------------------------------------------------------------
def render_image(path: Path, box: QSize) -> QImage:
    """The picture scaled to fit ``box`` (never enlarged), turned upright."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()  # as stored, before the EXIF turn
    if size.isValid():
        if size.width() * size.height() > MAX_PIXELS * 4:
            raise CannotShow(_("the picture is too large to show ({width} × {height} "
                               "pixels)").format(width=size.width(), height=size.height()))
        rotate90 = QImageIOHandler.Transformation.TransformationRotate90
        turned = bool(reader.transformation() & rotate90)
        fit = box.transposed() if turned else box
        if size.width() > fit.width() or size.height() > fit.height():
            reader.setScaledSize(size.scaled(fit, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise CannotShow(_("the picture is damaged, or of a kind this computer cannot show"))
    return image


# -- text and tables -----------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    text: str
    truncated: bool  # only the start of the file is shown
    encoding: str


def read_text(path: Path, limit: int = TEXT_LIMIT) -> Text:
    """The start of a text file, in the encoding it was most likely written in."""
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    truncated = len(data) > limit
    data = data[:limit]
    encoding = _encoding(data)
    return Text(data.decode(encoding, errors="replace").replace("\x00", ""), truncated, encoding)


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _encoding(data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(data) - 3:  # not just a character cut at the limit
            return _detected(data)
    return "utf-8"


def _detected(data: bytes) -> str:
    """The encoding of text that is not UTF-8. The detector often hesitates between
    Latin-script code pages on short texts (and picks a Baltic one for French); among
    those, Windows' Western one — what office software writes here — wins when it reads
    the bytes cleanly. Other scripts (Cyrillic, Greek, Asian...) keep the detector's."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = best.encoding if best is not None else "cp1252"
    if b"\x00" in data:  # two or four bytes a character: no code page
        return guess
    wide = guess.startswith(("utf_16", "utf_32"))  # without a single zero byte: not credible
    if guess != "cp1252" and (wide or _latin_script(data.decode(guess, errors="replace"))):
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            return guess
        return "cp1252"
    return guess


def _latin_script(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text if c.isalpha())


@dataclass(frozen=True)
class Table:
    rows: list[list[str]]
    truncated: bool
    encoding: str


def read_table(path: Path, limit: int = TEXT_LIMIT) -> Table:
    """The first rows of a CSV file, its delimiter guessed (``;`` in France, ``,``...)."""
    text = read_text(path, limit)
    body = text.text
    if text.truncated and "\n" in body:
        body = body[:body.rindex("\n")]  # no half row
    try:
        dialect: Any = csv.Sniffer().sniff(body[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    for n, row in enumerate(csv.reader(io.StringIO(body), dialect)):
        if n >= TABLE_ROWS:
            return Table(rows, True, text.encoding)
        rows.append(row)
    return Table(rows, text.truncated, text.encoding)
