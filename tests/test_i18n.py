"""Every message goes through one gettext catalogue, complete in French, with plural forms."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog

from kafdocs import i18n
from kafdocs.cli import main
from kafdocs.transfer.engine import Summary

ROOT = Path(__file__).resolve().parents[1]
FIELD = re.compile(r"\{([^{}]*)\}|(%\(\w+\)[srd]|%[srd])")


def update_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "update_translations", ROOT / "packaging" / "update_translations.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return update_script()


@pytest.fixture(scope="module")
def french(tool: ModuleType) -> Catalog:
    return tool.read_catalogue(ROOT / "kafdocs/data/locale/fr/LC_MESSAGES/kafdocs.po")


def fields(text: str) -> list[str]:
    """The {placeholders} and the %s of argparse's own words."""
    return sorted("".join(match) for match in FIELD.findall(text))


def test_every_message_of_the_code_is_in_the_french_catalogue(tool, french) -> None:
    code = tool.extract()
    assert len(code) > 150  # the extraction sees the window's messages too
    missing = [m.places[0] + " " + m.text for key, m in code.items()
               if french.get(key[1], context=key[0]) is None]
    assert missing == [], "run python packaging/update_translations.py and translate"


def test_every_french_entry_is_translated_with_the_same_placeholders(french) -> None:
    for message in french:
        if not message.id:
            continue  # the header
        singular, plural = (message.id if isinstance(message.id, tuple) else (message.id, None))
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms) and not message.fuzzy, f"untranslated: {singular!r}"
        english = [fields(singular)] if plural is None else [fields(singular), fields(plural)]
        for form in forms:  # the singular form may drop {count} ("l'autre conflit")
            assert fields(form) in english or (plural and set(fields(form)) <= set(
                fields(plural))), f"{singular!r} → {form!r}"


def test_each_message_is_translated_once(tool) -> None:
    """Two people adding the same message (the .po merges by union) leave two entries."""
    po = (ROOT / "kafdocs/data/locale/fr/LC_MESSAGES/kafdocs.po").read_text("utf-8")
    keys = [key for key, _block in tool.entries(po) if key is not None]
    assert sorted({k for k in keys if keys.count(k) > 1}, key=str) == []


def test_catalogues_are_up_to_date_with_the_code(tool, capsys) -> None:
    """Nothing to add and nothing stale: the update script would change no byte."""
    assert tool.main(["--check"]) == 0, capsys.readouterr().out


def messages_of(catalogue: Catalog, tool: ModuleType) -> dict:
    """The catalogue's own messages, as if the code had exactly these."""
    found = {}
    for m in catalogue:
        if m.id:
            text, plural = m.id if isinstance(m.id, tuple) else (m.id, None)
            found[(m.context, text)] = tool.Message(text, plural, m.context)
    return found


def test_update_appends_new_messages_and_keeps_the_rest_byte_for_byte(tool, french,
                                                                     tmp_path) -> None:
    po = tmp_path / "kafdocs.po"
    original = (ROOT / "kafdocs/data/locale/fr/LC_MESSAGES/kafdocs.po").read_text("utf-8")
    po.write_text(original, "utf-8")
    code = messages_of(french, tool)
    code[(None, "A brand new {thing}")] = tool.Message("A brand new {thing}")
    code[(None, "{count} apple")] = tool.Message("{count} apple", "{count} apples")
    text, added, removed = tool.updated(po, code)
    assert (added, removed) == ([(None, "A brand new {thing}"), (None, "{count} apple")], [])
    assert text == original + ('\nmsgid "A brand new {thing}"\nmsgstr ""\n\n'
                               'msgid "{count} apple"\nmsgid_plural "{count} apples"\n'
                               'msgstr[0] ""\nmsgstr[1] ""\n')
    po.write_text(text, "utf-8")
    assert tool.updated(po, code)[0] == text  # a rerun changes nothing


def test_entries_merged_without_a_blank_line_are_still_two(tool, tmp_path) -> None:
    """What git's union merge makes of two people appending at the end at once."""
    po = tmp_path / "kafdocs.po"
    header = (ROOT / "kafdocs/data/locale/fr/LC_MESSAGES/kafdocs.po").read_text(
        "utf-8").split("\n\n")[0]
    po.write_text(header + '\n\nmsgid "One"\nmsgstr "Un"\nmsgid "Two"\nmsgstr "Deux"\n',
                  "utf-8")
    code = {(None, t): tool.Message(t) for t in ("One", "Two")}
    assert [key for key, _block in tool.entries(po.read_text("utf-8"))] == [
        None, (None, "One"), (None, "Two")]
    assert tool.updated(po, code) == (po.read_text("utf-8"), [], [])
    del code[(None, "One")]
    assert tool.updated(po, code)[0].endswith('"\n\nmsgid "Two"\nmsgstr "Deux"\n')


def test_update_removes_only_the_entries_the_code_lost(tool, french, tmp_path) -> None:
    po = tmp_path / "kafdocs.po"
    original = (ROOT / "kafdocs/data/locale/fr/LC_MESSAGES/kafdocs.po").read_text("utf-8")
    po.write_text(original, "utf-8")
    code = messages_of(french, tool)
    gone = list(code)[3]
    del code[gone]
    text, added, removed = tool.updated(po, code)
    assert (added, removed) == ([], [gone])
    blocks = original.split("\n\n")
    assert text.split("\n\n") == [b for b in blocks if f'msgid "{gone[1]}"' not in b]


@pytest.fixture
def in_french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def test_plural_forms_agree_with_the_number(in_french) -> None:
    assert Summary(finished=1).counts() == "1 réussi"
    assert Summary(finished=2, skipped=1).counts() == "2 réussis, 1 ignoré"
    assert i18n.ngettext("{count} done", "{count} done", 0) == "{count} réussi"  # 0: singular


def test_french_numbers_have_a_decimal_comma(in_french) -> None:
    assert i18n.decimal(1.25, 2) == "1,25"
    assert "2,5 Mo en 1,0 s" in Summary(finished=1, bytes=2_500_000, seconds=1.0).line()


def test_english_is_the_source_text() -> None:
    i18n.set_language("en")
    assert i18n._("Cancelled") == "Cancelled"
    assert i18n.decimal(1.25, 2) == "1.25"


def test_a_source_checkout_compiles_the_po_in_memory(in_french) -> None:
    """Nothing built: the French comes from the .po itself, so an edit shows at once."""
    po = ROOT / "kafdocs/data/locale/fr/LC_MESSAGES/kafdocs.po"
    assert i18n._catalogue("fr") == i18n.compile_catalogue(po.read_bytes())
    assert i18n._("Cancelled") == "Annulé"


def test_cli_speaks_french_when_asked(in_french, sandbox, monkeypatch, capsys) -> None:
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


def test_help_and_usage_errors_speak_french(in_french, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["upload", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("utilisation : kafdocs upload")
    assert "fichiers ou dossiers (récursivement)" in out and "afficher cette aide" in out
    with pytest.raises(SystemExit) as done:
        main(["upload"])
    assert done.value.code == 2
    assert "kafdocs upload : erreur : les arguments suivants sont obligatoires" in \
        capsys.readouterr().err
