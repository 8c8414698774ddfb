"""One exception hierarchy for everything the webservice or the network can do to us.

Every error carries a sentence a user can act on (``hint``) and says whether trying
again later may help (``transient``); ``retry.py`` decides from that what is repeated.
Every error crosses to another process intact (the transfer helper sends them back).
"""

from __future__ import annotations

from typing import Any

from kafdocs.i18n import N_, _, decimal, ngettext


class KafdocsError(Exception):
    """Base of every kafdocs error."""

    transient = False
    retried = False  # set once the client has repeated the request as often as it may
    hint = ""

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} — {_(self.hint)}" if self.hint else text

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its message and attributes, whatever its ``__init__`` expects,
        so every subclass can cross to another process."""
        return _rebuild, (type(self), self.args, dict(self.__dict__))


def _rebuild(cls: type[KafdocsError], args: tuple[Any, ...],
             state: dict[str, Any]) -> KafdocsError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class Cancelled(KafdocsError):
    """The user cancelled the operation."""


class QueryValueError(KafdocsError, ValueError):
    """A value that VTQL cannot express (an empty string, a backslash before a quote)."""


class InvalidUrl(KafdocsError, ValueError):
    """The instance URL cannot be used."""

    hint = N_("Paste the address of your Kafinea instance, "
              "e.g. https://apps.kafinea.com/MyCompany")


class CorruptFile(KafdocsError):
    """A file arrived damaged: invalid base64, or a size that does not match."""


class FileChanged(KafdocsError):
    """A local file changed while it was being sent: what arrived may be torn.

    Transient: once the file stops changing, sending it again gives a whole copy.
    """

    transient = True


# -- answers of the webservice ------------------------------------------------
class ApiError(KafdocsError):
    """The server answered with ``success: false``; ``code`` and ``message`` are its own."""

    def __init__(self, code: str, message: str, operation: str = "") -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message
        self.operation = operation


class AuthError(ApiError):
    """The server refused the user name or the access key (``message`` keeps its words)."""

    def __str__(self) -> str:  # the same words in the window and on the command line
        return _("Wrong user name or access key. You find your access key in Kafinea under "
                 "My preferences.")


class SessionExpired(ApiError):
    """The session is unknown, idle or too old; the client logs in again by itself."""

    transient = True


class AccessDenied(ApiError):
    """Also what vtiger answers for a record that does not exist or was deleted."""

    hint = N_("The record may have been deleted, or your CRM user may not have the right.")


class NotFound(ApiError):
    hint = N_("The file may have been removed from the CRM.")


class InvalidId(ApiError):
    pass


class QuerySyntaxError(ApiError):
    pass


class UnknownOperation(ApiError):
    """The server does not know the operation (stock vtiger has no FileUpload)."""


CODES: dict[str, type[ApiError]] = {
    "INVALID_USER_CREDENTIALS": AuthError,
    "INVALID_AUTH_TOKEN": AuthError,
    "AUTHENTICATION_FAILURE": AuthError,
    "ACCESSKEY_UNDEFINED": AuthError,
    "INVALID_SESSIONID": SessionExpired,
    "SESSION_LEFT_IDLE": SessionExpired,
    "SESSION_EXPIRED": SessionExpired,
    "AUTHENTICATION_REQUIRED": SessionExpired,
    "ACCESS_DENIED": AccessDenied,
    "RECORD_NOT_FOUND": NotFound,
    "INVALID_ID_ATTRIBUTE": InvalidId,
    "QUERY_SYNTAX_ERROR": QuerySyntaxError,
    "UNKNOWN_OPERATION": UnknownOperation,
}


def api_error(code: str, message: str, operation: str = "") -> ApiError:
    return CODES.get(code, ApiError)(code, message, operation)


# -- the network and the server around the webservice ------------------------
class TransportError(KafdocsError):
    """The request did not get a webservice answer."""

    transient = True


class ConnectionFailed(TransportError):
    hint = N_("Check the address and your network connection, then try again.")


class Unreachable(ConnectionFailed):
    """No connection could be made: refused, unknown host, or no answer to connect."""


class CertificateError(TransportError):
    transient = False
    hint = N_("The server's TLS certificate could not be verified. If your company uses its "
              "own certificate authority, give its bundle with --ca-bundle.")


class ProxyAuthRequired(TransportError):
    """A proxy between this computer and the server wants credentials (HTTP 407). Never
    repeated: each try could count as a failed sign-in and lock the proxy account."""

    transient = False
    hint = N_("Ask your administrator how kafdocs may go through the proxy, or put the "
              "proxy's user name and password in the HTTPS_PROXY variable "
              "(http://user:password@proxy:port).")

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("The proxy server between this computer and the CRM "
                                      "asks for a user name and password."))


class NoHttps(TransportError):
    """The server answered the TLS greeting in plain HTTP: no https at that address."""

    transient = False

    def __init__(self, address: str) -> None:
        plain = "http://" + address.split("://", 1)[-1]
        super().__init__(_("The server at {address} does not speak HTTPS (secure connections). "
                           "If it is a plain-HTTP server you trust, use the address {plain} "
                           "— your data then travels unencrypted.").format(address=address,
                                                                          plain=plain))


class RequestTimeout(TransportError):
    hint = N_("The server is slow or unreachable; try again later.")


class HttpError(TransportError):
    """A status other than 200: webservice.php always answers 200, so a proxy spoke."""

    def __init__(self, status: int, excerpt: str) -> None:
        super().__init__(_("HTTP {status} from the server: {excerpt}").format(status=status,
                                                                           excerpt=excerpt))
        self.status, self.excerpt = status, excerpt
        self.transient = status >= 500 or status == 429
        self.hint = (N_("The server or a proxy in front of it failed; try again later.")
                     if self.transient else N_("Check the instance address."))


class Redirected(TransportError):
    """The server answered 3xx. kafdocs never follows a redirect: the login hash, a file
    or the session would go to an address the user never gave."""

    transient = False

    def __init__(self, status: int, location: str, suggestion: str = "") -> None:
        if suggestion:
            text = _("The server answered from another address. The correct address seems "
                     "to be {address}: sign in with that address.").format(address=suggestion)
        else:
            text = _("The server tried to send kafdocs to another address ({address}). "
                     "kafdocs does not go there: check the instance address with your "
                     "administrator.").format(address=location)
        super().__init__(text)
        self.status, self.location, self.suggestion = status, location, suggestion


class NoWebservice(HttpError):
    """HTTP 404: nothing answers at that address; the instance address is wrong."""

    def __init__(self, address: str) -> None:
        super().__init__(404, "")
        self.args = (_("There is no Kafinea webservice at {address} (the server answered "
                       "“page not found”)").format(address=address),)
        self.address = address
        self.hint = N_("Check the instance address: the address of your CRM as your browser "
                       "shows it, e.g. https://apps.kafinea.com/MyCompany")


class ServerFault(TransportError):
    """The body held no webservice answer: an HTML page, a cut-off body, foreign JSON."""

    hint = N_("The server returned something that is not a Kafinea answer; try again later.")


class BadAnswer(ServerFault):
    """The answer holds data kafdocs refuses to use: an id that is not an id, a name
    that would lead outside its folder, a size that is not a number, JSON nested without
    end. Asking again would bring the same answer."""

    transient = False
    hint = N_("The server sent something kafdocs cannot use. If this keeps happening, "
              "tell your Kafinea administrator.")


class NotKafinea(ServerFault):
    transient = False
    hint = N_("This address does not look like a Kafinea instance; check the URL.")


def size_words(size: int) -> str:
    """A size in the unit that keeps its digits: a limit of 300 KB is no "0.3 MiB", let
    alone the "0.0 MiB" that a few hundred bytes would round to."""
    if size >= 1 << 20:
        return _("{size} MiB").format(size=decimal(size / (1 << 20)))
    if size >= 1 << 10:
        return _("{size} KiB").format(size=decimal(size / (1 << 10)))
    return ngettext("{count} byte", "{count} bytes", size).format(count=size)


class TooLarge(TransportError):
    """PHP's post_max_size dropped the request's fields."""

    transient = False

    def __init__(self, size: int, limit: int | None = None) -> None:
        shown = _(" (limit {limit})").format(limit=size_words(limit)) if limit else ""
        super().__init__(_("File too large for this server: the request was {size}")
                         .format(size=size_words(size)) + shown)
        self.size = size
        self.limit = limit
        self.hint = N_("Ask your Kafinea administrator to raise the upload limit "
                       "(post_max_size).")
