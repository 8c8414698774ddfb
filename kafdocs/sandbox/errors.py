"""Webservice errors as the vtiger family spells them (typos included)."""

from __future__ import annotations


class WSError(Exception):
    """An error answered inside the JSON envelope, with HTTP status 200."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class FatalError(Exception):
    """A PHP fatal error: an HTML page with status 200 and no JSON at all.

    The text is what PHP prints after "Fatal error:", e.g. ``Uncaught TypeError: …``.
    """


UNKNOWN_OPERATION = "Uncaught WebServiceException: Unknown operation requested"


def access_denied(detail: str = "") -> WSError:
    message = "Permission to perform the operation is denied"
    return WSError("ACCESS_DENIED", f"{message} for {detail}" if detail else message)


def invalid_id() -> WSError:
    return WSError("INVALID_ID_ATTRIBUTE", "Id specified is incorrect")


def internal_error() -> WSError:
    return WSError("INTERNAL_SERVER_ERROR", "Unknown Error while processing request")


AUTH_REQUIRED = ("AUTHENTICATION_REQUIRED", "Authencation required")
INVALID_SESSION = ("INVALID_SESSIONID", "Session Identifier provided is Invalid")
SESSION_IDLE = ("SESSION_LEFT_IDLE", "Session has been invalidated to due lack activity")
SESSION_EXPIRED = ("SESSION_EXPIRED", "Session has life span over please login again")


def database_error() -> WSError:
    """vtiger's answer when the SQL it built from a query or record fails in MySQL."""
    return WSError("DATABASE_QUERY_ERROR", "Database error while performing requested operation")
