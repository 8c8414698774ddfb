"""Translated messages for every layer — CLI, engine and window — through standard gettext.

``_("text")`` returns the text in the current language. Placeholders are filled with
``str.format`` after the lookup, so the catalogue holds ``{name}`` rather than values::

    _("Moved {count} documents to {folder}").format(count=n, folder=name)
    ngettext("{count} file", "{count} files", n).format(count=n)   # "1 fichier", "2 fichiers"

``N_()`` marks a message where it is defined (a class attribute, a table) and ``_()``
translates it where it is shown; ``pgettext`` tells apart one English word that French
says two ways ("Upload" the button, "Upload" the direction).

The French catalogue is ``kafdocs/data/locale/fr/LC_MESSAGES/kafdocs.po``. Building the
wheel (setup.py) and the bundle (packaging/kafdocs.spec) compile it to ``kafdocs.mo``
beside it; a source checkout has no ``.mo``, so the ``.po`` is compiled in memory with
Babel (a test and development dependency) — the ``.po`` wins when both are present, so a
stale ``.mo`` never hides an edit. ``packaging/update_translations.py`` adds new messages.

The window sets the language it chose; the CLI follows ``KAFDOCS_LANG``, then the usual
locale variables.
"""

from __future__ import annotations

import gettext
import io
import logging
import os
from importlib import resources

log = logging.getLogger(__name__)
DOMAIN = "kafdocs"
DECIMAL_SEPARATORS = {"fr": ","}

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = ""


def detect_language() -> str:
    for variable in ("KAFDOCS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX"):
            return value.split("_")[0].split(".")[0].lower()
    return "en"


def compile_catalogue(po: bytes) -> bytes:
    """The ``.mo`` form of a ``.po`` catalogue (needs Babel), for the bundle and for a
    source checkout; fuzzy and untranslated entries are left out, so they show in English."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    out = io.BytesIO()
    write_mo(out, read_po(io.BytesIO(po), abort_invalid=True))
    return out.getvalue()


def _catalogue(code: str) -> bytes | None:
    """The compiled catalogue of ``code``: from the ``.po`` where it is (a source checkout),
    else the ``.mo`` the build compiled (a wheel or a bundle)."""
    folder = resources.files("kafdocs.data").joinpath("locale").joinpath(code).joinpath(
        "LC_MESSAGES")
    try:
        po = folder.joinpath(f"{DOMAIN}.po").read_bytes()
    except (FileNotFoundError, NotADirectoryError, OSError):
        po = None
    if po is not None:
        try:
            return compile_catalogue(po)
        except ImportError:
            log.warning("Babel is not installed: the %s messages are not compiled", code)
    try:
        return folder.joinpath(f"{DOMAIN}.mo").read_bytes()
    except (FileNotFoundError, NotADirectoryError, OSError):
        return None


def set_language(code: str) -> None:
    """Use the catalogue of ``code`` ("fr"); English and unknown languages use the source."""
    global _translations, _language
    _language = code
    data = _catalogue(code) if code != "en" else None
    _translations = gettext.GNUTranslations(io.BytesIO(data)) if data \
        else gettext.NullTranslations()


def language() -> str:
    """The language in use, for a helper process to speak the same one."""
    if not _language:
        set_language(detect_language())
    return _language


def _current() -> gettext.NullTranslations:
    if not _language:
        set_language(detect_language())
    return _translations


def _(text: str) -> str:
    return _current().gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of the message for ``n`` items; fill ``{count}`` (or another field) after."""
    return _current().ngettext(singular, plural, n)


def pgettext(context: str, text: str) -> str:
    """``text`` as said in ``context``, for a word that translates two ways."""
    return _current().pgettext(context, text)


def N_(text: str) -> str:
    """Mark a message for the catalogue where it is defined; ``_()`` translates it later."""
    return text


def decimal(value: float, digits: int = 1) -> str:
    """A number with the decimal separator of the language ("1,5" in French)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", DECIMAL_SEPARATORS.get(language(), "."))
