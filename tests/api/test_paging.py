"""Paging past the row cap with one sort column, as stock vtiger requires."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kafdocs.api import Client, Query, QuerySyntaxError
from kafdocs.sandbox.app import Sandbox
from kafdocs.sandbox.schema import DOCUMENTS
from tests.conftest import ACCESS_KEY


def fill(box: Sandbox, count: int) -> list[str]:
    """``count`` documents in 22x1, ten of each title so that the sort has ties."""
    ids = []
    for n in range(count):
        crmid = box.server.store.insert(DOCUMENTS, {
            "notes_title": f"Titre {n // 10:02d}", "folderid": "22x1", "filestatus": "1",
            "assigned_user_id": "19x1", "filesize": str(n)})
        ids.append(f"15x{crmid}")
    return ids


@pytest.fixture
def vtiger(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(flavour="vtiger", row_cap=100)


@pytest.mark.parametrize(("column", "descending"), [("notes_title", True), ("filesize", True),
                                                    ("notes_title", False), ("id", True)])
def test_every_document_once_whatever_the_sort(vtiger: Sandbox, column: str,
                                               descending: bool) -> None:
    ids = fill(vtiger, 250)
    with Client(vtiger.url, "admin", ACCESS_KEY) as crm:
        query = Query("Documents").where("folderid", "=", "22x1").order_by(column, descending)
        found = [row["id"] for row in crm.iter_query(query)]
    assert sorted(found) == sorted(ids)


def test_a_query_sorts_by_one_column(vtiger: Sandbox) -> None:
    query = Query("Documents").order_by("notes_title", descending=True).order_by("id")
    assert query.vtql() == "SELECT * FROM Documents ORDER BY id;"
    with Client(vtiger.url, "admin", ACCESS_KEY) as crm, pytest.raises(QuerySyntaxError):
        crm.query("SELECT * FROM Documents ORDER BY notes_title DESC, id;")


def test_documents_removed_between_pages_are_not_missed(vtiger: Sandbox) -> None:
    ids = fill(vtiger, 250)
    with Client(vtiger.url, "admin", ACCESS_KEY) as crm:
        pages = crm.iter_query(Query("Documents").order_by("filesize")).pages()
        found = [row["id"] for row in next(pages)]
        for doc in found[:30]:  # the next pages shift by 30 rows
            crm.delete(doc)
        found += [row["id"] for page in pages for row in page]
    assert len(found) == len(set(found))
    assert set(found) >= set(ids[30:])


def test_a_server_repeating_one_page_does_not_keep_it_paging(vtiger: Sandbox,
                                                              monkeypatch) -> None:
    fill(vtiger, 5)
    with Client(vtiger.url, "admin", ACCESS_KEY) as crm:
        monkeypatch.setattr(crm, "count", lambda query: 10**9)
        first = crm.query(Query("Documents").limit(100))
        monkeypatch.setattr(crm, "query", lambda query: first)
        assert len(list(crm.iter_query(Query("Documents")))) == 5
