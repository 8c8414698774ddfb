"""Errors in sentences an office user can act on."""

from __future__ import annotations

from kafdocs.api import (
    AuthError,
    CertificateError,
    ConnectionFailed,
    HttpError,
    InvalidUrl,
    KafdocsError,
    NoHttps,
    NotKafinea,
    NoWebservice,
    ProxyAuthRequired,
    Redirected,
    RequestTimeout,
    ServerFault,
    TooLarge,
    UnknownOperation,
)
from kafdocs.i18n import _


def sign_in_error(error: BaseException) -> str:
    """Why signing in failed, one clear case per kind of failure."""
    if isinstance(error, (AuthError, NoHttps, NoWebservice, CertificateError, Redirected,
                          ProxyAuthRequired)):
        return str(error)  # their own words say what to do, as on the command line
    if isinstance(error, InvalidUrl):
        return _("This address cannot be used: {error}").format(error=error)
    if isinstance(error, RequestTimeout):
        return _("The server did not answer in time. Try again in a moment.")
    if isinstance(error, ConnectionFailed):
        return _("Cannot reach the server. Check the address and your network connection.")
    if isinstance(error, (NotKafinea, UnknownOperation)):
        return _("This address does not look like a Kafinea instance. Check the URL.")
    if isinstance(error, (ServerFault, HttpError)):
        return _("The server had a problem: {error}").format(error=error)
    return describe(error)


def describe(error: BaseException) -> str:
    if isinstance(error, TooLarge):
        return _("File too large for this server: {error}").format(error=error)
    if isinstance(error, KafdocsError):
        return str(error)
    return _("Unexpected error: {error}").format(error=error)
