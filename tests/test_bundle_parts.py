"""The parts the Linux bundle builds for itself: a smaller ICU data library and the AES
stand-in for ``cryptography`` (see packaging/icu_data.py and packaging/openssl_aes/)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_LIB = Path(importlib.util.find_spec("PySide6").origin).parent / "Qt" / "lib"  # type: ignore[arg-type,union-attr]
ICU_DATA = sorted(QT_LIB.glob("libicudata.so.*"))
linux_icu = pytest.mark.skipif(not ICU_DATA or shutil.which("ld") is None,
                               reason="needs Qt's ICU (Linux wheels) and binutils")


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@linux_icu
def test_icu_package_is_rewritten_byte_for_byte_when_nothing_is_left_out() -> None:
    icu = load("icu_data")
    package = icu.read_package(ICU_DATA[0])
    assert icu.write_package(package[:144], icu.items(package)) == package


@linux_icu
def test_trimmed_icu_keeps_root_english_french_and_single_byte_code_pages() -> None:
    icu = load("icu_data")
    package = icu.read_package(ICU_DATA[0])
    kept = {name.split("/", 1)[1] for name in icu.items(icu.trimmed_package(package))}
    assert {"root.res", "fr.res", "fr_CA.res", "en_GB.res", "coll/fr.res", "coll/root.res",
            "coll/ucadata.icu", "curr/fr.res", "cnvalias.icu", "ibm-5348_P100-1997.cnv",
            "supplementalData.res", "pool.res", "res_index.res"} <= kept
    assert not {"de.res", "coll/de.res", "coll/zh.res", "brkitr/cjdict.dict",
                "ibm-943_P15A-2003.cnv"} & kept
    assert len(icu.trimmed_package(package)) < len(package) / 4


@linux_icu
def test_qt_icu_works_on_the_trimmed_data(tmp_path: Path) -> None:
    """French collation from the French data, German from the root, Windows-1252 kept."""
    icu = load("icu_data")
    data = ICU_DATA[0]
    version = data.name.rsplit(".", 1)[-1]
    for name in (f"libicuuc.so.{version}", f"libicui18n.so.{version}"):
        shutil.copy(QT_LIB / name, tmp_path)  # their RUNPATH ($ORIGIN) finds the new data
    icu.build_library(data, tmp_path / data.name)
    probe = f"""
import ctypes
uc = ctypes.CDLL("{tmp_path}/libicuuc.so.{version}", ctypes.RTLD_GLOBAL)
i18n = ctypes.CDLL("{tmp_path}/libicui18n.so.{version}")
i18n.ucol_open_{version}.restype = ctypes.c_void_p
where = i18n.ucol_getLocaleByType_{version}
where.restype, where.argtypes = ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
uc.ucnv_open_{version}.restype = ctypes.c_void_p
for locale in (b"fr_FR", b"de_DE"):
    status = ctypes.c_int(0)
    collator = i18n.ucol_open_{version}(locale, ctypes.byref(status))
    print(where(collator, 1, ctypes.byref(ctypes.c_int(0))).decode(), status.value <= 0)
for code_page in (b"windows-1252", b"Shift_JIS"):
    status = ctypes.c_int(0)
    print(bool(uc.ucnv_open_{version}(code_page, ctypes.byref(status))))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["fr", "True", "root", "True", "True", "False"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle's part")
def test_aes_stand_in_agrees_with_cryptography() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, iv, secret = os.urandom(16), os.urandom(16), os.urandom(64)
    encrypt = ("import sys\n"
               "from cryptography.hazmat.backends import default_backend\n"
               "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
               "key, iv, data = (bytes.fromhex(a) for a in sys.argv[1:])\n"
               "e = Cipher(algorithms.AES(key), modes.CBC(iv), default_backend()).encryptor()\n"
               "sealed = e.update(data[:20]) + e.update(data[20:]) + e.finalize()\n"
               "d = Cipher(algorithms.AES(key), modes.CBC(iv), default_backend()).decryptor()\n"
               "assert d.update(sealed) + d.finalize() == data\n"
               "print(sealed.hex())")
    out = subprocess.run([sys.executable, "-c", encrypt, key.hex(), iv.hex(), secret.hex()],
                         env={**os.environ, "PYTHONPATH": str(ROOT / "packaging" / "openssl_aes")},
                         capture_output=True, text=True, check=True).stdout.strip()
    real = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    assert real.update(bytes.fromhex(out)) + real.finalize() == secret


def test_the_preview_draws_a_pdf_without_the_packages_the_bundle_leaves_out(
        tmp_path: Path) -> None:
    """kafdocs.spec excludes numpy, PIL, tabulate and yaml (pypdfium2 imports them lazily):
    drawing a page must not need them, or the bundle's preview would fail."""
    from kafdocs.sandbox.demo import pdf
    (tmp_path / "a.pdf").write_bytes(pdf("Bonjour"))
    script = (
        "import sys\n"
        "for name in ('numpy', 'PIL', 'tabulate', 'yaml'): sys.modules[name] = None\n"
        "from pathlib import Path\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication([])\n"
        "from kafdocs.gui.rendering import render_pdf_page\n"
        f"page = render_pdf_page(Path({str(tmp_path / 'a.pdf')!r}), 0, 200)\n"
        "print(page.count, page.image.width())\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                          timeout=120)
    assert done.returncode == 0, done.stderr
    count, width = map(int, done.stdout.split())
    assert count == 1 and width >= 200  # PDFium rounds the scale up
