"""Messages outside Qt (CLI, engine) have a complete French catalogue and use it."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from kafdocs import i18n
from kafdocs.cli import main
from kafdocs.i18n_catalogue import messages


def test_every_message_has_a_french_translation() -> None:
    text = resources.files("kafdocs.data").joinpath("translations/kafdocs_fr.json")
    catalogue = json.loads(text.read_text(encoding="utf-8"))
    assert sorted(messages() - set(catalogue)) == []
    for source, french in catalogue.items():  # same placeholders on both sides
        assert sorted(part.split("}")[0] for part in source.split("{")[1:]) == sorted(
            part.split("}")[0] for part in french.split("{")[1:]), source


@pytest.fixture
def french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def test_cli_speaks_french_when_asked(french, sandbox, monkeypatch, capsys) -> None:
    from tests.conftest import ACCESS_KEY

    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)
    assert main(["ls", "Nulle part"]) == 2
    assert "Aucun dossier de documents nommé 'Nulle part'" in capsys.readouterr().err


def test_language_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("KAFDOCS_LANG", "")
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LC_MESSAGES", "")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert i18n.detect_language() == "fr"
    monkeypatch.setenv("LANG", "C")
    assert i18n.detect_language() == "en"
