"""The support log: a rotating file in the log folder, secrets never written."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from kafdocs import logfile


@pytest.fixture
def log_in(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    monkeypatch.setenv(logfile.ENV_FOLDER, str(tmp_path / "logs"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield tmp_path / "logs"
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_the_log_rotates_in_the_log_folder_and_hides_secrets(log_in: Path) -> None:
    path = logfile.start()
    assert path == log_in / "kafdocs.log" == logfile.current()
    assert logfile.start() == path  # once per process
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]
    assert (handler.maxBytes, handler.backupCount) == (logfile.MAX_BYTES, logfile.BACKUPS)
    log = logging.getLogger("kafdocs.test")
    log.info("GET /webservice.php?operation=query&sessionName=abc123def&query=x")
    try:
        raise ValueError("POST accessKey=0123456789abcdef refused")
    except ValueError:
        log.exception("failed")
    handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "sessionName=***" in text and "accessKey=***" in text
    assert "abc123def" not in text and "0123456789abcdef" not in text


def test_the_helper_logs_beside_the_app_only_when_the_app_keeps_a_log(log_in: Path,
                                                                      monkeypatch) -> None:
    monkeypatch.delenv(logfile.ENV_FOLDER)
    assert logfile.start_in_helper() is None
    monkeypatch.setenv(logfile.ENV_FOLDER, str(log_in))
    assert logfile.start_in_helper() == log_in / "kafdocs-transfers.log"


def test_no_log_file_when_the_folder_cannot_be_made(tmp_path: Path, log_in: Path,
                                                    monkeypatch) -> None:
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv(logfile.ENV_FOLDER, str(tmp_path / "file" / "logs"))
    assert logfile.start() is None and logfile.current() is None
