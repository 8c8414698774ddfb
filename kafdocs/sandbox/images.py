"""Which uploaded files vtiger accepts as images, judged by their content.

vtiger sniffs every uploaded file (``mime_content_type``): a file that looks like an
image must then pass ``validateImageFile`` — its declared type and its sniffed type
both a common image format — or it is not stored at all. Random bytes that libmagic
takes for a TGA picture are the classic victim. Products keep images only.
"""

from __future__ import annotations

from pathlib import Path

import magic

IMAGE_FORMATS = frozenset({"jpeg", "png", "jpg", "pjpeg", "x-png", "gif", "bmp"})
SNIFFED_FORMATS = IMAGE_FORMATS | {"x-ms-bmp"}
_SAMPLE = 64 * 1024


def sniffed_type(path: Path) -> str:
    with path.open("rb") as f:
        return str(magic.from_buffer(f.read(_SAMPLE), mime=True))


def looks_like_image(path: Path) -> bool:
    return sniffed_type(path).startswith("image/")


def valid_image(declared: str, path: Path) -> bool:
    """validateImageFile: both types a usual image format, and no PHP code inside."""
    declared_format = declared.partition("/")[2].strip().lower()
    sniffed_format = sniffed_type(path).partition("/")[2]
    if declared_format not in IMAGE_FORMATS or sniffed_format not in SNIFFED_FORMATS:
        return False
    with path.open("rb") as f:
        return b"<?php" not in f.read(_SAMPLE).lower()


def undecodable_jpeg(path: Path) -> bool:
    """A JPEG GD cannot read (no frame header): PHP dies with a fatal error on it."""
    if sniffed_type(path) != "image/jpeg":
        return False
    data = path.read_bytes()
    return not any(marker in data for marker in (b"\xff\xc0", b"\xff\xc1", b"\xff\xc2"))
