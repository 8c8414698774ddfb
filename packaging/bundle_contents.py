"""What the Linux bundle leaves out of what PyInstaller collected, and why.

PyInstaller's Qt hook takes every plugin of the wheel and every library they need: a
Wayland client, EGL and framebuffer platforms, a VNC server, touch-screen input, the
GTK platform theme (which drags GLib's GIO, Cairo, Pango and HarfBuzz in, to run
against the system's own GTK — a classic source of crashes), Qt's translations in 40
languages, and ICU's data for every locale of the world. kafdocs is a widgets app on
X11 (XWayland on a Wayland desktop) in English and French:

- platforms: ``xcb`` (the desktop), ``offscreen`` (smoke tests, screenshots) and
  ``minimal``; input: the compose-key and IBus contexts, so accents can be typed;
  themes: the XDG desktop portal (file dialogs through the portal);
- Qt's catalogues: ``qtbase_<lang>.qm`` for the languages kafdocs ships;
- ICU's data: root, English and French (``icu_data.py``);
- a library stays only while something kept still needs it (ELF ``NEEDED``), or when
  nothing ever did (Python extension modules, what ctypes loads: libmagic, PDFium);
- the libraries every desktop with X11 has and that must match the system's own
  services rather than ours: X11 itself, D-Bus (and, through it, systemd and gcrypt),
  fontconfig and FreeType (a bundled fontconfig misreads a newer system's font
  configuration). AppImages leave these out for the same reasons.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

Entry = tuple[str, str, str]  # PyInstaller's TOC entry: destination, source, type

PLUGINS_LEFT_OUT = (
    "*/plugins/platforms/libqeglfs.so", "*/plugins/platforms/libqlinuxfb.so",
    "*/plugins/platforms/libqminimalegl.so", "*/plugins/platforms/libqvkkhrdisplay.so",
    "*/plugins/platforms/libqvnc.so", "*/plugins/platforms/libqwayland*.so",
    "*/plugins/egldeviceintegrations/*", "*/plugins/wayland-*/*", "*/plugins/generic/*",
    "*/plugins/platformthemes/libqgtk3.so", "*/plugins/xcbglintegrations/libqxcb-egl*",
)

SYSTEM_LIBRARIES = ("libX11.so.6", "libX11-xcb.so.1", "libdbus-1.so.3", "libfontconfig.so.1",
                    "libfreetype.so.6")


def left_out(destination: str) -> bool:
    return (Path(destination).name in SYSTEM_LIBRARIES
            or any(fnmatch.fnmatch(destination, pattern) for pattern in PLUGINS_LEFT_OUT))


def kept_translation(destination: str, languages: Iterable[str]) -> bool:
    """Qt's own catalogues: qtbase for the languages kafdocs speaks, nothing else."""
    if "/Qt/translations/" not in destination:
        return True
    return Path(destination).name in {f"qtbase_{code}.qm" for code in languages}


def needed(path: str) -> list[str]:
    """The sonames an ELF file asks the loader for (``objdump``, as PyInstaller uses)."""
    out = subprocess.run(["objdump", "-p", path], capture_output=True, text=True).stdout
    return re.findall(r"^\s*NEEDED\s+(\S+)", out, re.MULTILINE)


def prune(binaries: list[Entry]) -> list[Entry]:
    """The binaries without what is left out and the libraries only it needed."""
    names = {Path(dest).name: dest for dest, _, _ in binaries}
    imports = {dest: [names[n] for n in needed(src) if n in names]
               for dest, src, kind in binaries if kind != "SYMLINK"}
    wanted = {dep for deps in imports.values() for dep in deps}
    roots = [dest for dest in imports if dest not in wanted and not left_out(dest)]
    kept: set[str] = set()
    while roots:
        dest = roots.pop()
        if dest not in kept and not left_out(dest):
            kept.add(dest)
            roots.extend(imports.get(dest, []))
    return [entry for entry in binaries if entry[0] in kept or entry[2] == "SYMLINK"]


def without_dangling_links(entries: list[Entry], present: set[str]) -> list[Entry]:
    """Symbolic links (PyInstaller puts some among the data) to a file still collected."""
    return [(dest, src, kind) for dest, src, kind in entries
            if kind != "SYMLINK" or posixpath.normpath(
                posixpath.join(posixpath.dirname(dest), src)) in present]
