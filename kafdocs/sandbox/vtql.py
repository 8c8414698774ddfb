"""VTQL, the webservice's query language, read the way vtiger's own parser reads it.

vtiger lexes a query one token at a time, and what a word becomes depends on the
clause it is in: after ``LIMIT`` every word is a VALUE, after ``ORDER BY`` a
COLUMNNAME. The parser asks for each token as it goes, so an input the lexer cannot
read (a double quote, ``''``) is an internal error only if no syntax error came first.
Errors imitate vtiger's generated parser, whose messages clients show to users:
``Syntax Error on line 1: token 'X' Unexpected KIND(X), expected one of: A,B``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import WSError, internal_error

# One token, in the order of vtiger's lexer alternatives (\w is ASCII-only there).
_LEXEME = re.compile(r"[A-Za-z0-9_]+|'(?:[^']|'')+'|\(|\)|[+-]?\d+|,|\*|=|<=|>=|!=|<|>|;")
_SPACE = re.compile(r"[ \t\r\n]+")
_WHERE_OPERATORS = {"=": "EQ", "<": "LT", "<=": "LTE", ">=": "GTE", "!=": "NE", ">": "GT"}
COMPARISONS = ("EQ", "LT", "GT", "LTE", "GTE", "NE", "IN", "LIKE")
CLAUSES = ("where", "orderby", "limit")
END = "End of Input"


@dataclass(frozen=True)
class Token:
    kind: str  # a parser token name, or "Unknown" when the lexer could not name it
    text: str

    def shown(self) -> str:
        """How vtiger prints the token in its errors: quotes doubled (``''x''``)."""
        return self.text.replace("'", "''")


@dataclass(frozen=True)
class Literal:
    text: str  # as written, quotes included when quoted

    @property
    def quoted(self) -> bool:
        return self.text.startswith("'")

    @property
    def value(self) -> str:
        return self.text[1:-1].replace("''", "'") if self.quoted else self.text


@dataclass(frozen=True)
class Condition:
    column: str
    op: str  # one of COMPARISONS
    values: tuple[Literal, ...]


@dataclass
class Query:
    module: str
    columns: list[str] | None = None  # None means *
    count: bool = False
    where: list[tuple[str, Condition]] = field(default_factory=list)  # ("", c), ("OR", c)…
    order: list[str] = field(default_factory=list)
    descending: bool = False  # one direction, after the last ORDER BY column
    limit: list[str] = field(default_factory=list)  # [n] or [offset, n], as written


class _Lexer:
    """The clause-state lexer: yields tokens named as vtiger's lexer names them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.step = 0  # select, column list, from, table; then the optional clauses
        self.counting = False
        self.clause = 0  # index in CLAUSES
        self.where_column = False  # a column was read, its value is next
        self.in_list = False
        self.order_seen = False

    def __iter__(self) -> Iterator[Token]:
        pos = 0
        while pos < len(self.text):
            space = _SPACE.match(self.text, pos)
            if space:
                pos = space.end()
                continue
            m = _LEXEME.match(self.text, pos)
            if m is None:  # the PHP lexer throws: caught as an internal error
                raise internal_error()
            pos = m.end()
            kind = self._kind(m.group())
            if kind != "":
                yield Token(kind or "Unknown", m.group())

    def _kind(self, word: str) -> str | None:
        """The token name; "" for a word the lexer skips (ORDER); None for Unknown."""
        low = word.lower()
        if self.step < 4:
            return self._mandatory(word, low)
        if word == ";":
            return "SEMICOLON"
        if low == "order":
            self.order_seen = True
            return ""
        if low == "by" and self.order_seen:
            self.order_seen = False
            self.clause = 1
        if low in CLAUSES:
            self.clause = CLAUSES.index(low)
        return (self._where, self._order_by, self._limit)[self.clause](word, low)

    def _mandatory(self, word: str, low: str) -> str | None:
        if self.step == 0:
            if low == "select":
                self.step = 1
                return "SELECT"
            return None
        if self.step == 1:
            if low == "from":
                self.step = 3
                return "FRM"
            if word == "*":
                if not self.counting:
                    self.step = 2
                return "ASTERISK"
            if low == "count":
                self.counting = True
                return "COUNT"
            return {"(": "PARENOPEN", ")": "PARENCLOSE", ",": "COMMA"}.get(word, "COLUMNNAME")
        if self.step == 2:
            if low == "from":
                self.step = 3
                return "FRM"
            return None
        self.step = 4
        return "TABLENAME" if low != "where" else None

    def _where(self, word: str, low: str) -> str | None:
        if word in _WHERE_OPERATORS:
            return _WHERE_OPERATORS[word]
        if low == "where":
            return "WHERE"
        if word == "(":
            return "PARENOPEN"
        if word == ")":
            if self.in_list:
                self.in_list = self.where_column = False
            return "PARENCLOSE"
        if low in ("and", "or"):
            return "LOGICAL_" + low.upper()
        if not self.where_column:
            self.where_column = True
            return "COLUMNNAME"
        if low == "in":
            self.in_list = True
            return "IN"
        if word == ",":
            return "COMMA"
        if low == "like":
            return "LIKE"
        if not self.in_list:
            self.where_column = False
        return "VALUE"

    def _order_by(self, word: str, low: str) -> str | None:
        if not self.order_seen:
            self.order_seen = True
            return "ORDERBY"
        if word == ",":
            return "COMMA"
        return {"asc": "ASC", "desc": "DESC"}.get(low, "COLUMNNAME")

    def _limit(self, word: str, low: str) -> str | None:
        if low == "limit":
            return "LIMIT"
        return {"(": "PARENOPEN", ")": "PARENCLOSE", ",": "COMMA"}.get(word, "VALUE")


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = iter(_Lexer(text))
        self.current: Token | None = None
        self.last = Token(END, "")
        self._advance()

    def _advance(self) -> None:
        self.current = next(self.tokens, None)
        if self.current is not None:
            self.last = self.current

    def peek(self) -> str:
        return self.current.kind if self.current else END

    def take(self, *kinds: str, expected: str = "") -> Token:
        """The next token, which must be one of ``kinds``; else vtiger's syntax error."""
        token = self.current
        if token is None or token.kind not in kinds:
            raise self.error(expected or ",".join(kinds))
        self._advance()
        return token

    def accept(self, kind: str) -> bool:
        if self.peek() == kind:
            self._advance()
            return True
        return False

    def error(self, expected: str) -> WSError:
        if self.current is None:  # vtiger names the last token read, then End of Input(0)
            where, what = self.last.shown(), f"{END}(0)"
        else:
            where = self.current.shown()
            what = f"{self.current.kind}({where})"
        return WSError("QUERY_SYNTAX_ERROR", f"Syntax Error on line 1: token '{where}' "
                                             f"Unexpected {what}, expected one of: {expected}")


def parse(text: str) -> Query:
    """Parse one VTQL statement, final ``;`` included."""
    p = _Parser(text)
    p.take("SELECT")
    query = Query(module="")
    if p.accept("COUNT"):
        p.take("PARENOPEN")
        p.take("ASTERISK")
        p.take("PARENCLOSE")
        query.count = True
    elif not p.accept("ASTERISK"):
        query.columns = [p.take("COLUMNNAME", expected="ASTERISK,COUNT,COLUMNNAME").text]
        while p.accept("COMMA"):
            query.columns.append(p.take("COLUMNNAME").text)
    p.take("FRM", expected="FRM,COMMA" if query.columns else "FRM")
    query.module = p.take("TABLENAME").text
    expected = "SEMICOLON"
    if p.accept("WHERE"):
        query.where.append(("", _condition(p)))
        while p.peek() in ("LOGICAL_AND", "LOGICAL_OR"):
            joiner = p.take("LOGICAL_AND", "LOGICAL_OR").kind.removeprefix("LOGICAL_")
            query.where.append((joiner, _condition(p)))
        expected = "LOGICAL_AND,LOGICAL_OR"
    if p.accept("ORDERBY"):
        query.order.append(p.take("COLUMNNAME").text)
        while p.accept("COMMA"):
            query.order.append(p.take("COLUMNNAME").text)
        expected = "COMMA,ASC,DESC"
        if p.peek() in ("ASC", "DESC"):  # one direction, after the last column only
            query.descending = p.take("ASC", "DESC").kind == "DESC"
            expected = "LIMIT,SEMICOLON"
    if p.accept("LIMIT"):
        query.limit.append(p.take("VALUE").text)
        expected = "COMMA,SEMICOLON"
        if p.accept("COMMA"):
            query.limit.append(p.take("VALUE").text)
            expected = "SEMICOLON"
    p.take("SEMICOLON", expected=expected)
    if p.current is not None:  # a second statement, or anything after the ";"
        raise p.error("")
    return query


def _condition(p: _Parser) -> Condition:
    column = p.take("COLUMNNAME").text
    op = p.take(*COMPARISONS, expected="EQ,LT,GT,LTE,GTE,NE,IN,LIKE").kind
    values = []
    if p.accept("PARENOPEN"):
        values.append(Literal(p.take("VALUE").text))
        while p.accept("COMMA"):
            values.append(Literal(p.take("VALUE").text))
        p.take("PARENCLOSE", expected="PARENCLOSE,COMMA")
    else:
        values.append(Literal(p.take("VALUE", expected="PARENOPEN,VALUE").text))
        while p.accept("COMMA"):
            values.append(Literal(p.take("VALUE").text))
    return Condition(column, op, tuple(values))
