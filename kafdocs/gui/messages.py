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

translate = QCoreApplication.translate  # the literal calls below are what lupdate reads


def sign_in_error(error: BaseException) -> str:
    """Why signing in failed, one clear case per kind of failure."""
    if isinstance(error, AuthError):
        return translate(
            "messages",
            "Wrong user name or access key. You find your access key in Kafinea under "
            "My preferences.",
        )
    if isinstance(error, InvalidUrl):
        return translate("messages", "This address cannot be used: %s") % error
    if isinstance(error, CertificateError):
        return translate(
            "messages",
            "The server's security certificate could not be verified. If your company "
            "uses its own certificate authority, ask your administrator.",
        )
    if isinstance(error, RequestTimeout):
        return translate("messages", "The server did not answer in time. Try again in a moment.")
    if isinstance(error, ConnectionFailed):
        return translate(
            "messages", "Cannot reach the server. Check the address and your network connection."
        )
    if isinstance(error, (NotKafinea, UnknownOperation)) or (
        isinstance(error, HttpError) and error.status == 404
    ):
        return translate(
            "messages", "This address does not look like a Kafinea instance. Check the URL."
        )
    if isinstance(error, (ServerFault, HttpError)):
        return translate("messages", "The server had a problem: %s") % error
    return describe(error)


def describe(error: BaseException) -> str:
    if isinstance(error, TooLarge):
        return translate("messages", "File too large for this server: %s") % error
    if isinstance(error, KafdocsError):
        return str(error)
    return translate("messages", "Unexpected error: %s") % error
