"""The messages of the non-Qt layers that ``_()`` translates, found in the source.

Used by the completeness test and by packaging/update_translations.py: every string
literal passed to ``_()``, and every ``hint`` of an error class.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def messages() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "gui" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_", "N_") \
                    and node.args and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str) and node.value.value and any(
                        getattr(t, "id", getattr(t, "attr", "")) == "hint"
                        for t in node.targets):
                found.add(node.value.value)
    return found
