"""Instance URLs as users paste them, turned into the webservice endpoint."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

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
    if "@" in parts.netloc:  # never shown: what precedes the @ may be a password
        raise InvalidUrl(_("The address holds a user name or password ({address}). Remove "
                           "them: kafdocs signs in with your CRM user name and access key.")
                         .format(address=parts.netloc.rpartition("@")[2]))
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


def redirect_target(endpoint: str, location: str) -> tuple[str, str]:
    """Where a 3xx answer pointed, shown without query or credentials, and the instance
    address to suggest when it is the same server (same origin, or http → https)."""
    target = urlsplit(urljoin(endpoint, location))
    host = target.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if target.port:
        netloc += f":{target.port}"
    shown = urlunsplit((target.scheme, netloc, target.path, "", ""))
    origin = urlsplit(endpoint)
    same_origin = (target.scheme, target.hostname, target.port) == (
        origin.scheme, origin.hostname, origin.port)
    upgrade = (origin.scheme, target.scheme) == ("http", "https") \
        and target.hostname == origin.hostname and target.port in (None, 443, origin.port)
    if not (same_origin or upgrade):
        return shown, ""
    try:
        return shown, instance_url(endpoint_url(shown))
    except InvalidUrl:
        return shown, ""
