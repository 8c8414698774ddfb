"""The VTQL language as vtiger reads it: syntax, operators, quoting, ordering, the row cap.

One sandbox per flavour holds 122 documents for the whole module; the tests only read.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kafdocs.sandbox.app import Sandbox, SandboxSettings
from kafdocs.sandbox.operations import Config
from tests.conftest import ACCESS_KEY
from tests.sandbox.conftest import FLAVOURS
from tests.sandbox.wsclient import Plain, error

TITLES = {5: "Été à Paris", 6: "ETE A PARIS", 7: "été à paris", 8: "L'Œuvre"}


@pytest.fixture(scope="module", params=FLAVOURS)
def ws(request, tmp_path_factory) -> Iterator[Plain]:
    box = Sandbox(SandboxSettings(data_dir=tmp_path_factory.mktemp("vtql"),
                                  access_key=ACCESS_KEY,
                                  config=Config(row_cap=100, flavour=request.param))).start()
    client = Plain(box.url)
    client.login("admin", ACCESS_KEY)
    for n in range(122):
        client.ok(client.create("Documents", {
            "notes_title": TITLES.get(n, f"bulk {n}"), "assigned_user_id": "19x1",
            "folderid": "22x1", "filesize": str(n * 100), "filename": f"f{n}.txt"}))
    yield client
    box.stop()


def rows(ws: Plain, query: str) -> list[dict]:
    return ws.ok(ws.query(query))


def titles(ws: Plain, query: str) -> list[str]:
    return [r["notes_title"] for r in rows(ws, query)]


def test_row_cap_applies_silently(ws: Plain) -> None:
    assert len(rows(ws, "SELECT * FROM Documents;")) == 100
    assert len(rows(ws, "SELECT * FROM Documents LIMIT 500;")) == 100
    assert len(rows(ws, "SELECT * FROM Documents LIMIT 0,500;")) == 100
    assert len(rows(ws, "SELECT * FROM Documents LIMIT 100,50;")) == 22
    assert rows(ws, "SELECT * FROM Documents LIMIT 200,10;") == []
    assert len(rows(ws, "SELECT * FROM Documents LIMIT 5;")) == 5


def test_count_is_a_string_in_a_one_element_list(ws: Plain) -> None:
    assert rows(ws, "SELECT count(*) FROM Documents;") == [{"count": "122"}]
    assert rows(ws, "SELECT count(*) FROM Documents WHERE notes_title = 'bulk 1' OR "
                    "notes_title = 'bulk 2';") == [{"count": "2"}]


def test_keywords_in_any_case(ws: Plain) -> None:
    found = rows(ws, "select id from Documents where notes_title = 'bulk 9' limit 1;")
    assert len(found) == 1


def test_like_in_and_comparisons(ws: Plain) -> None:
    assert len(rows(ws, "SELECT * FROM Documents WHERE notes_title LIKE 'bulk 11%';")) == 11
    ids = [r["id"] for r in rows(ws, "SELECT id FROM Documents LIMIT 2;")]
    found = rows(ws, f"SELECT * FROM Documents WHERE id IN ('{ids[0]}','{ids[1]}');")
    assert [r["id"] for r in found] == ids
    assert len(rows(ws, "SELECT * FROM Documents WHERE filesize >= 12000;")) == 2
    assert len(rows(ws, "SELECT * FROM Documents WHERE filesize > 10000 AND "
                        "filesize < 11000;")) == 9
    assert len(rows(ws, "SELECT * FROM Documents WHERE filesize != 0 LIMIT 0,200;")) == 100


def test_comparisons_ignore_case_and_accents(ws: Plain) -> None:
    same = ["Été à Paris", "ETE A PARIS", "été à paris"]
    assert titles(ws, "SELECT * FROM Documents WHERE notes_title = 'ete a paris';") == same
    assert titles(ws, "SELECT * FROM Documents WHERE notes_title LIKE 'ÉTÉ%';") == same
    assert titles(ws, "SELECT * FROM Documents WHERE notes_title IN ('Ete a Paris', "
                      "'l''œuvre');") == [*same, "L'Œuvre"]


def test_and_binds_tighter_than_or(ws: Plain) -> None:
    # title = 'bulk 1' OR (title = 'bulk 2' AND filesize > 250): only bulk 1
    assert titles(ws, "SELECT * FROM Documents WHERE notes_title = 'bulk 1' OR "
                      "notes_title = 'bulk 2' AND filesize > 250;") == ["bulk 1"]
    assert titles(ws, "SELECT * FROM Documents WHERE filesize > 250 AND notes_title = "
                      "'bulk 1' OR notes_title = 'bulk 2';") == ["bulk 2"]


def test_parentheses_are_not_part_of_the_language(ws: Plain) -> None:
    code, message = error(ws.query("SELECT * FROM Documents WHERE (notes_title = 'bulk 1');"))
    assert code == "QUERY_SYNTAX_ERROR" and "Unexpected PARENOPEN((" in message


def test_order_by_with_direction_and_numeric_fields(ws: Plain) -> None:
    assert titles(ws, "SELECT notes_title FROM Documents ORDER BY filesize DESC LIMIT 3;") == [
        "bulk 121", "bulk 120", "bulk 119"]


def test_order_by_two_columns_takes_one_direction_after_the_last(ws: Plain) -> None:
    found = titles(ws, "SELECT * FROM Documents WHERE notes_title LIKE 'bulk 1%' "
                       "ORDER BY notecontent, filesize DESC LIMIT 2;")
    assert found == ["bulk 121", "bulk 120"]
    code, message = error(ws.query("SELECT * FROM Documents ORDER BY notes_title DESC, id;"))
    assert (code, message) == ("QUERY_SYNTAX_ERROR", "Syntax Error on line 1: token ',' "
                               "Unexpected COMMA(,), expected one of: LIMIT,SEMICOLON")


def test_order_by_an_unknown_column_orders_nothing_and_succeeds(ws: Plain) -> None:
    assert len(rows(ws, "SELECT id FROM Documents ORDER BY nosuchcol LIMIT 3;")) == 3


def test_selected_columns_keep_id(ws: Plain) -> None:
    found = rows(ws, "SELECT notes_title FROM Documents LIMIT 1;")
    assert set(found[0]) == {"notes_title", "id"}


def test_quotes_are_doubled_and_sql_stays_data(ws: Plain) -> None:
    assert titles(ws, "SELECT * FROM Documents WHERE notes_title = 'L''Œuvre';") == ["L'Œuvre"]
    assert rows(ws, "SELECT * FROM Documents WHERE notes_title = 'x'' OR ''1''=''1';") == []
    assert rows(ws, "SELECT count(*) FROM Documents WHERE notes_title = "
                    "'x''; DROP TABLE documents; --';") == [{"count": "0"}]


@pytest.mark.parametrize(("query", "message"), [
    ("SELEC * FROM Documents;", "token 'SELEC' Unexpected Unknown(SELEC), expected one of: "
                                "SELECT"),
    ("SELECT * FROM Documents", "token 'Documents' Unexpected End of Input(0), expected one "
                                "of: SEMICOLON"),
    ("SELECT * FROM Documents WHERE;", "token ';' Unexpected SEMICOLON(;), expected one of: "
                                       "COLUMNNAME"),
    ("SELECT * FROM Documents; DROP TABLE documents;", "token 'DROP' Unexpected "
                                                       "COLUMNNAME(DROP), expected one of: "),
    ("SELECT * FROM Documents LIMIT 5; SELECT * FROM Documents;",
     "token 'SELECT' Unexpected VALUE(SELECT), expected one of: "),
    ("SELECT FROM Documents;", "token 'FROM' Unexpected FRM(FROM), expected one of: "
                               "ASTERISK,COUNT,COLUMNNAME"),
    ("SELECT id notes_title FROM Documents;", "token 'notes_title' Unexpected "
                                              "COLUMNNAME(notes_title), expected one of: "
                                              "FRM,COMMA"),
    ("SELECT * FROM Documents WHERE notes_title 'x';", "token '''x''' Unexpected VALUE(''x''), "
                                                       "expected one of: EQ,LT,GT,LTE,GTE,NE,"
                                                       "IN,LIKE"),
    ("SELECT * FROM Documents WHERE notes_title = 'O\\'Brien';",
     "token 'Brien' Unexpected COLUMNNAME(Brien), expected one of: LOGICAL_AND,LOGICAL_OR"),
])
def test_syntax_errors_print_tokens_as_vtiger(ws: Plain, query: str, message: str) -> None:
    assert error(ws.query(query)) == ("QUERY_SYNTAX_ERROR", f"Syntax Error on line 1: {message}")


@pytest.mark.parametrize("query", [
    'SELECT * FROM Documents WHERE notes_title = "x";',
    "SELECT * FROM Documents WHERE notes_title = '';",
    "SELECT * FROM Documents WHERE notes_title = 'a\\' OR 'b;",
    "SELECT * FROM Documents WHERE notes_title = été;",
])
def test_input_the_lexer_cannot_read_is_an_internal_error(ws: Plain, query: str) -> None:
    assert error(ws.query(query)) == ("INTERNAL_SERVER_ERROR",
                                      "Unknown Error while processing request")


@pytest.mark.parametrize("query", [
    "SELECT * FROM Documents LIMIT x;",
    "SELECT * FROM Documents WHERE notes_title = bulk;",
    "SELECT * FROM Documents WHERE id = '5';",
])
def test_sql_that_mysql_refuses_is_a_database_error(ws: Plain, query: str) -> None:
    assert error(ws.query(query))[0] == "DATABASE_QUERY_ERROR"


def test_unknown_column_module_and_hidden_attribute(ws: Plain) -> None:
    assert error(ws.query("SELECT nosuchfield FROM Documents;")) == (
        "ACCESS_DENIED", "Permission to access '.nosuchfield.' attribute denied.")
    assert error(ws.query("SELECT * FROM Documents WHERE nosuchcol = 'a';")) == (
        "ACCESS_DENIED", "Permission to access nosuchcol attribute denied.")
    assert error(ws.query("SELECT * FROM NoSuchModule;")) == (
        "ACCESS_DENIED", "Permission to perform the operation is denied for name : NoSuchModule")
    assert error(ws.query("SELECT imageattachmentids FROM Documents;"))[1] == (
        "Permission to access '.imageattachmentids.' attribute denied.")
    assert error(ws.query("SELECT * FRM Documents;")) == (
        "ACCESS_DENIED", "Permission to perform the operation is denied for query")


def test_the_module_is_checked_before_the_syntax(ws: Plain) -> None:
    assert error(ws.query("SELEC * FROM Nope;"))[1].endswith("for name : Nope")


def test_references_compare_with_full_ids_only(ws: Plain) -> None:
    assert len(rows(ws, "SELECT * FROM Documents WHERE folderid = '22x1' LIMIT 3;")) == 3
    assert error(ws.query("SELECT * FROM Documents WHERE folderid = 1;")) == (
        "INVALID_ID_ATTRIBUTE", "Id specified is incorrect")


def test_query_results_have_no_label(ws: Plain) -> None:
    assert all("label" not in r for r in rows(ws, "SELECT * FROM Documents LIMIT 3;"))


def test_paging_with_offset_visits_every_row_once(ws: Plain) -> None:
    seen: list[str] = []
    offset = 0
    while page := rows(ws, f"SELECT id FROM Documents ORDER BY notes_title DESC "
                           f"LIMIT {offset}, 100;"):
        seen += [r["id"] for r in page]
        offset += len(page)
    assert len(seen) == len(set(seen)) == 122


def test_other_modules_can_be_queried(ws: Plain) -> None:
    users = rows(ws, "SELECT * FROM Users;")
    assert users[0]["user_name"] == "admin" and "accesskey" not in users[0]
    assert rows(ws, "SELECT count(*) FROM Accounts;")[0]["count"].isdigit()
    assert len(rows(ws, "SELECT * FROM DocumentFolders;")) >= 1
