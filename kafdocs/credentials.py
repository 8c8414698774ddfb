"""Access keys in the OS keyring, never in a settings file; connection options resolved.

Order of precedence: command-line option, environment variable, keyring, prompt.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from kafdocs.api import endpoint_url

log = logging.getLogger(__name__)
SERVICE = "kafdocs"
ENV_URL, ENV_USER, ENV_KEY = "KAFDOCS_URL", "KAFDOCS_USER", "KAFDOCS_ACCESS_KEY"


@dataclass(frozen=True)
class Connection:
    url: str
    user: str
    access_key: str

    def __repr__(self) -> str:  # never print the key
        return f"Connection(url={self.url!r}, user={self.user!r})"


def keyring_account(url: str, user: str) -> str:
    return f"{user}@{endpoint_url(url)}"


def load_key(url: str, user: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(SERVICE, keyring_account(url, user))
    except Exception as exc:  # no backend, locked keyring, D-Bus missing...
        log.info("keyring unavailable: %s", exc.__class__.__name__)
        return None


def save_key(url: str, user: str, key: str) -> bool:
    """Store the key; False when no secure keyring exists (then it is asked each time)."""
    try:
        import keyring
        from keyring.backends import fail

        if isinstance(keyring.get_keyring(), fail.Keyring):
            return False
        keyring.set_password(SERVICE, keyring_account(url, user), key)
        return True
    except Exception as exc:
        log.info("could not store the access key: %s", exc.__class__.__name__)
        return False


def forget_key(url: str, user: str) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, keyring_account(url, user))
    except Exception as exc:
        log.info("could not remove the access key: %s", exc.__class__.__name__)


def resolve(url: str | None, user: str | None, key: str | None) -> tuple[str, str, str | None]:
    """Fill what was not given from the environment and the keyring."""
    url = url or os.environ.get(ENV_URL) or ""
    user = user or os.environ.get(ENV_USER) or ""
    key = key or os.environ.get(ENV_KEY) or None
    if url and user and not key:
        key = load_key(url, user)
    return url, user, key
