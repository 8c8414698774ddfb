"""Instance URLs as users paste them, turned into the webservice endpoint."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from kafdocs.i18n import _

from .errors import InvalidUrl

_TRAILING = re.compile(r"/(webservice\.php|index\.php)?$", re.IGNORECASE)


def endpoint_url(text: str) -> str:
    """``apps.kafinea.com/Acme/`` → ``https://apps.kafinea.com/Acme/webservice.php``."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidUrl(_("No instance address given"))
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidUrl(_("Unsupported address scheme {scheme!r}").format(scheme=parts.scheme))
    if not parts.hostname or " " in parts.netloc:
        raise InvalidUrl(_("Not a valid address: {address!r}").format(address=text))
    path = parts.path.strip()
    while True:
        trimmed = _TRAILING.sub("", path)
        if trimmed == path:
            break
        path = trimmed
    path = path.replace(" ", "%20")
    return urlunsplit((parts.scheme.lower(), parts.netloc, path + "/webservice.php", "", ""))


def instance_url(endpoint: str) -> str:
    """The address to show a user: the endpoint without ``webservice.php``."""
    return endpoint[: -len("webservice.php")]


def is_insecure(endpoint: str) -> bool:
    """True for plain http to another machine: the access key hash and data travel in clear."""
    parts = urlsplit(endpoint)
    return parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1")
