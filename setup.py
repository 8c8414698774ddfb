"""Compiles the translation catalogues (.po → .mo) into the wheel; the rest is pyproject.toml.

The .po files are the sources (kafdocs/data/locale/<lang>/LC_MESSAGES/kafdocs.po); the
wheel gets the compiled kafdocs.mo beside where each .po would be. Babel comes from
``build-system.requires``.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted((HERE / "kafdocs" / "data" / "locale").glob("*/LC_MESSAGES/*.po")):
            mo = Path(self.build_lib) / po.relative_to(HERE).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source, abort_invalid=True))


setup(cmdclass={"build_py": BuildPyWithCatalogues})
