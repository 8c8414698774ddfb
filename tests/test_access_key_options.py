"""The access key reaches kafdocs without showing in the process list (/proc/PID/cmdline)."""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

import pytest

from kafdocs.cli import build_parser, main
from kafdocs.commands import read_key_options
from tests.conftest import ACCESS_KEY


@pytest.fixture
def env(sandbox, monkeypatch) -> None:
    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.delenv("KAFDOCS_ACCESS_KEY", raising=False)
    monkeypatch.setattr("kafdocs.credentials.load_key", lambda url, user: None)


def key_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "kafinea.key"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_the_key_is_read_from_a_file(env, tmp_path: Path, capsys) -> None:
    path = key_file(tmp_path, f"  {ACCESS_KEY}\n")
    assert main(["folders", "--access-key-file", str(path)]) == 0
    assert "WARNING" not in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_others_can_read_is_used_with_a_warning(env, tmp_path: Path,
                                                           capsys) -> None:
    path = key_file(tmp_path, ACCESS_KEY, 0o644)
    assert main(["folders", "--access-key-file", str(path)]) == 0
    assert f"chmod 600 {path}" in capsys.readouterr().err


def test_the_key_is_read_from_standard_input(env, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(ACCESS_KEY + "\n"))
    assert main(["folders", "--access-key", "-"]) == 0
    assert "WARNING" not in capsys.readouterr().err


def test_a_key_written_in_the_command_works_but_warns(env, capsys) -> None:
    assert main(["folders", "--access-key", ACCESS_KEY]) == 0
    err = capsys.readouterr().err
    assert "can be read by every user of this computer" in err
    assert "--access-key-file" in err and ACCESS_KEY not in err


@pytest.mark.parametrize(("content", "message"), [
    (None, "Cannot read the access key file"), ("\n\n", "is empty")])
def test_a_missing_or_empty_key_file_is_a_clear_usage_error(
        env, tmp_path: Path, capsys, content: str | None, message: str) -> None:
    path = key_file(tmp_path, content) if content is not None else tmp_path / "none.key"
    assert main(["ls", "Contrats", "--access-key-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_empty_standard_input_is_a_clear_usage_error(env, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["folders", "--access-key", "-"]) == 2
    assert "No access key on standard input" in capsys.readouterr().err


def test_both_key_options_at_once_are_refused(env, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["folders", "--access-key", "-", "--access-key-file", str(tmp_path / "k")])
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["folders"], ["upload"], ["download"], ["watch"]])
def test_help_says_why_the_plain_option_is_unsafe(command: list[str], capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "/proc/PID/cmdline" in text and "--access-key-file FILE" in text


def test_the_app_start_options_read_the_key_file_and_warn_for_the_plain_key(
        tmp_path: Path, capsys) -> None:
    path = key_file(tmp_path, ACCESS_KEY)
    args = build_parser().parse_args(["--url", "x", "--user", "u", "--access-key-file",
                                      str(path)])
    assert read_key_options(args) == 0 and args.access_key == ACCESS_KEY
    plain = build_parser().parse_args(["--url", "x", "--user", "u", "--access-key", "k"])
    assert read_key_options(plain) == 0 and plain.access_key == "k"
    assert "every user of this computer" in capsys.readouterr().err
    missing = argparse.Namespace(access_key=None, access_key_file=tmp_path / "none")
    assert read_key_options(missing) == 2
