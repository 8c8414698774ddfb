"""A smaller ICU data library for the bundle: 32 MB of ICU data down to about 5 MB.

Qt's wheels link ICU, whose data library (``libicudata.so.NN``) holds every locale of
the world: collation, names of languages, currencies and time zones in 200 languages,
transliterators, Chinese and Thai word dictionaries, Asian code pages. Qt asks ICU for
collation, case mapping and code pages only, and kafdocs speaks English and French.
This module rebuilds the library with the locale data of the root locale, English and
French, the language-independent tables, and the single-byte code pages; for any
other locale ICU falls back to the root locale, as it does for a locale it does not know.

The data is one ICU "common data" package (format ``CmnD``: a header, a table of
contents sorted by name, then the items, each 16-byte aligned), exported by the library
as the symbol ``icudtNN_dat``. The package is read from the library's ELF symbol table,
filtered item by item, and assembled into a new library with ``as`` and ``ld``
(binutils, which PyInstaller needs on Linux anyway).
"""

from __future__ import annotations

import re
import struct
import subprocess
import tempfile
from pathlib import Path

LANGUAGES = ("en", "fr")  # besides the root locale
_MAX_BYTES_PER_CHAR = 71  # offset in ICU's UConverterStaticData, after the data header
_LOCALE = re.compile(r"^([a-z]{2,3})(_[A-Z0-9][A-Za-z0-9]*|_)*$")  # fr, sr_Latn_RS, de__PHONEBOOK


def keep(item: str, blob: bytes, languages: tuple[str, ...] = LANGUAGES) -> bool:
    """Whether the bundle needs one item (``coll/fr.res``, ``ibm-5348_P100-1997.cnv``…)."""
    tree, _, leaf = item.rpartition("/")
    stem, _, ext = leaf.rpartition(".")
    if tree == "translit" or ext == "dict":  # transliterators, CJK/Thai word lists
        return False
    if ext == "cnv":  # a code page: single-byte ones stay (Latin, Cyrillic, Greek…)
        header, = struct.unpack_from("<H", blob, 0)
        return blob[header + _MAX_BYTES_PER_CHAR] == 1
    locale = _LOCALE.match(stem)
    if ext == "res" and locale:  # root, pool, res_index, supplemental data never match
        return locale.group(1) in languages
    return True


def read_package(library: Path) -> bytes:
    """The bytes of the ``icudtNN_dat`` symbol of an ICU data library (ELF64, little-endian)."""
    elf = library.read_bytes()
    if elf[:6] != b"\x7fELF\x02\x01":
        raise ValueError(f"{library} is not a 64-bit little-endian ELF library")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize)
                for i in range(shnum)]
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 11:  # SHT_DYNSYM
            continue
        strings = sections[link][4]
        for at in range(offset, offset + size, entsize):
            name_at, _, _, shndx, value, length = struct.unpack_from("<IBBHQQ", elf, at)
            name = elf[strings + name_at:elf.index(b"\0", strings + name_at)]
            if re.fullmatch(rb"icudt\d+_dat", name):
                _, _, _, addr, start = sections[shndx][:5]
                return elf[start + value - addr:start + value - addr + length]
    raise ValueError(f"{library} exports no icudtNN_dat symbol")


def items(package: bytes) -> dict[str, bytes]:
    """Name (``icudt73l/coll/fr.res``) → bytes (padding included) of a CmnD package."""
    header, = struct.unpack_from("<H", package, 0)
    if package[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    count, = struct.unpack_from("<I", package, header)
    toc = [struct.unpack_from("<II", package, header + 4 + 8 * i) for i in range(count)]
    ends = [offset for _, offset in toc[1:]] + [len(package) - header]
    found = {}
    for (name_at, offset), end in zip(toc, ends, strict=True):
        start = header + name_at
        name = package[start:package.index(b"\0", start)].decode("ascii")
        found[name] = package[header + offset:header + end]
    return found


def write_package(header: bytes, chosen: dict[str, bytes]) -> bytes:
    """A CmnD package of ``chosen`` items, in the layout ICU's own ``icupkg`` writes."""
    names = sorted(chosen)  # ICU looks items up by binary search on the names
    table = 4 + 8 * len(names)
    name_bytes = b"".join(name.encode("ascii") + b"\0" for name in names)
    first = table + len(name_bytes)
    first += -(len(header) + first) % 16
    entries, data, name_at, offset = [], [], table, first
    for name in names:
        entries.append(struct.pack("<II", name_at, offset))
        name_at += len(name) + 1
        blob = chosen[name] + b"\0" * (-len(chosen[name]) % 16)
        data.append(blob)
        offset += len(blob)
    toc = struct.pack("<I", len(names)) + b"".join(entries) + name_bytes
    return header + toc + b"\xaa" * (first - len(toc)) + b"".join(data)


def trimmed_package(package: bytes, languages: tuple[str, ...] = LANGUAGES) -> bytes:
    header, = struct.unpack_from("<H", package, 0)
    chosen = {name: blob for name, blob in items(package).items()
              if keep(name.split("/", 1)[1], blob, languages)}
    return write_package(package[:header], chosen)


def build_library(library: Path, target: Path, languages: tuple[str, ...] = LANGUAGES) -> Path:
    """``target``: a data library exporting the same symbol, with the trimmed package."""
    package = trimmed_package(read_package(library), languages)
    version = re.search(r"\d+", library.name.split(".so.")[-1])
    if version is None:
        raise ValueError(f"{library.name}: no ICU version in the name")
    symbol = f"icudt{version.group(0)}_dat"
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "data.bin").write_bytes(package)
        (work / "data.s").write_text(
            f'.section .rodata\n.globl {symbol}\n.type {symbol}, @object\n.balign 16\n'
            f'{symbol}:\n.incbin "data.bin"\n.size {symbol}, . - {symbol}\n'
            '.section .note.GNU-stack,"",@progbits\n')
        subprocess.run(["as", "-o", "data.o", "data.s"], cwd=work, check=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ld", "-shared", "-soname", library.name, "-o", str(target.resolve()),
                        "data.o"], cwd=work, check=True)
    return target
