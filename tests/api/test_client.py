"""The client against the sandbox over real HTTP: every operation, errors, re-login."""

from __future__ import annotations

import logging
import threading

import pytest

from kafdocs.api import (
    AccessDenied,
    AuthError,
    Client,
    InvalidId,
    NotFound,
    Query,
    QuerySyntaxError,
    SessionExpired,
)
from kafdocs.sandbox.schema import DOCUMENTS
from tests.conftest import ACCESS_KEY, FakeClock

DOC = {"notes_title": "Doc", "folderid": "22x1", "filestatus": "1",
       "filelocationtype": "I"}


def new_doc(client: Client, **fields: str) -> dict:
    return client.create("Documents", {**DOC, "assigned_user_id": client.user_id, **fields})


@pytest.mark.parametrize("suffix", ["", "/", "/webservice.php", "webservice.php"])
def test_accepts_pasted_url_forms(sandbox, suffix: str) -> None:
    url = sandbox.url.rstrip("/") + ("/" if suffix.startswith("w") else "") + suffix
    with Client(url, "admin", ACCESS_KEY) as crm:
        assert crm.user_id == "19x1"


def test_login_keeps_user_and_version_for_both_flavours(make_sandbox) -> None:
    for flavour in ("kafinea", "vendor-doc"):
        with Client(make_sandbox(flavour=flavour).url, "admin", ACCESS_KEY) as crm:
            assert crm.user_id == "19x1" and crm.server_version == "8.0.2"
            assert crm.listtypes()["types"]


def test_wrong_key_and_unknown_user_are_auth_errors(sandbox) -> None:
    with pytest.raises(AuthError) as wrong:
        Client(sandbox.url, "admin", "nope").login()
    assert wrong.value.code == "INVALID_USER_CREDENTIALS"
    with pytest.raises(AuthError) as unknown:
        Client(sandbox.url, "ghost", "nope").login()
    assert "Unknown user" in unknown.value.message  # the server's words, kept for the log
    assert str(unknown.value).startswith("Wrong user name or access key.")


def test_describe_is_cached(client: Client, sandbox) -> None:
    client.describe("Documents")
    before = sandbox.server.requests_served
    assert client.describe("Documents")["idPrefix"] == "15"
    assert sandbox.server.requests_served == before


def test_create_retrieve_update_delete(client: Client) -> None:
    record = new_doc(client, notes_title="R&D \"Q1\" l'été")
    assert record["label"] == "R&D \"Q1\" l'été"  # decoded once, here
    assert record["notes_title"] == "R&D \"Q1\" l'été"
    fetched = client.retrieve(record["id"])
    fetched["notes_title"] = "Renommé"
    assert client.update(fetched)["notes_title"] == "Renommé"
    client.delete(record["id"])
    with pytest.raises(AccessDenied):
        client.retrieve(record["id"])


def test_api_errors_carry_code_and_message(client: Client) -> None:
    with pytest.raises(InvalidId) as bad:
        client.retrieve("11x" + new_doc(client)["id"].split("x")[1])
    assert bad.value.code == "INVALID_ID_ATTRIBUTE" and bad.value.operation == "retrieve"
    with pytest.raises(QuerySyntaxError):
        client.query("SELECT * FROM Documents")
    with pytest.raises(NotFound):
        client.files_retrieve("15x999999")


def test_query_builder_escapes_hostile_values(client: Client) -> None:
    hostile = ["l'été", "O''Brien", "50% _off_", "x' OR '1'='1", "back\\slash",
               "'; DROP TABLE documents; --", "\"double\""]
    for title in hostile:
        new_doc(client, notes_title=title)
    for title in hostile:
        rows = client.query(Query("Documents").where("notes_title", "=", title))
        assert [r["notes_title"] for r in rows] == [title]


def stored_docs(box, titles: list[str]) -> None:
    """Documents written behind the API: what is tested here is reading them back."""
    for title in titles:
        box.server.store.insert(DOCUMENTS, {**DOC, "notes_title": title,
                                            "assigned_user_id": "19x1"})


def test_paging_goes_past_the_row_cap(make_sandbox) -> None:
    box = make_sandbox(row_cap=100)
    stored_docs(box, [f"p{n}" for n in range(260)])
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        pager = crm.iter_query(Query("Documents").select("notes_title"))
        titles = [r["notes_title"] for r in pager]
    assert pager.total == 260
    assert sorted(titles) == sorted(f"p{n}" for n in range(260))


def test_paging_with_a_cap_smaller_than_the_page(make_sandbox) -> None:
    box = make_sandbox(row_cap=30)
    stored_docs(box, [f"s{n}" for n in range(75)])
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        assert len(list(crm.iter_query(Query("Documents")))) == 75


def test_expired_session_logs_in_again_and_retries_once(make_sandbox) -> None:
    clock = FakeClock()
    box = make_sandbox(session_idle=300, clock=clock)
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        first = crm._session
        clock.advance(301)
        assert crm.query(Query("DocumentFolders"))
        assert crm._session != first


def test_relogin_never_loops(make_sandbox) -> None:
    box = make_sandbox(session_life=0.0)  # every session is dead on arrival
    crm = Client(box.url, "admin", ACCESS_KEY)
    crm.login()
    before = box.server.requests_served
    with pytest.raises(SessionExpired):
        crm.listtypes()
    # one failed call, one re-login (challenge + login), one retried call
    assert box.server.requests_served - before == 4


def test_threads_share_one_client_and_one_relogin(make_sandbox) -> None:
    clock = FakeClock()
    box = make_sandbox(session_idle=300, clock=clock)
    crm = Client(box.url, "admin", ACCESS_KEY)
    crm.login()
    clock.advance(301)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                crm.query(Query("DocumentFolders"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_related_records(client: Client) -> None:
    account = client.create("Accounts", {"accountname": "ACME",
                                         "assigned_user_id": client.user_id})
    doc = new_doc(client, notes_title="Contrat ACME")
    client.add_related(account["id"], doc["id"], "Documents")
    rows = client.query_related(account["id"], "Documents",
                                Query("Documents").where("notes_title", "LIKE", "Contrat%"))
    assert [r["id"] for r in rows] == [doc["id"]]


def test_extendsession_is_refused(client: Client) -> None:
    with pytest.raises(AuthError):
        client.extendsession()


def test_logout_ends_the_session(sandbox) -> None:
    crm = Client(sandbox.url, "admin", ACCESS_KEY)
    crm.login()
    session = crm._session
    crm.close()
    from tests.sandbox.wsclient import Plain, error

    ws = Plain(sandbox.url)
    ws.session = session
    assert error(ws.get("listtypes"))[0] == "INVALID_SESSIONID"


def test_secrets_never_reach_the_logs(sandbox, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with Client(sandbox.url, "admin", ACCESS_KEY) as crm:
        crm.query(Query("DocumentFolders"))
        session = crm._session
    text = caplog.text
    assert ACCESS_KEY not in text and session not in text
    assert "sessionName=***" in text or "sessionName" not in text
    assert ACCESS_KEY not in repr(crm)
