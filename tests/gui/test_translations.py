"""The French catalogue is complete, compiled, and used by the window."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt

from kafdocs import i18n
from kafdocs.gui.resources import install_translator

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "kafdocs_fr.ts"
QM = ROOT / "kafdocs" / "data" / "translations" / "kafdocs_fr.qm"


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    return {(ctx.findtext("name"), m.findtext("source")): m.find("translation")
            for ctx in root for m in ctx.findall("message")}


def test_every_french_message_is_translated() -> None:
    unfinished = [src for (ctx, src), tr in messages(TS).items()
                  if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete")
                  or not ((tr.text or "").strip() or tr.findall("numerusform"))]
    assert unfinished == []


@pytest.mark.skipif(shutil.which("pyside6-lupdate") is None, reason="needs pyside6-lupdate")
def test_every_gui_string_is_in_the_french_catalogue(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "kafdocs" / "gui").glob("*.py"))
    subprocess.run(["pyside6-lupdate", *sources, "-locations", "none", "-ts", str(fresh)],
                   check=True, capture_output=True)
    missing = set(messages(fresh)) - set(messages(TS))
    assert missing == set(), "run python packaging/update_translations.py and translate"


@pytest.mark.skipif(shutil.which("pyside6-lrelease") is None, reason="needs pyside6-lrelease")
def test_compiled_catalogue_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "fr.qm"
    subprocess.run(["pyside6-lrelease", str(TS), "-qm", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == QM.read_bytes()


def test_french_window(qtbot, qapp, window_factory) -> None:
    translators = install_translator(qapp, "fr")
    try:
        win = window_factory()
        assert win.upload_action.text() == "Envoyer…"
        assert win.dock.windowTitle() == "Transferts"
        assert win.documents.headerData(0, Qt.Orientation.Horizontal) == "Titre"
        assert QLocale().language() == QLocale.Language.French
    finally:
        for t in qapp.findChildren(type(translators)):
            QCoreApplication.removeTranslator(t)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        i18n.set_language("en")
