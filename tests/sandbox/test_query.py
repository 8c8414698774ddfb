"""The VTQL language: syntax, operators, quoting, ordering, paging and the row cap."""

from __future__ import annotations

import pytest

from tests.conftest import ACCESS_KEY
from tests.sandbox.wsclient import Plain, error


@pytest.fixture
def ws(make_sandbox) -> Plain:
    client = Plain(make_sandbox(row_cap=100).url)
    client.login("admin", ACCESS_KEY)
    for n in range(122):
        client.ok(client.create("Documents", {
            "notes_title": f"bulk {n}", "assigned_user_id": "19x1", "folderid": "22x1",
            "filesize": str(n * 100), "filename": f"f{n}.txt"}))
    return client


def rows(ws: Plain, query: str) -> list[dict]:
    return ws.ok(ws.query(query))


def test_row_cap_applies_silently(ws: Plain) -> None:
    assert len(rows(ws, "SELECT * FROM Documents;")) == 100
    assert len(rows(ws, "SELECT * FROM Documents LIMIT 500;")) == 100
    assert len(rows(ws, "SELECT * FROM Documents LIMIT 0,500;")) == 100
    assert len(rows(ws, "SELECT * FROM Documents LIMIT 100,50;")) == 22
    assert rows(ws, "SELECT * FROM Documents LIMIT 200,10;") == []
    assert len(rows(ws, "SELECT * FROM Documents LIMIT 5;")) == 5


def test_count_is_a_string_in_a_one_element_list(ws: Plain) -> None:
    assert rows(ws, "SELECT count(*) FROM Documents;") == [{"count": "122"}]


def test_keywords_in_any_case(ws: Plain) -> None:
    found = rows(ws, "select id from Documents where notes_title = 'bulk 7' limit 1;")
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


def test_and_or_are_evaluated_left_to_right(ws: Plain) -> None:
    # (title = 'bulk 1' OR title = 'bulk 2') AND filesize > 150 -> only bulk 2
    found = rows(ws, "SELECT * FROM Documents WHERE notes_title = 'bulk 1' OR "
                     "notes_title = 'bulk 2' AND filesize > 150;")
    assert [r["notes_title"] for r in found] == ["bulk 2"]


def test_order_by_with_direction_and_numeric_fields(ws: Plain) -> None:
    found = rows(ws, "SELECT notes_title FROM Documents ORDER BY filesize DESC LIMIT 3;")
    assert [r["notes_title"] for r in found] == ["bulk 121", "bulk 120", "bulk 119"]


def test_selected_columns_keep_id_and_attachment_ids(ws: Plain) -> None:
    found = rows(ws, "SELECT notes_title FROM Documents LIMIT 1;")
    assert set(found[0]) == {"notes_title", "id"}


def test_quotes_are_doubled_and_sql_stays_data(ws: Plain) -> None:
    hostile = "l'été'; DROP TABLE documents; --"
    ws.ok(ws.create("Documents", {"notes_title": hostile, "assigned_user_id": "19x1"}))
    quoted = hostile.replace("'", "''")
    found = rows(ws, f"SELECT * FROM Documents WHERE notes_title = '{quoted}';")
    assert [r["notes_title"] for r in found] == [hostile]
    assert rows(ws, "SELECT count(*) FROM Documents;") == [{"count": "123"}]
    assert rows(ws, "SELECT * FROM Documents WHERE notes_title = 'x'' OR ''1''=''1';") == []


@pytest.mark.parametrize(("query", "fragment"), [
    ("SELEC * FROM Documents;", "token 'SELEC' Unexpected Unknown(SELEC), expected one of: "
                                "SELECT"),
    ("SELECT * FROM Documents", "token 'Documents' Unexpected End of Input(0), expected one of:"
                                " SEMICOLON"),
    ("SELECT * FROM Documents WHERE;", "Unexpected SEMICOLON(;), expected one of: COLUMNNAME"),
    ("SELECT * FROM Documents WHERE notes_title = '';", "Unexpected"),
    ("SELECT * FROM Documents LIMIT x;", "expected one of: NUMBER"),
    ("SELECT * FROM Documents; DROP TABLE documents;", "Unexpected"),
])
def test_syntax_errors_name_the_unexpected_token(ws: Plain, query: str, fragment: str) -> None:
    code, message = error(ws.query(query))
    assert code == "QUERY_SYNTAX_ERROR"
    assert message.startswith("Syntax Error on line 1: token ")
    assert fragment in message


@pytest.mark.parametrize("query", [
    'SELECT * FROM Documents WHERE notes_title = "x";',
    "SELECT * FROM Documents WHERE notes_title = 'a\\' OR 1;",
])
def test_double_quotes_and_backslash_quote_break_the_server(ws: Plain, query: str) -> None:
    assert error(ws.query(query)) == ("INTERNAL_SERVER_ERROR",
                                      "Unknown Error while processing request")


def test_unknown_column_module_and_hidden_attribute(ws: Plain) -> None:
    assert error(ws.query("SELECT nosuchfield FROM Documents;")) == (
        "ACCESS_DENIED", "Permission to access '.nosuchfield.' attribute denied.")
    assert error(ws.query("SELECT * FROM Documents WHERE nosuch = 'a';"))[0] == "ACCESS_DENIED"
    assert error(ws.query("SELECT * FROM NoSuchModule;")) == (
        "ACCESS_DENIED", "Permission to perform the operation is denied for name : NoSuchModule")
    assert error(ws.query("SELECT imageattachmentids FROM Documents;"))[1] == (
        "Permission to access '.imageattachmentids.' attribute denied.")


def test_references_compare_with_full_ids_only(ws: Plain) -> None:
    assert len(rows(ws, "SELECT * FROM Documents WHERE folderid = '22x1' LIMIT 3;")) == 3
    assert error(ws.query("SELECT * FROM Documents WHERE folderid = 1;")) == (
        "INVALID_ID_ATTRIBUTE", "Id specified is incorrect")


def test_query_results_have_no_label(ws: Plain) -> None:
    assert all("label" not in r for r in rows(ws, "SELECT * FROM Documents LIMIT 3;"))


def test_paging_with_offset_visits_every_row_once(ws: Plain) -> None:
    seen: list[str] = []
    offset = 0
    while page := rows(ws, f"SELECT id FROM Documents ORDER BY id LIMIT {offset}, 100;"):
        seen += [r["id"] for r in page]
        offset += len(page)
    assert len(seen) == len(set(seen)) == 122


def test_other_modules_can_be_queried(ws: Plain) -> None:
    users = rows(ws, "SELECT * FROM Users;")
    assert users[0]["user_name"] == "admin" and "accesskey" not in users[0]
    assert rows(ws, "SELECT count(*) FROM Accounts;")[0]["count"].isdigit()
    assert len(rows(ws, "SELECT * FROM DocumentFolders;")) >= 1
