"""Access keys in the OS keyring, never in a settings file; connection options resolved.

Order of precedence: command-line option, environment variable, keyring, prompt. On the
command line the key comes from a file (``--access-key-file``) or standard input
(``--access-key -``): a key written in the command itself can be read by every user of
the computer (``ps``, ``/proc/PID/cmdline``) while the command runs.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import TextIO

from kafdocs.api import KafdocsError, endpoint_url
from kafdocs.i18n import _

log = logging.getLogger(__name__)
SERVICE = "kafdocs"
ENV_URL, ENV_USER, ENV_KEY = "KAFDOCS_URL", "KAFDOCS_USER", "KAFDOCS_ACCESS_KEY"


def keyring_account(url: str, user: str) -> str:
    return f"{user}@{endpoint_url(url)}"


def load_key(url: str, user: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(SERVICE, keyring_account(url, user))
    except Exception as exc:  # no backend, locked keyring, D-Bus missing...
        log.info("keyring unavailable: %s", exc.__class__.__name__)
        return None


def keyring_problem() -> str | None:
    """Why access keys cannot be remembered on this system, or None when they can.

    Without a keyring the key is asked at each start: it is never written to a file.
    """
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken D-Bus, a keyring configuration that fails to load
        log.info("keyring unavailable: %s", exc.__class__.__name__)
        return _("the system keyring cannot be used ({error})").format(
            error=exc.__class__.__name__)
    if isinstance(backend, fail.Keyring):
        return _("this system has no keyring to keep it in (on Linux: GNOME Keyring, KWallet "
                 "or another Secret Service)")
    if isinstance(backend, null.Keyring):
        return _("the keyring is turned off in the keyring settings of this system")
    return None


def save_key(url: str, user: str, key: str) -> str | None:
    """Store the key in the system keyring; the reason it could not be, or None."""
    problem = keyring_problem()
    if problem:
        return problem
    try:
        import keyring

        keyring.set_password(SERVICE, keyring_account(url, user), key)
        return None
    except Exception as exc:  # locked, or the user refused to unlock it
        log.info("could not store the access key: %s", exc.__class__.__name__)
        return _("the system keyring refused it ({error})").format(error=exc.__class__.__name__)


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


class KeyOptionError(KafdocsError):
    """The access key could not be read where the command line said it was."""


def read_key_file(path: Path) -> str:
    """The key on the first line of ``path`` (surrounding blanks ignored)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyOptionError(_("Cannot read the access key file {path}: {reason}").format(
            path=path, reason=getattr(exc, "strerror", None) or exc.__class__.__name__)) from None
    key = lines[0].strip() if lines else ""
    if not key:
        raise KeyOptionError(_("The access key file {path} is empty").format(path=path))
    return key


def readable_by_others(path: Path) -> bool:
    """True when users other than the owner may read ``path`` (POSIX modes only)."""
    try:
        return os.name == "posix" and bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False


def read_key_stream(stream: TextIO) -> str:
    """The key on the first line of standard input (``--access-key -``)."""
    key = stream.readline().strip()
    if not key:
        raise KeyOptionError(_("No access key on standard input"))
    return key
