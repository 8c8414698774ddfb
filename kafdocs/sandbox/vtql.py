"""VTQL, the webservice's query language: a lexer and a recursive-descent parser.

Errors imitate vtiger's generated parser, whose messages clients show to users:
``Syntax Error on line 1: token 'X' Unexpected KIND(X), expected one of: A,B``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import WSError, internal_error

KEYWORDS = {
    "SELECT", "FROM", "WHERE", "AND", "OR", "ORDER", "BY", "ASC", "DESC",
    "LIMIT", "IN", "LIKE",
}
OPERATORS = {"=": "EQ", "!=": "NE", "<>": "NE", "<": "LT", ">": "GT", "<=": "LTE", ">=": "GTE"}
PUNCTUATION = {",": "COMMA", ";": "SEMICOLON", "(": "PARENOPEN", ")": "PARENCLOSE", "*": "ASTERISK"}
COMPARISONS = ("EQ", "NE", "LT", "GT", "LTE", "GTE")
END = "End of Input"

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class Condition:
    column: str
    op: str  # one of COMPARISONS, "IN" or "LIKE"
    values: tuple[str, ...]
    quoted: tuple[bool, ...]


@dataclass
class Query:
    module: str
    columns: list[str] | None = None  # None means *
    count: bool = False
    where: list[tuple[str, Condition]] = field(default_factory=list)  # (AND|OR|"", cond)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    offset: int | None = None
    limit: int | None = None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        m = _SPACE.match(text, i)
        if m:
            i = m.end()
            continue
        ch = text[i]
        if ch == "'":
            value, i = _read_string(text, i)
            tokens.append(Token("VALUE", value))
            continue
        if ch == '"':
            raise internal_error()  # the real server fails on double-quoted literals
        two = text[i:i + 2]
        if two in OPERATORS:
            tokens.append(Token(OPERATORS[two], two))
            i += 2
            continue
        if ch in OPERATORS:
            tokens.append(Token(OPERATORS[ch], ch))
            i += 1
            continue
        if ch in PUNCTUATION:
            tokens.append(Token(PUNCTUATION[ch], ch))
            i += 1
            continue
        m = _NUMBER.match(text, i)
        if m:
            tokens.append(Token("NUMBER", m.group()))
            i = m.end()
            continue
        m = _WORD.match(text, i)
        if m:
            word = m.group()
            upper = word.upper()
            tokens.append(Token(upper if upper in KEYWORDS else "WORD", word))
            i = m.end()
            continue
        tokens.append(Token("Unknown", ch))
        i += 1
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Read a single-quoted literal; a doubled quote stands for one quote."""
    out: list[str] = []
    i = start + 1
    while True:
        end = text.find("'", i)
        if end < 0:
            raise _syntax(Token("Unknown", text[start:]), ["VALUE"])
        chunk = text[i:end]
        out.append(chunk)
        if chunk.endswith("\\"):
            raise internal_error()  # a backslash before a quote breaks the real server
        if text.startswith("''", end):
            out.append("'")
            i = end + 2
            continue
        value = "".join(out)
        if not value:
            raise _syntax(Token("Unknown", "''"), ["VALUE"])
        return value, end + 1


def _syntax(token: Token, expected: list[str]) -> WSError:
    shown = "0" if token.kind == END else token.text
    return WSError(
        "QUERY_SYNTAX_ERROR",
        f"Syntax Error on line 1: token '{token.text}' Unexpected {token.kind}({shown}), "
        f"expected one of: {','.join(expected)}",
    )


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token:
        if self.pos < len(self.tokens):
            return self.tokens[self.pos]
        last = self.tokens[-1].text if self.tokens else ""
        return Token(END, last)

    def accept(self, *kinds: str) -> Token | None:
        tok = self.peek()
        if tok.kind in kinds:
            self.pos += 1
            return tok
        return None

    def expect(self, *kinds: str) -> Token:
        tok = self.accept(*kinds)
        if tok is None:
            raise self.unexpected(list(kinds))
        return tok

    def unexpected(self, expected: list[str]) -> WSError:
        tok = self.peek()
        if tok.kind == "WORD" and "COLUMNNAME" not in expected and "TABLENAME" not in expected:
            tok = Token("Unknown", tok.text)
        return _syntax(tok, expected)

    def column(self) -> str:
        tok = self.peek()
        if tok.kind == "WORD":
            self.pos += 1
            return tok.text
        raise self.unexpected(["COLUMNNAME"])

    def value(self) -> tuple[str, bool]:
        tok = self.expect("VALUE", "NUMBER")
        return tok.text, tok.kind == "VALUE"


def parse(text: str) -> Query:
    """Parse one VTQL statement, final ``;`` included."""
    p = _Parser(tokenize(text))
    p.expect("SELECT")
    columns: list[str] | None = None
    count = False
    if p.accept("ASTERISK"):
        pass
    elif p.peek().kind == "WORD" and p.peek().text.lower() == "count":
        p.pos += 1
        p.expect("PARENOPEN")
        p.expect("ASTERISK")
        p.expect("PARENCLOSE")
        count = True
    else:
        columns = [p.column()]
        while p.accept("COMMA"):
            columns.append(p.column())
    p.expect("FROM")
    module = p.peek()
    if module.kind != "WORD":
        raise p.unexpected(["TABLENAME"])
    p.pos += 1
    query = Query(module=module.text, columns=columns, count=count)
    if p.accept("WHERE"):
        query.where.append(("", _condition(p)))
        while (joiner := p.accept("AND", "OR")) is not None:
            query.where.append((joiner.kind, _condition(p)))
    if p.accept("ORDER"):
        p.expect("BY")
        query.order.append(_order_item(p))
        while p.accept("COMMA"):
            query.order.append(_order_item(p))
    if p.accept("LIMIT"):
        first = int(p.expect("NUMBER").text)
        if p.accept("COMMA"):
            query.offset, query.limit = first, int(p.expect("NUMBER").text)
        else:
            query.limit = first
    p.expect("SEMICOLON")
    if p.peek().kind != END:
        raise p.unexpected([END])
    return query


def _condition(p: _Parser) -> Condition:
    column = p.column()
    if p.accept("IN"):
        p.expect("PARENOPEN")
        items = [p.value()]
        while p.accept("COMMA"):
            items.append(p.value())
        p.expect("PARENCLOSE")
        return Condition(column, "IN", tuple(v for v, _ in items), tuple(q for _, q in items))
    if p.accept("LIKE"):
        value, quoted = p.value()
        return Condition(column, "LIKE", (value,), (quoted,))
    op = p.expect(*COMPARISONS, "IN", "LIKE")
    value, quoted = p.value()
    return Condition(column, op.kind, (value,), (quoted,))


def _order_item(p: _Parser) -> tuple[str, bool]:
    column = p.column()
    direction = p.accept("ASC", "DESC")
    return column, bool(direction and direction.kind == "DESC")
