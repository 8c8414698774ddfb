"""Building VTQL statements safely: quoting as the language wants, nothing left to chance."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kafdocs.i18n import _

from .errors import QueryValueError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
OPERATORS = frozenset({"=", "!=", "<", ">", "<=", ">=", "LIKE", "IN"})
Value = str | int


def quote(value: Value) -> str:
    """A VTQL literal: single quotes, inner quotes doubled.

    The language cannot express an empty string (``''`` is a syntax error) nor a
    backslash before a quote (the server fails): such values raise instead of
    sending a broken or different query.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise QueryValueError(f"Unsupported query value {value!r}")
    text = str(value)
    if text == "":
        raise QueryValueError(_("An empty value cannot be searched for"))
    if "\\'" in text or text.endswith("\\"):
        raise QueryValueError(_("A backslash before a quote cannot be searched for: {text!r}")
                              .format(text=text))
    return "'" + text.replace("'", "''") + "'"


def name(text: str) -> str:
    if not _NAME.match(text):
        raise QueryValueError(f"Not a field or module name: {text!r}")
    return text


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Value | tuple[Value, ...]
    joiner: str = "AND"

    def vtql(self) -> str:
        if self.op == "IN":
            values = self.value if isinstance(self.value, tuple) else (self.value,)
            if not values:
                raise QueryValueError("IN needs at least one value")
            return f"{self.field} IN ({','.join(quote(v) for v in values)})"
        assert not isinstance(self.value, tuple)
        return f"{self.field} {self.op} {quote(self.value)}"


@dataclass(frozen=True)
class Query:
    """An immutable VTQL statement; each method returns a new one.

    >>> str(Query("Documents").where("folderid", "=", "22x1").order_by("id").limit(100, 200))
    "SELECT * FROM Documents WHERE folderid = '22x1' ORDER BY id LIMIT 200, 100;"
    """

    module: str
    columns: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    ordering: tuple[str, bool] | None = None  # one column: vtiger refuses "x DESC, y"
    count_only: bool = False
    page: tuple[int, int] | None = None  # (offset, size)

    def __post_init__(self) -> None:
        name(self.module)
        for column in self.columns:
            name(column)

    def select(self, *columns: str) -> Query:
        return replace(self, columns=tuple(columns))

    def where(self, field_name: str, op: str, value: Value | Iterable[Value],
              joiner: str = "AND") -> Query:
        op = op.upper()
        if op not in OPERATORS:
            raise QueryValueError(f"Unsupported operator {op!r}")
        if joiner not in ("AND", "OR"):
            raise QueryValueError(f"Unsupported joiner {joiner!r}")
        stored = tuple(value) if op == "IN" and not isinstance(value, (str, int)) else value
        cond = Condition(name(field_name), op, stored, joiner)  # type: ignore[arg-type]
        cond.vtql()  # fail now, not when sending
        return replace(self, conditions=(*self.conditions, cond))

    def or_where(self, field_name: str, op: str, value: Value | Iterable[Value]) -> Query:
        return self.where(field_name, op, value, joiner="OR")

    def order_by(self, field_name: str, descending: bool = False) -> Query:
        """Sort by ONE column, replacing any earlier order: vtiger's parser accepts a
        single direction after the last column only, so "x DESC, id" is a syntax error.
        Ties come back in no guaranteed order; QueryPager copes with that."""
        return replace(self, ordering=(name(field_name), descending))

    def limit(self, size: int, offset: int = 0) -> Query:
        if size < 1 or offset < 0:
            raise QueryValueError("LIMIT needs a positive size and a non-negative offset")
        return replace(self, page=(offset, size))

    def count(self) -> Query:
        return replace(self, count_only=True, ordering=None, page=None)

    def vtql(self, related: bool = False) -> str:
        """The statement; ``related`` gives query_related's form, without the final ``;``.

        query_related splits the text on ``WHERE`` to put its own condition first, or
        appends `` WHERE …`` when there is none: after an ORDER BY or a LIMIT that is a
        syntax error, so such a related query must have a condition of its own.
        """
        if related and not self.conditions and (self.ordering or self.page):
            raise QueryValueError("A related query that is sorted or paged needs a "
                                  "WHERE condition (the server appends its own after it)")
        what = "count(*)" if self.count_only else ", ".join(self.columns) or "*"
        parts = [f"SELECT {what} FROM {self.module}"]
        for i, cond in enumerate(self.conditions):
            parts.append(("WHERE " if i == 0 else f"{cond.joiner} ") + cond.vtql())
        if self.ordering:
            column, descending = self.ordering
            parts.append(f"ORDER BY {column} DESC" if descending else f"ORDER BY {column}")
        if self.page:
            offset, size = self.page
            parts.append(f"LIMIT {offset}, {size}")
        text = " ".join(parts)
        return text if related else text + ";"

    def __str__(self) -> str:
        return self.vtql()
