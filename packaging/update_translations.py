"""Bring the translation catalogues in line with the messages of the code.

    python packaging/update_translations.py           # update every kafdocs.po
    python packaging/update_translations.py --check   # exit 1 if one is not up to date

Babel extracts every ``_()``, ``N_()``, ``ngettext()`` and ``pgettext()`` call whose
messages are string literals, in ``kafdocs/`` (the sandbox apart: it speaks English, as the
server does). In each ``kafdocs/data/locale/<lang>/LC_MESSAGES/kafdocs.po``, messages new
to the code are appended at the end with an empty translation (fill it in), messages the
code no longer has are removed, and every other entry is kept byte for byte: the file is
never re-sorted or re-wrapped, so a rerun changes nothing and two people adding messages
touch different lines. No source locations are written, for the same reason.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import escape, read_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kafdocs"
LOCALES = PACKAGE / "data" / "locale"
SKIPPED = ("sandbox",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
COMMENT_TAG = "Translators:"

Key = tuple[str | None, str]  # (context, message): what gettext looks up


@dataclass
class Message:
    """One message of the code, with the plural and the translators' notes it has there."""

    text: str
    plural: str | None = None
    context: str | None = None
    comments: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return self.context, self.text


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if not set(p.relative_to(PACKAGE).parts) & set(SKIPPED))


def extract() -> dict[Key, Message]:
    """Every message of the code, in the order of the files and lines it first appears in."""
    found: dict[Key, Message] = {}
    for path in sources():
        place = path.relative_to(ROOT).as_posix()
        for lineno, text, comments, context in extract_from_file(
                "python", path, keywords=KEYWORDS, comment_tags=(COMMENT_TAG,)):
            singular, plural = (text if isinstance(text, tuple) else (text, None))
            if not singular:
                continue
            message = found.setdefault((context, singular),
                                       Message(singular, plural, context))
            message.comments += [c for c in comments if c not in message.comments]
            message.places.append(f"{place}:{lineno}")
    return found


def catalogues() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/kafdocs.po"))


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def entries(text: str) -> Iterator[tuple[Key | None, str]]:
    """The entries of a .po file in order, each with the key it translates (None for the
    header and for comments that stand alone) and its text, blank lines after it included.

    An entry ends at a blank line or where the next one starts right after a ``msgstr``:
    a union merge of two appended entries may have eaten the blank line between them.
    """
    lines = text.splitlines(keepends=True)
    start, after_msgstr = 0, False
    for n, line in enumerate(lines):
        begins = line.startswith(("#", "msgctxt ", "msgid ")) and after_msgstr
        if begins or (not line.strip() and n > start and _has_text(lines[start:n])):
            stop = n
            while not begins and stop < len(lines) and not lines[stop].strip():
                stop += 1  # the blank lines belong to the entry before them
            if stop > n or begins:
                yield _key("".join(lines[start:n])), "".join(lines[start:stop])
                start, after_msgstr = stop, False
        if line.startswith("msgstr"):
            after_msgstr = True
    if start < len(lines):
        yield _key("".join(lines[start:])), "".join(lines[start:])


def _has_text(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def _key(block: str) -> Key | None:
    keys = [(m.context, m.id if isinstance(m.id, str) else m.id[0])
            for m in read_po(io.StringIO(block)) if m.id]
    return keys[0] if len(keys) == 1 else None


def entry(message: Message, plurals: int) -> str:
    lines = [f"#. {comment}" for comment in message.comments]
    if message.context is not None:
        lines.append(f"msgctxt {escape(message.context)}")
    lines.append(f"msgid {escape(message.text)}")
    if message.plural is None:
        lines.append('msgstr ""')
    else:
        lines.append(f"msgid_plural {escape(message.plural)}")
        lines += [f'msgstr[{n}] ""' for n in range(plurals)]
    return "\n".join(lines)


def updated(path: Path, code: dict[Key, Message]) -> tuple[str, list[Key], list[Key]]:
    """The new text of one catalogue, the keys it gains and the keys it loses; every other
    entry is left exactly as it is."""
    text = path.read_text(encoding="utf-8")
    plurals = read_catalogue(path).num_plurals
    kept, gone, present = [], [], set()
    for key, block in entries(text):
        if key is not None and key not in code:
            gone.append(key)
            continue
        kept.append(block)
        if key is not None:
            present.add(key)
    added = [key for key in code if key not in present]
    if not added and not gone:
        return text, [], []
    new = "".join(kept).rstrip("\n")
    return "\n\n".join([new, *(entry(code[key], plurals) for key in added)]) + "\n", \
        added, gone


def describe(key: Key) -> str:
    context, text = key
    return repr(text) + (f" (context {context!r})" if context else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a catalogue is not up to date")
    args = parser.parse_args(argv)
    code = extract()
    stale = False
    for path in catalogues():
        text, added, gone = updated(path, code)
        name = path.relative_to(ROOT).as_posix()
        for key in added:
            print(f"{name}: new, to translate: {describe(key)}")
        for key in gone:
            print(f"{name}: no longer in the code, removed: {describe(key)}")
        if text != path.read_text(encoding="utf-8"):
            stale = True
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if stale and args.check:
        print("run: python packaging/update_translations.py, then translate the new entries")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
