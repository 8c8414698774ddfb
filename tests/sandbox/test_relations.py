"""Links between records and documents: add_related, query_related, retrieve_related."""

from __future__ import annotations

import pytest

from tests.sandbox.wsclient import Plain, error

DOC = {"notes_title": "Doc", "folderid": "22x1", "filestatus": "1", "assigned_user_id": "19x1"}
OK = {"message": "successfull"}


@pytest.fixture
def crm(both: Plain) -> dict[str, str]:
    """An account with a contact, a product, and documents to link."""
    account = both.ok(both.create("Accounts", {"accountname": "ACME",
                                               "assigned_user_id": "19x1"}))["id"]
    contact = both.ok(both.create("Contacts", {"lastname": "Durand", "account_id": account,
                                               "assigned_user_id": "19x1"}))["id"]
    product = both.ok(both.create("Products", {"productname": "Four",
                                               "assigned_user_id": "19x1"}))["id"]
    docs = {name: both.ok(both.create("Documents", {**DOC, "notes_title": name,
                                                    "filesize": size}))["id"]
            for name, size in (("big", "20000"), ("small", "10"), ("contact's", "5"))}
    return {"account": account, "contact": contact, "product": product, **docs}


def link(ws: Plain, source: str, target: str, **label: str) -> dict:
    return ws.ok(ws.post("add_related", sourceRecordId=source, relatedRecordId=target,
                         **label))


def related(ws: Plain, record: str, query: str, label: str = "Documents") -> dict:
    return ws.get("query_related", id=record, relatedLabel=label, query=query)


def ids(answer: dict) -> set[str]:
    assert answer["success"] is True, answer
    return {r["id"] for r in answer["result"]}


def test_add_related_links_a_record_to_a_document(both: Plain, crm: dict[str, str]) -> None:
    for _ in range(2):  # linking twice is fine
        assert link(both, crm["account"], crm["big"], relationIdLabel="Documents") == OK
    assert link(both, crm["account"], crm["small"]) == OK
    assert ids(related(both, crm["account"], "SELECT * FROM Documents")) == {
        crm["big"], crm["small"]}


@pytest.mark.parametrize("label", [{"relationIdLabel": "Nonsense"}, {"relatedLabel": "Nope"}])
def test_the_label_does_not_matter(both: Plain, crm: dict[str, str], label: dict) -> None:
    assert link(both, crm["product"], crm["big"], **label) == OK
    assert ids(related(both, crm["product"], "SELECT * FROM Documents")) == {crm["big"]}


def test_add_related_says_successfull_whatever_happened(both: Plain,
                                                        crm: dict[str, str]) -> None:
    assert link(both, crm["big"], crm["account"]) == OK  # document as the source
    assert link(both, crm["account"], "15x999999") == OK  # no such document
    both.ok(both.post("delete", id=crm["small"]))
    assert link(both, crm["account"], crm["small"]) == OK  # deleted
    assert ids(related(both, crm["account"], "SELECT * FROM Documents")) == set()
    assert ids(related(both, crm["big"], "SELECT * FROM Accounts", "Accounts")) == set()


def test_query_related_works_from_the_document_side(both: Plain, crm: dict[str, str]) -> None:
    for record in ("account", "contact", "product"):
        link(both, crm[record], crm["big"])
    for module, record in (("Accounts", "account"), ("Contacts", "contact"),
                           ("Products", "product")):
        assert ids(related(both, crm["big"], f"SELECT * FROM {module}", module)) == {
            crm[record]}
    rows = both.ok(both.get("retrieve_related", id=crm["big"], relatedType="Accounts",
                            relatedLabel="Accounts"))
    assert [r["accountname"] for r in rows] == ["ACME"] and "label" not in rows[0]


def test_an_accounts_list_holds_its_contacts_documents(both: Plain,
                                                       crm: dict[str, str]) -> None:
    link(both, crm["account"], crm["big"])
    link(both, crm["contact"], crm["contact's"])
    assert ids(related(both, crm["account"], "SELECT * FROM Documents")) == {
        crm["big"], crm["contact's"]}
    assert ids(related(both, crm["contact"], "SELECT * FROM Documents")) == {crm["contact's"]}


def test_related_lists_show_active_documents_only(both: Plain, crm: dict[str, str]) -> None:
    inactive = both.ok(both.create("Documents", {"notes_title": "no status",
                                                 "assigned_user_id": "19x1"}))["id"]
    link(both, crm["account"], inactive)
    link(both, crm["account"], crm["big"])
    assert ids(related(both, crm["account"], "SELECT * FROM Documents")) == {crm["big"]}


def test_the_server_appends_its_own_where(both: Plain, crm: dict[str, str]) -> None:
    for doc in ("big", "small"):
        link(both, crm["account"], crm[doc])
    assert ids(related(both, crm["account"], "SELECT * FROM Documents WHERE filesize > 1000 "
                                             "ORDER BY notes_title LIMIT 5")) == {crm["big"]}
    assert both.ok(related(both, crm["account"], "SELECT count(*) FROM Documents")) == [
        {"count": "2"}]
    code, message = error(related(both, crm["account"], "SELECT * FROM Documents "
                                                        "ORDER BY notes_title"))
    assert code == "QUERY_SYNTAX_ERROR"
    assert message.startswith("Syntax Error on line 1: token 'WHERE' Unexpected WHERE(WHERE)")
    assert error(related(both, crm["account"], "SELECT * FROM Documents WHERE filesize > 1;")
                 )[0] == "QUERY_SYNTAX_ERROR"
    assert error(related(both, crm["account"], "SELECT * FROM Documents where filesize > 1")
                 )[0] == "QUERY_SYNTAX_ERROR"


def test_query_related_refuses_what_is_no_relation(both: Plain, crm: dict[str, str]) -> None:
    unknown = ("UNKOWN_ENTITY", "Relation specified is incorrect")
    assert error(related(both, crm["account"], "SELECT * FROM Documents;")) == unknown
    assert error(related(both, crm["account"], "SELECT * FROM Documents", "Nope")) == unknown
    assert error(related(both, crm["account"], "SELECT * FROM Contacts", "Documents")) == unknown


def test_relatedtypes_lists_the_related_modules(both: Plain) -> None:
    result = both.ok(both.get("relatedtypes", elementType="Accounts"))
    assert result["types"] == ["Documents"]
    assert result["information"]["Documents"] == {"name": "Documents", "label": "Documents",
                                                  "isEntity": "1"}
    assert set(both.ok(both.get("relatedtypes", elementType="Documents"))["types"]) == {
        "Accounts", "Contacts", "Products"}
