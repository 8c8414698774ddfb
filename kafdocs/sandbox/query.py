"""Run a parsed VTQL query against the store by compiling it to parameterised SQL.

Values never enter the SQL text: SQL-looking strings stay data.
"""

from __future__ import annotations

import sqlite3

from . import vtql
from .errors import attribute_denied, internal_error, invalid_id
from .records import WS_ID, module_or_denied
from .schema import Module
from .store import Store

SQL_OPS = {"EQ": "=", "NE": "!=", "LT": "<", "GT": ">", "LTE": "<=", "GTE": ">="}
HIDDEN = {"imageattachmentids"}


def check_column(module: Module, name: str) -> str:
    if name == "id" or (name not in HIDDEN and module.field(name) is not None):
        return name
    raise attribute_denied(name)


def _column_sql(module: Module, name: str) -> str:
    if name == "id":
        return "crmid"
    field = module.field(name)
    assert field is not None
    return f'CAST("{name}" AS INTEGER)' if field.numeric else f'"{name}"'


def _value_param(module: Module, column: str, value: str, op: str) -> object:
    """Translate a literal to what the column holds, validating ids as the server does."""
    if column == "id":
        m = WS_ID.match(value)
        if not m or m.group(1) != module.prefix:
            raise invalid_id()
        return int(m.group(2))
    field = module.field(column)
    assert field is not None
    if field.is_reference and op != "LIKE" and not WS_ID.match(value):
        raise invalid_id()
    return value


def _condition_sql(module: Module, cond: vtql.Condition) -> tuple[str, list[object]]:
    column = check_column(module, cond.column)
    lhs = _column_sql(module, column)
    field = module.field(column)
    numeric = column == "id" or (field is not None and field.numeric)
    params = [_value_param(module, column, v, cond.op) for v in cond.values]
    if cond.op == "LIKE":
        return f"{lhs} LIKE ? ESCAPE '\\'", params
    rhs = "CAST(? AS INTEGER)" if numeric and column != "id" else "?"
    collate = "" if numeric else " COLLATE NOCASE"
    if cond.op == "IN":
        return f"{lhs}{collate} IN ({', '.join([rhs] * len(params))})", params
    return f"{lhs}{collate} {SQL_OPS[cond.op]} {rhs}", params


def where_sql(module: Module, where: list[tuple[str, vtql.Condition]]) -> tuple[str, list[object]]:
    """Conditions joined left to right, without precedence, as the vtiger parser does."""
    sql, params = "", []
    for joiner, cond in where:
        part, values = _condition_sql(module, cond)
        sql = f"({sql} {joiner} {part})" if sql else f"({part})"
        params.extend(values)
    return sql, params


def run(store: Store, query: vtql.Query, row_cap: int) -> tuple[Module, list[dict[str, str]] | int]:
    """Run ``query``; returns the module and either rows or, for count(*), the count."""
    module = module_or_denied(query.module)
    columns = [check_column(module, c) for c in query.columns] if query.columns else None
    where, params = where_sql(module, query.where)
    sql_where = f" WHERE {where}" if where else ""
    try:
        if query.count:
            (count,) = store.fetch(f"SELECT count(*) FROM {module.table}{sql_where}", params)[0]
            return module, int(count)
        order = ", ".join(
            _column_sql(module, check_column(module, c)) + (" DESC" if desc else "")
            for c, desc in query.order
        ) or "crmid"
        limit = row_cap if query.limit is None else min(query.limit, row_cap)
        offset = query.offset or 0
        found = store.fetch(
            f"SELECT * FROM {module.table}{sql_where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    except sqlite3.OperationalError as exc:
        raise internal_error() from exc
    names = ["crmid", *module.column_names]
    rows = [dict(zip(names, r, strict=False)) for r in found]
    return module, [_project(r, columns) for r in rows]


def _project(row: dict[str, object], columns: list[str] | None) -> dict[str, str]:
    keep = dict(row)
    if columns is not None:
        keep = {"crmid": row["crmid"], **{c: row.get(c) for c in columns if c != "id"}}
    return {k: ("" if v is None else str(v)) for k, v in keep.items()}
