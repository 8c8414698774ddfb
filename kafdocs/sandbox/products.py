"""Product images, as stock vtiger takes them: multipart parts named ``imagename[]``.

Each image part adds a picture (never replaces); parts that are not images are
dropped without a word. A single part named ``imagename`` (no brackets) makes PHP die
with a fatal error after the product was saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import files
from .errors import FatalError
from .schema import PRODUCTS

if TYPE_CHECKING:
    from .operations import Backend, Call

IMAGE_PARTS = (f"{PRODUCTS.image_field}[]",)


def add_images(be: Backend, call: Call, crmid: int) -> None:
    if call.form.file(PRODUCTS.image_field) is not None:
        raise FatalError("Uncaught TypeError: count(): Argument #1 ($value) must be of type "
                         "Countable|array, string given")
    files.store_parts(be, call, crmid, PRODUCTS, replace=False, names=IMAGE_PARTS)
