"""Challenge tokens and webservice sessions, with vtiger's lifetimes and error codes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import errors
from .errors import WSError

TOKEN_LIFETIME = 300


@dataclass
class Session:
    user_id: int
    started: float
    last_used: float


class Sessions:
    """``clock`` measures session age and idleness; tests pass one they can advance."""

    def __init__(self, idle_timeout: float = 1800, life_span: float = 86400,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_timeout = idle_timeout
        self.life_span = life_span
        self.clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[int, tuple[str, float]] = {}
        self._sessions: dict[str, Session] = {}

    def challenge(self, user_id: int) -> dict[str, object]:
        """A new token replaces the user's previous one, as on stock vtiger."""
        token = secrets.token_hex(7)[:13]
        now = int(time.time())
        with self._lock:
            self._tokens[user_id] = (token, now + TOKEN_LIFETIME)
        return {"token": token, "serverTime": now, "expireTime": now + TOKEN_LIFETIME}

    def login(self, user_id: int, access_key: str, given: str) -> str:
        with self._lock:
            token, expires = self._tokens.get(user_id, ("", 0.0))
        if not token or expires < time.time():
            raise WSError("INVALID_AUTH_TOKEN", "Specified token is invalid or expired")
        expected = hashlib.md5((token + access_key).encode()).hexdigest()
        if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
            raise WSError("INVALID_USER_CREDENTIALS", "Invalid username or password")
        name = secrets.token_hex(11)[:21]
        now = self.clock()
        with self._lock:
            self._sessions[name] = Session(user_id, now, now)
        return name

    def check(self, name: str) -> int:
        """The user of a live session; touching it keeps it from going idle."""
        now = self.clock()
        with self._lock:
            session = self._sessions.get(name)
            if session is None:
                raise WSError(*errors.INVALID_SESSION)
            if now - session.started > self.life_span:
                del self._sessions[name]
                raise WSError(*errors.SESSION_EXPIRED)
            if now - session.last_used > self.idle_timeout:
                del self._sessions[name]
                raise WSError(*errors.SESSION_IDLE)
            session.last_used = now
            return session.user_id

    def logout(self, name: str) -> None:
        with self._lock:
            if self._sessions.pop(name, None) is None:
                raise WSError(*errors.INVALID_SESSION)
