"""The layers of design.md, enforced: api and transfer never import Qt."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# One fresh interpreter imports the layers from the bottom up and lists, after each step,
# the modules loaded so far: a child costs a Python start-up, so the checks share one.
# Every module of a package is imported, not only its __init__.
PROBE = """
import importlib, json, pkgutil, sys

def walk(name):
    package = importlib.import_module(name)
    for found in pkgutil.walk_packages(package.__path__, name + "."):
        importlib.import_module(found.name)

steps = {}
import kafdocs.sandbox.app
steps["sandbox"] = sorted(sys.modules)
walk("kafdocs.api")
steps["api"] = sorted(sys.modules)
walk("kafdocs.transfer")
steps["transfer"] = sorted(sys.modules)
import kafdocs.commands, kafdocs.watch_cli
steps["cli"] = sorted(sys.modules)
print(json.dumps(steps))
"""


@pytest.fixture(scope="module")
def loaded() -> dict[str, set[str]]:
    """For each step, the modules it brought in (those of earlier steps left out)."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True)
    steps: dict[str, list[str]] = json.loads(out.stdout)
    before: set[str] = set()
    added = {}
    for step, modules in steps.items():
        added[step] = set(modules) - before
        before |= added[step]
    return added


def test_sandbox_stands_apart_from_the_client(loaded: dict[str, set[str]]) -> None:
    assert {m for m in loaded["sandbox"]
            if m.startswith(("kafdocs.api", "kafdocs.transfer", "kafdocs.gui"))} == set()


def test_api_imports_neither_transfer_nor_gui(loaded: dict[str, set[str]]) -> None:
    assert {m for m in loaded["api"]
            if m.startswith(("kafdocs.transfer", "kafdocs.gui"))} == set()


def test_transfer_does_not_import_the_gui(loaded: dict[str, set[str]]) -> None:
    assert {m for m in loaded["transfer"] if m.startswith("kafdocs.gui")} == set()


def test_api_transfer_sandbox_and_the_command_line_do_not_import_qt(
        loaded: dict[str, set[str]]) -> None:
    everything = set().union(*loaded.values())
    assert {m for m in everything if m.startswith(("PySide6", "shiboken"))} == set()
