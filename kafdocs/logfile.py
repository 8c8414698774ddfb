"""The support log: a rotating file in the user's log folder, with secrets redacted.

The desktop app writes ``kafdocs.log``; its transfer helper process writes
``kafdocs-transfers.log`` beside it (two processes rotating one file would lose lines).
Everything that reaches the file goes through :func:`kafdocs.api.logs.redact`, tracebacks
included, so a session name or an access-key hash never lands on disk.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from kafdocs.api.logs import redact

ENV_FOLDER = "KAFDOCS_LOG_FOLDER"  # set by the app, read by the processes it starts
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(processName)s/%(threadName)s %(name)s: %(message)s"


def log_folder() -> Path:
    return Path(os.environ.get(ENV_FOLDER) or platformdirs.user_log_dir("kafdocs"))


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def start(name: str = "kafdocs.log", level: int = logging.INFO) -> Path | None:
    """Send this process's log records to ``name`` in the log folder; the file's path, or
    None when the folder cannot be written (the app then runs without a log file)."""
    folder = log_folder()
    path = folder / name
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return path
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                      encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("no log file in %s: %s", folder, exc.strerror)
        return None
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    os.environ[ENV_FOLDER] = str(folder)  # a helper process started later logs beside it
    return path


def current() -> Path | None:
    """The file this process logs to, if any."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def start_in_helper() -> Path | None:
    """In the transfer helper: log beside the app, if the app keeps a log file."""
    return start("kafdocs-transfers.log") if os.environ.get(ENV_FOLDER) else None
