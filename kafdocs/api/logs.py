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


_FILTER = RedactSecrets()
NAMESPACES = ("urllib3", "requests")


def install_redaction() -> None:
    """Redact on every logger of urllib3 and requests, children included: a filter on
    a parent logger does not see what its children log (urllib3.util.retry wrote the
    session in clear). Loggers made later are covered when the next client is made."""
    names = [n for n in list(logging.Logger.manager.loggerDict)
             if n.split(".")[0] in NAMESPACES]
    for name in {*NAMESPACES, *names}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
