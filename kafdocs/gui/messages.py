"""Errors in sentences an office user can act on."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from kafdocs.api import (
    AuthError,
    CertificateError,
    ConnectionFailed,
    HttpError,
    InvalidUrl,
    KafdocsError,
    NotKafinea,
    RequestTimeout,
    ServerFault,
    TooLarge,
    UnknownOperation,
)


def tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


def sign_in_error(error: BaseException) -> str:
    """Why signing in failed, one clear case per kind of failure."""
    if isinstance(error, AuthError):
        return tr("Wrong user name or access key. You find your access key in Kafinea under "
                  "My preferences.")
    if isinstance(error, InvalidUrl):
        return tr("This address cannot be used: %s") % error
    if isinstance(error, CertificateError):
        return tr("The server's security certificate could not be verified. If your company "
                  "uses its own certificate authority, ask your administrator.")
    if isinstance(error, RequestTimeout):
        return tr("The server did not answer in time. Try again in a moment.")
    if isinstance(error, ConnectionFailed):
        return tr("Cannot reach the server. Check the address and your network connection.")
    if isinstance(error, (NotKafinea, UnknownOperation)) or (
            isinstance(error, HttpError) and error.status == 404):
        return tr("This address does not look like a Kafinea instance. Check the URL.")
    if isinstance(error, (ServerFault, HttpError)):
        return tr("The server had a problem: %s") % error
    return describe(error)


def describe(error: BaseException) -> str:
    if isinstance(error, TooLarge):
        return tr("File too large for this server: %s") % error
    if isinstance(error, KafdocsError):
        return str(error)
    return tr("Unexpected error: %s") % error
