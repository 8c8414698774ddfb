"""Icons loaded with importlib.resources so a frozen bundle finds them; the language."""

from __future__ import annotations

import logging
from importlib import resources

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from kafdocs import i18n

log = logging.getLogger(__name__)
PACKAGE = "kafdocs.data"


def _data(name: str) -> bytes | None:
    try:
        return resources.files(PACKAGE).joinpath(name).read_bytes()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return None


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        data = _data(f"icons/kafdocs-{size}.png")
        if data:
            pixmap = QPixmap()
            pixmap.loadFromData(data)
            icon.addPixmap(pixmap)
    return icon


def install_translator(app: QApplication, language: str = "") -> QTranslator | None:
    """The language from the setting, else from the system locale, for every message.

    kafdocs's own messages go through gettext (``kafdocs.i18n``); Qt's catalogue is
    installed too, so standard buttons and file dialogs match. Returns Qt's translator,
    if Qt has one for the language.
    """
    locale = QLocale(language) if language else QLocale.system()
    if locale.language() == QLocale.Language.C:
        locale = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    QLocale.setDefault(locale)  # sizes and dates follow the chosen language
    code = locale.name().split("_")[0]
    i18n.set_language(code)
    qt_base = QTranslator(app)
    if qt_base.load(f"qtbase_{code}",
                    QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_base)
        return qt_base
    if code != "en":
        log.info("Qt has no %s catalogue: its standard buttons stay in English", code)
    return None
