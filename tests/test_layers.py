"""The layers of design.md, enforced: api and transfer never import Qt."""

from __future__ import annotations

import subprocess
import sys


def test_api_transfer_and_sandbox_do_not_import_qt() -> None:
    code = ("import sys, kafdocs.api, kafdocs.transfer, kafdocs.transfer.download, "
            "kafdocs.transfer.upload, kafdocs.transfer.watch, kafdocs.sandbox.app, "
            "kafdocs.commands, kafdocs.watch_cli; "
            "print([m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_sandbox_stands_apart_from_the_client() -> None:
    code = ("import sys, kafdocs.sandbox.app; "
            "print([m for m in sys.modules if m.startswith(('kafdocs.api', 'kafdocs.transfer'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def _imported_by(package: str) -> set[str]:
    """The kafdocs modules that importing every module of ``package`` brings in."""
    code = ("import importlib, pkgutil, sys, " + package + " as p; "
            "[importlib.import_module(m.name) for m in "
            "pkgutil.walk_packages(p.__path__, p.__name__ + '.')]; "
            "print(' '.join(m for m in sys.modules if m.startswith('kafdocs.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


def test_api_imports_neither_transfer_nor_gui() -> None:
    assert {m for m in _imported_by("kafdocs.api")
            if m.startswith(("kafdocs.transfer", "kafdocs.gui"))} == set()


def test_transfer_does_not_import_the_gui() -> None:
    assert {m for m in _imported_by("kafdocs.transfer") if m.startswith("kafdocs.gui")} == set()
