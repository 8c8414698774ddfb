"""There is one backend: the OpenSSL that Python's ssl module loaded."""

from __future__ import annotations


def default_backend() -> None:
    return None
