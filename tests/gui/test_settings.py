"""One registry of options, each with its type: no dead option, no unknown key."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray

from kafdocs.gui import settings as registry
from kafdocs.gui.settings import (
    OPTIONS,
    TRANSFER_WORKERS,
    WINDOW_GEOMETRY,
    Option,
    Settings,
)

PACKAGE = Path(registry.__file__).resolve().parents[1]


NAMES = {name: value.key for name, value in vars(registry).items() if isinstance(value, Option)}


def uses(path: Path) -> set[str]:
    """The options a module names, by constant or by key (not counting the registry)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    registry_nodes = {id(n) for node in tree.body
                      if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                      and node.target.id == "OPTIONS" for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in NAMES and id(node) not in registry_nodes:
            found.add(node.id)
        elif isinstance(node, ast.Constant) and node.value in OPTIONS and id(node) not in \
                registry_nodes and path.name != "settings.py":
            found |= {n for n, key in NAMES.items() if key == node.value}
    return found


def test_every_option_is_read_or_written_somewhere() -> None:
    """A setting no code uses is dead: it goes, or the code that should use it comes."""
    assert set(NAMES.values()) == set(OPTIONS)
    used = set().union(*(uses(path) for path in PACKAGE.rglob("*.py")))
    assert sorted(set(NAMES) - used) == []


def test_values_come_back_as_their_option_says(settings: Settings) -> None:
    settings.store.setValue(TRANSFER_WORKERS.key, "6")  # an INI file stores text
    assert settings.get(TRANSFER_WORKERS) == 6
    settings.store.setValue(TRANSFER_WORKERS.key, "many")
    assert settings.get(TRANSFER_WORKERS) == 4  # the default, not a crash
    settings.store.setValue(WINDOW_GEOMETRY.key, "garbage")
    assert settings.get(WINDOW_GEOMETRY) == QByteArray()


def test_unknown_keys_are_refused(settings: Settings) -> None:
    with pytest.raises(KeyError):
        settings.get("no/such/option")
    with pytest.raises(KeyError):
        settings.set("window/geometry-typo", 1)
