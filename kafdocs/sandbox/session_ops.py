"""getchallenge, login, logout and extendsession, with vtiger's answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import WSError
from .records import ws_id
from .schema import USERS

if TYPE_CHECKING:
    from .operations import Backend, Call


def _user(be: Backend, name: str | None) -> dict[str, str] | None:
    found = be.store.fetch("SELECT crmid FROM users WHERE user_name = ?", (name or "",))
    return be.store.row(USERS, found[0][0]) if found else None


def getchallenge(be: Backend, call: Call, username: str | None) -> object:
    user = _user(be, username)
    if user is None:
        raise WSError("ACCESS_DENIED", "username does not exists")
    return be.sessions.challenge(int(user["crmid"]))


def login(be: Backend, call: Call, username: str | None, access_key: str | None) -> object:
    user = _user(be, username)
    if user is None:
        raise WSError("INVALID_AUTH_TOKEN", "Specified token is invalid or expired")
    name = be.sessions.login(int(user["crmid"]), user["accesskey"], access_key or "")
    session_key, version_key = (
        ("sessionId", "kafineaVersion") if be.config.flavour == "vendor-doc"
        else ("sessionName", "vtigerVersion")
    )
    return {
        "username": user["user_name"], "first_name": user["first_name"],
        "last_name": user["last_name"], "email": user["email1"],
        "time_zone": user["time_zone"], "hour_format": "24",
        "date_format": user["date_format"], "is_admin": user["is_admin"],
        "call_duration": "5", "other_event_duration": "5",
        session_key: name, "userId": ws_id(USERS, user["crmid"]),
        "version": "0.22", version_key: "8.0.2",
    }


def logout(be: Backend, call: Call, session: str | None) -> object:
    """vtws_logout checks the request method itself, unlike the other operations, and
    ends the session named in the body: one given only in the URL stays alive."""
    if call.method != "POST":
        raise WSError("OPERATION_NOT_SUPPORTED", "Permission to perform the operation is denied")
    if session is None:
        return None
    be.sessions.logout(session)
    return {"message": "successfull"}


def extendsession(be: Backend, call: Call) -> object:
    """Works only with the cookie of a signed-in web page, never for a desktop client."""
    raise WSError("AUTHENTICATION_FAILURE", "Authencation Failed")
