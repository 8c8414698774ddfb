"""Keeping secrets out of logs: urllib3 logs request URLs, which carry the session."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"(sessionName|accessKey|token)=[^&\s\"']+", re.IGNORECASE)


def redact(text: str) -> str:
    return _SECRET.sub(r"\1=***", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET.search(message):
            record.msg = redact(message)
            record.args = ()
        return True


_installed = False


def install_redaction() -> None:
    global _installed
    if not _installed:
        for name in ("urllib3.connectionpool", "urllib3", "requests"):
            logging.getLogger(name).addFilter(RedactSecrets())
        _installed = True
