"""Run a parsed VTQL query against the store, as vtiger's SQL on MySQL would answer it.

The conditions keep their written order with no parentheses, so AND binds tighter
than OR, as in MySQL. Text compares through ``fold`` (MySQL's case- and
accent-insensitive collation). Values never enter the SQL text: SQL-looking strings
stay data.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from . import vtql
from .errors import WSError, database_error, internal_error, invalid_id
from .schema import MODULES, USERS, Field, Module
from .store import Store

SQL_OPS = {"EQ": "=", "NE": "!=", "LT": "<", "GT": ">", "LTE": "<=", "GTE": ">=",
           "LIKE": "LIKE", "IN": "IN"}


@dataclass
class _Sql:
    text: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)


def _select_column(module: Module, name: str) -> str:
    if name == "id" or module.field(name) is not None:
        return name
    raise WSError("ACCESS_DENIED", f"Permission to access '.{name}.' attribute denied.")


def _where_field(module: Module, name: str) -> Field | None:
    """The field a condition names (None for ``id``); vtiger words this error otherwise."""
    if name == "id":
        return None
    found = module.field(name)
    if found is None:
        raise WSError("ACCESS_DENIED", f"Permission to access {name} attribute denied.")
    return found


def _record_number(text: str) -> str:
    """vtiger keeps what follows the ``x`` of an id, whatever the prefix was."""
    if "x" not in text:
        raise database_error()  # "crmid = " with nothing after it: an SQL error
    return text.split("x")[1]


def _reference_value(target: Field, literal: vtql.Literal) -> str:
    value = literal.value
    if target.type == "reference" and "x" not in value:
        raise invalid_id()
    return f"{_prefix_of(target)}x{_record_number(value)}"


def _prefix_of(target: Field) -> str:
    if target.type == "owner":
        return USERS.prefix
    module = MODULES.get(target.refers_to[0]) if target.refers_to else None
    return module.prefix if module else ""


def _condition(module: Module, cond: vtql.Condition, sql: _Sql) -> None:
    target = _where_field(module, cond.column)
    op = SQL_OPS[cond.op]
    if target is None:  # the record id
        lhs, values = "t.crmid", [int(_record_number(v.value)) for v in cond.values]
        rhs = "?"
    elif target.is_reference:
        lhs, values, rhs = f't."{target.name}"', [_reference_value(target, v)
                                                  for v in cond.values], "?"
    elif target.numeric:
        lhs, values, rhs = f'CAST(t."{target.name}" AS REAL)', [
            _plain(v) for v in cond.values], "CAST(? AS REAL)"
    else:
        lhs, values, rhs = f'fold(t."{target.name}")', [_plain(v) for v in cond.values], "fold(?)"
    if cond.op == "IN":
        sql.text.append(f"{lhs} IN ({', '.join([rhs] * len(values))})")
    elif cond.op == "LIKE":
        sql.text.append(f"{lhs} LIKE {rhs} ESCAPE '\\'")
    else:
        sql.text.append(f"{lhs} {op} {rhs}")
    sql.params.extend(values)


def _plain(literal: vtql.Literal) -> str:
    """An unquoted word is a column name to MySQL: unknown there, so the SQL fails."""
    if not literal.quoted and not literal.text.lstrip("+-").isdigit():
        raise database_error()
    return literal.value


def _where(module: Module, query: vtql.Query) -> _Sql:
    sql = _Sql()
    for joiner, cond in query.where:
        if joiner:
            sql.text.append(joiner)
        _condition(module, cond, sql)
    return sql


def _order(module: Module, query: vtql.Query) -> str:
    """ORDER BY as written (an unknown column orders nothing); the direction belongs to
    the last column; ties keep the database's order."""
    parts = []
    for name in query.order:
        target = module.field(name)
        if name == "id":
            parts.append("t.crmid")
        elif target is not None:
            parts.append(f'CAST(t."{name}" AS REAL)' if target.numeric
                         else f'fold(t."{name}")')
    if parts and query.descending:
        parts[-1] += " DESC"
    return ", ".join([*parts, "t.crmid"])


def _limit(query: vtql.Query, row_cap: int) -> tuple[int, int]:
    """vtiger caps the row count (never the offset) and adds one when there is none."""
    if not all(v.isdigit() for v in query.limit):
        raise database_error()
    numbers = [int(v) for v in query.limit]
    if not numbers:
        return 0, row_cap
    if len(numbers) == 1:
        return 0, min(numbers[0], row_cap)
    return numbers[0], min(numbers[1], row_cap)


def run(store: Store, module: Module, query: vtql.Query,
        row_cap: int) -> list[dict[str, str]] | int:
    """Run ``query`` on ``module``; rows, or for count(*) the count."""
    columns = [_select_column(module, c) for c in query.columns] if query.columns else None
    where = _where(module, query)
    live = (" JOIN crmentity e ON e.crmid = t.crmid AND e.deleted = 0"
            if module.id_source == "crmentity" else "")
    sql_where = f" WHERE {' '.join(where.text)}" if where.text else ""
    base = f"FROM {module.table} t{live}{sql_where}"
    try:
        if query.count:
            return int(store.fetch(f"SELECT count(*) {base}", where.params)[0][0])
        offset, limit = _limit(query, row_cap)
        found = store.fetch(f"SELECT t.* {base} ORDER BY {_order(module, query)} "
                            "LIMIT ? OFFSET ?", [*where.params, limit, offset])
    except sqlite3.OperationalError as exc:
        raise internal_error() from exc
    names = ["crmid", *module.column_names]
    rows = [dict(zip(names, r, strict=False)) for r in found]
    return [_project(r, columns) for r in rows]


def _project(row: dict[str, object], columns: list[str] | None) -> dict[str, str]:
    keep = dict(row)
    if columns is not None:
        keep = {"crmid": row["crmid"], **{c: row.get(c) for c in columns if c != "id"}}
    return {k: ("" if v is None else str(v)) for k, v in keep.items()}
