"""gettext-style lookup for messages outside Qt: the CLI and the engine's reasons.

``_("text")`` returns the text in the current language; placeholders are filled with
``str.format`` after the lookup, so the catalogue holds ``{name}`` rather than values.
The GUI sets the language it chose; the CLI follows ``KAFDOCS_LANG``, then the usual
locale variables.
"""

from __future__ import annotations

import json
import os
from importlib import resources

_catalogue: dict[str, str] = {}
_language = ""


def detect_language() -> str:
    for variable in ("KAFDOCS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX"):
            return value.split("_")[0].split(".")[0].lower()
    return "en"


def set_language(code: str) -> None:
    """Use the catalogue of ``code`` ("fr"); unknown languages fall back to English."""
    global _catalogue, _language
    _language = code
    try:
        data = resources.files("kafdocs.data").joinpath(
            f"translations/kafdocs_{code}.json").read_text(encoding="utf-8")
        _catalogue = json.loads(data)
    except (FileNotFoundError, OSError, ValueError):
        _catalogue = {}


def language() -> str:
    """The language in use, for a helper process to speak the same one."""
    if not _language:
        set_language(detect_language())
    return _language


def _(text: str) -> str:
    if not _language:
        set_language(detect_language())
    return _catalogue.get(text, text)


def N_(text: str) -> str:
    """Mark a message for the catalogue where it is defined; ``_()`` translates it later."""
    return text
