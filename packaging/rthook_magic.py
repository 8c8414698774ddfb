"""PyInstaller runtime hook: point python-magic at the bundled libmagic and database."""

import ctypes
import os
import sys

_base = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
_database = os.path.join(_base, "magic", "magic.mgc")
if os.path.exists(_database):
    os.environ.setdefault("MAGIC", _database)
for _name in ("libmagic.so.1", "libmagic.1.dylib", "libmagic-1.dll"):
    _path = os.path.join(_base, _name)
    if os.path.exists(_path):
        ctypes.CDLL(_path, mode=getattr(ctypes, "RTLD_GLOBAL", 0))  # found by soname later
        break
