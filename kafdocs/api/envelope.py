"""Finding the JSON envelope in a webservice body, whatever PHP printed around it."""

from __future__ import annotations

import html
import json
import re
from typing import Any, NoReturn

from kafdocs.i18n import _

from .errors import BadAnswer, NotKafinea, ServerFault, TooLarge, UnknownOperation, api_error

ENVELOPE_START = re.compile(rb'\{\s*"success"\s*:')
POST_TOO_LARGE = re.compile(rb"POST Content-Length of (\d+) bytes exceeds the limit of (\d+)")
_TAGS = re.compile(r"<[^>]+>")
_decoder = json.JSONDecoder()


def excerpt(body: bytes, limit: int = 160) -> str:
    """A short, readable piece of a body for an error message."""
    text = html.unescape(_TAGS.sub(" ", body[:4096].decode("utf-8", "replace")))
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "") or "(empty body)"


def check_prefix(prefix: bytes) -> None:
    """Raise for what PHP printed before the JSON that matters more than the JSON."""
    m = POST_TOO_LARGE.search(prefix)
    if m:
        raise TooLarge(int(m.group(1)), int(m.group(2)))


def parse_body(body: bytes, operation: str) -> Any:
    """The ``result`` of a successful answer; raises the matching error otherwise."""
    m = ENVELOPE_START.search(body)
    if m is None:
        raise_no_envelope(body, operation)
    check_prefix(body[: m.start()])
    try:
        envelope, _end = _decoder.raw_decode(body[m.start() :].decode("utf-8"))
    except UnicodeDecodeError:
        raise BadAnswer(_("The server's answer to {operation} is not valid text (UTF-8)")
                        .format(operation=operation)) from None
    except RecursionError:
        raise BadAnswer(_("The server's answer to {operation} is nested too deeply to be "
                          "read").format(operation=operation)) from None
    except ValueError as exc:
        raise ServerFault(
            _("The server's answer to {operation} was cut off or damaged ({name})").format(
                operation=operation, name=exc.__class__.__name__
            )
        ) from None
    return unwrap(envelope, operation)


def unwrap(envelope: Any, operation: str) -> Any:
    if not isinstance(envelope, dict) or not isinstance(envelope.get("success"), bool):
        raise ServerFault(
            _("The answer to {operation} is JSON but not a webservice answer").format(
                operation=operation
            )
        )
    if envelope["success"]:
        if "result" not in envelope:
            raise ServerFault(
                _("The answer to {operation} has no result").format(operation=operation)
            )
        return envelope["result"]
    error = envelope.get("error")
    if not isinstance(error, dict):
        raise ServerFault(
            _("The server reported a failure of {operation} without details").format(
                operation=operation
            )
        )
    raise api_error(str(error.get("code", "UNKNOWN")), str(error.get("message", "")), operation)


def raise_no_envelope(body: bytes, operation: str) -> NoReturn:
    check_prefix(body)
    if b"Unknown operation" in body or b"unknown operation" in body:
        raise UnknownOperation(
            "UNKNOWN_OPERATION",
            _("The server does not know the operation {operation}").format(operation=operation),
            operation,
        )
    stripped = body.lstrip()
    if not stripped:
        raise ServerFault(
            _("The server sent an empty answer to {operation}").format(operation=operation)
        )
    if stripped[:1] in (b"{", b"["):
        raise ServerFault(
            _(
                "The answer to {operation} was cut off or is not a webservice answer: {excerpt}"
            ).format(operation=operation, excerpt=excerpt(body))
        )
    if b"<html" in body[:2048].lower() and b"Fatal error" not in body:
        raise NotKafinea(
            _("A web page came back instead of a webservice answer: {excerpt}").format(
                excerpt=excerpt(body)
            )
        )
    raise ServerFault(
        _("The server failed on {operation}: {excerpt}").format(
            operation=operation, excerpt=excerpt(body)
        )
    )
