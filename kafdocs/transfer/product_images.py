"""Pictures of a Product: sent one by one, each checked to have been kept.

The server adds a picture beside the product's others and drops, without a word, a
file it does not take for a picture (stock vtiger keeps JPEG, PNG, GIF and BMP whose
content matches). So a file that is plainly no picture is refused before sending, and
after each sending the product's ``imageattachmentids`` must hold one more id. The
pictures of one product are sent one after the other, so that the new id is this
file's and not a neighbour's — which also tells, when the answer to a sending is lost,
whether the picture arrived all the same (it is then not sent again: pictures are
added, never replaced, and the webservice cannot remove one).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from kafdocs.api import Client, KafdocsError
from kafdocs.api.retry import Failure, classify
from kafdocs.i18n import _

from .crmrecords import image_ids
from .engine import Job, JobContext
from .localfile import check_unchanged, check_uploadable
from .mime import detect_mime

PICTURE_TYPES = frozenset({"image/jpeg", "image/pjpeg", "image/png", "image/x-png",
                           "image/gif", "image/bmp", "image/x-ms-bmp"})

_product_locks: dict[str, threading.Lock] = {}
_product_locks_guard = threading.Lock()


def _product_lock(product_id: str) -> threading.Lock:
    with _product_locks_guard:
        return _product_locks.setdefault(product_id, threading.Lock())


@dataclass(frozen=True)
class ImageRequest:
    """Add this file to the pictures of that product."""

    path: Path
    product_id: str

    @property
    def name(self) -> str:
        return self.path.name


class NotKept(KafdocsError):
    """The file is not a picture the CRM keeps for a product."""


def not_kept(name: str) -> NotKept:
    return NotKept(_("{name} was not added to the product's pictures: the CRM keeps only "
                     "JPEG, PNG, GIF and BMP pictures").format(name=name))


def add_image(client: Client, request: ImageRequest, ctx: JobContext) -> str:
    """Send one picture; returns its new file id (``files_retrieve`` serves it)."""
    path = request.path
    source = check_uploadable(path)
    mime = detect_mime(path)
    if mime not in PICTURE_TYPES:
        raise not_kept(path.name)
    ctx.set_total(source.st_size)
    with _product_lock(request.product_id):
        before = set(image_ids(client.retrieve(request.product_id)))
        ctx.check()
        lost: KafdocsError | None = None
        try:
            client.add_product_image(request.product_id, path, content_type=mime,
                                     progress=ctx.progress, cancelled=ctx.cancelled)
        except KafdocsError as exc:
            if classify(exc) is not Failure.LOST:
                raise
            lost = exc  # the answer, perhaps not the picture: a repeat would add it twice
        check_unchanged(path, source)
        new = [i for i in image_ids(client.retrieve(request.product_id)) if i not in before]
    if lost is not None and not new:
        raise lost
    if not new:
        raise not_kept(path.name)
    return new[-1]


def image_job(client: Client, request: ImageRequest) -> Job:
    def run(ctx: JobContext) -> str:
        image_id = add_image(client, request, ctx)
        ctx.meta["image_id"] = image_id
        return _("added to the product's pictures ({id})").format(id=image_id)

    return Job(label=request.name, run=run, kind="upload",
               meta={"path": str(request.path), "product_id": request.product_id})
