"""Local names from hostile server names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kafdocs.transfer.naming import NameAllocator, name_key, safe_name


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../evil", "evil"),
    ("/etc/passwd", "passwd"),
    ("C:\\Windows\\system.ini", "system.ini"),
    ("a\x00b\x07c.txt", "a_b_c.txt"),
    ("CON", "_CON"),
    ("com1.txt", "_com1.txt"),
    ("..", "document"),
    ("", "document"),
    ("   ", "document"),
    ("R&amp;D.txt", "R&D.txt"),
    ("what?<>|*.pdf", "what_____.pdf"),
    ("Cafe\u0301.txt", "Café.txt"),
])
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_name("é" * 1000 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= 200


@given(st.text(max_size=400))
def test_any_name_is_one_plain_component(raw: str) -> None:
    name = safe_name(raw)
    assert name and "/" not in name and "\\" not in name and name not in (".", "..")
    assert "\x00" not in name and len(name.encode()) <= 200


def test_allocator_makes_names_unique_ignoring_case_and_normalisation() -> None:
    names = NameAllocator()
    got = [names.name_for(str(i), raw) for i, raw in enumerate(
        ["a.txt", "A.txt", "a.txt", "Cafe\u0301.txt", "Café.txt"])]
    assert got == ["a.txt", "A (2).txt", "a (3).txt", "Café.txt", "Café (2).txt"]
    assert len({name_key(n) for n in got}) == 5


def test_allocator_keeps_names_given_before() -> None:
    names = NameAllocator({"15x9": "a.txt"})
    assert names.name_for("15x3", "a.txt") == "a (2).txt"
    assert names.name_for("15x9", "whatever") == "a.txt"
