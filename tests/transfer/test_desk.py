"""Finding and tidying documents (search, details, rename, move, delete, new folders)
against the sandbox, on stock vtiger's answers and on Kafinea's."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kafdocs.api import Client, KafdocsError, Query, UnknownOperation
from kafdocs.sandbox.app import Sandbox
from kafdocs.sandbox.schema import DOCUMENTS
from kafdocs.transfer import manage
from kafdocs.transfer.details import document_details, web_page
from kafdocs.transfer.folders import Folder, FolderNotFound, list_folders, resolve_folder
from kafdocs.transfer.search import search_query, search_words
from kafdocs.transfer.sources import FolderDocuments, SearchResults
from tests.conftest import ACCESS_KEY

FLAVOURS = ("kafinea", "vtiger")


@pytest.fixture(params=FLAVOURS)
def crm(request, make_sandbox: Callable[..., Sandbox]) -> Iterator[tuple[Sandbox, Client]]:
    box = make_sandbox(demo_data=True, flavour=request.param)
    with Client(box.url, "admin", ACCESS_KEY) as client:
        yield box, client


def titles(client: Client, text: str, folder_id: str | None = None) -> list[str]:
    return sorted(r["notes_title"] for r in client.iter_query(search_query(text, folder_id)))


def by_title(client: Client, title: str) -> dict:
    (row,) = client.query(Query("Documents").where("notes_title", "=", title))
    return row


# -- search -------------------------------------------------------------------
def test_search_ignores_case_and_accents_as_the_server_does(crm) -> None:
    _, client = crm
    assert titles(client, "LEFEVRE") == ["Avenant n°2 Lefèvre"]


def test_search_looks_in_title_file_name_number_and_description(crm) -> None:
    _, client = crm
    assert titles(client, "BC-2026-118") == ["Bon de commande Moreau"]  # file name only
    assert titles(client, "lien externe") == ["Site de l'entreprise"]  # description only
    number = by_title(client, "Logo couleur")["note_no"]
    assert "Logo couleur" in titles(client, number)


def test_search_words_are_found_in_order_with_anything_between(crm) -> None:
    _, client = crm
    assert titles(client, "contrat dupré") == ["Contrat de maintenance Dupré"]
    assert titles(client, "dupré contrat") == []  # the other order is another search


def test_search_text_with_quotes_and_wildcards_is_data(crm) -> None:
    _, client = crm
    assert titles(client, "d'installation") == ["Contrat d'installation photovoltaïque"]
    assert titles(client, "100%") == []
    assert search_words("  a\\'b  %  c ") == ["a", "'b", "c"]


def test_search_in_one_folder_keeps_the_or_inside_that_folder(crm) -> None:
    _, client = crm
    factures = resolve_folder(client, "Factures 2026").id
    everywhere = titles(client, "2026")
    there = titles(client, "2026", factures)
    assert "CGV" not in " ".join(there) and "Conditions générales de vente" in everywhere
    assert there == [f"Facture F2026-{n:03d}" for n in range(1, 9)]


def test_an_empty_search_is_refused_before_asking_the_server() -> None:
    with pytest.raises(KafdocsError, match="word to search"):
        search_query("  % ")


def test_search_pages_past_the_row_cap(make_sandbox: Callable[..., Sandbox]) -> None:
    box = make_sandbox(flavour="vtiger", row_cap=100)
    for n in range(230):
        box.server.store.insert(DOCUMENTS, {
            "notes_title": f"Relevé {n // 10}", "folderid": "22x1", "filestatus": "1",
            "assigned_user_id": "19x1", "filename": f"r{n}.pdf", "note_no": f"DOC{n}"})
    with Client(box.url, "admin", ACCESS_KEY) as client:
        ids = [r["id"] for r in client.iter_query(search_query("releve"))]
        source = SearchResults.of("releve")
        assert source.count(client) == 230
        assert len(source.page(client, ("notes_title", True), 200, 100)) == 30
    assert len(ids) == len(set(ids)) == 230


def test_sources_say_whether_their_rows_span_folders() -> None:
    assert SearchResults.of("x").across_folders
    assert not SearchResults.of("x", "22x3").across_folders
    assert not FolderDocuments.of("22x3").across_folders
    assert SearchResults.of("x") == SearchResults.of("x ")


# -- details ------------------------------------------------------------------
def test_details_name_the_folder_the_owner_and_the_linked_records(crm) -> None:
    _, client = crm
    record = client.retrieve(by_title(client, "Fiche technique four FS-200")["id"])
    details = document_details(client, record)
    assert details.folder == "Fiches produits" and details.owner
    assert {(x.module, x.name) for x in details.linked or []} == {
        ("Products", "Four à sole électrique FS-200"), ("Accounts", "Boulangerie Dupré")}
    number = record["id"].split("x")[1]
    assert details.as_json(client)["web_page"].endswith(
        f"/index.php?module=Documents&view=Detail&record={number}")


def test_details_say_unknown_when_the_server_cannot_tell_the_links(crm, monkeypatch) -> None:
    _, client = crm
    record = client.retrieve(by_title(client, "Logo couleur")["id"])

    def refuse(*args, **kwargs):
        raise UnknownOperation("UNKNOWN_OPERATION", "Unknown operation requested")

    monkeypatch.setattr(client, "query_related", refuse)
    assert document_details(client, record).linked is None


def test_web_page_of_a_malformed_id_is_empty(crm) -> None:
    _, client = crm
    assert web_page(client, "nonsense") == ""


# -- changes ------------------------------------------------------------------
def test_rename_changes_the_title_and_nothing_else(crm) -> None:
    _, client = crm
    before = client.retrieve(by_title(client, "Avenant n°2 Lefèvre")["id"])
    (outcome,) = manage.rename(client, [before], "Avenant n°2 — signé")
    after = client.retrieve(before["id"])
    assert outcome.ok and after["notes_title"] == "Avenant n°2 — signé"
    unchanged = ("filename", "folderid", "notecontent", "note_no", "filesize",
                 "assigned_user_id", "imageattachmentids")
    assert {k: after.get(k) for k in unchanged} == {k: before.get(k) for k in unchanged}


def test_without_revise_a_change_sends_the_whole_record_just_retrieved(crm,
                                                                       monkeypatch) -> None:
    """An older server without revise: update with every field, none blanked."""
    _, client = crm
    record = by_title(client, "Note de bienvenue")
    client.change(record["id"], {"notecontent": "avant"})
    sent: list[dict] = []
    real_update = client.update

    def no_revise(element):
        raise UnknownOperation("UNKNOWN_OPERATION", "Unknown operation requested")

    def update(element):
        sent.append(element)
        return real_update(element)

    monkeypatch.setattr(client, "revise", no_revise)
    monkeypatch.setattr(client, "update", update)
    (outcome,) = manage.rename(client, [record], "Bienvenue !")
    after = client.retrieve(record["id"])
    assert outcome.ok and after["notes_title"] == "Bienvenue !"
    assert after["notecontent"] == "avant" and after["filename"] == record["filename"]
    assert sent[0]["notecontent"] == "avant" and "imageattachmentids" not in sent[0]


def test_describe_sets_and_clears_the_description(crm) -> None:
    _, client = crm
    record = by_title(client, "Logo couleur")
    manage.set_description(client, [record], "Version 2026, fond blanc")
    assert client.retrieve(record["id"])["notecontent"] == "Version 2026, fond blanc"
    manage.set_description(client, [record], "")
    assert client.retrieve(record["id"])["notecontent"] == ""


def test_move_keeps_the_file_and_reports_each_document(crm) -> None:
    _, client = crm
    target = resolve_folder(client, "Ressources humaines")
    kept = client.retrieve(by_title(client, "Logo couleur")["id"])
    gone = {**by_title(client, "Photo équipe")}
    client.delete(gone["id"])
    outcomes = manage.move(client, [kept, gone], target)
    assert [o.ok for o in outcomes] == [True, False]
    assert "deleted" in outcomes[1].error and outcomes[1].title == "Photo équipe"
    after = client.retrieve(kept["id"])
    assert after["folderid"] == target.id
    assert after["imageattachmentids"] == kept["imageattachmentids"]
    assert after["filename"] == kept["filename"]


def test_move_to_a_folder_that_no_longer_exists_changes_nothing(crm) -> None:
    _, client = crm
    record = by_title(client, "Logo couleur")
    with pytest.raises(FolderNotFound, match="no longer exists"):
        manage.move(client, [record], Folder("22x999", "Disparu"))
    assert client.retrieve(record["id"])["folderid"] == record["folderid"]


def test_delete_goes_on_after_a_failure(crm) -> None:
    _, client = crm
    first, second = by_title(client, "Logo couleur"), by_title(client, "Photo équipe")
    client.delete(first["id"])
    outcomes = manage.delete(client, [first, second])
    assert [o.ok for o in outcomes] == [False, True]
    assert client.query("SELECT * FROM Documents WHERE notes_title = 'Photo équipe';") == []


def test_rights_come_from_describe(crm) -> None:
    box, client = crm
    rights = manage.rights(client)
    assert rights.update and rights.delete and rights.create
    assert rights.create_folders is (box.settings.config.flavour == "kafinea")


def test_stock_vtiger_refuses_new_folders_and_nothing_is_created(
        make_sandbox: Callable[..., Sandbox]) -> None:
    box = make_sandbox(flavour="vtiger")
    with Client(box.url, "admin", ACCESS_KEY) as client:
        before = list_folders(client)
        assert "known fault of vtiger" in manage.folder_refusal(client)
        with pytest.raises(KafdocsError, match="web page"):
            manage.create_folder(client, "Archives")
        assert list_folders(client) == before


def test_new_folder_where_the_server_allows_it(make_sandbox: Callable[..., Sandbox]) -> None:
    box = make_sandbox(flavour="kafinea", demo_data=True)
    with Client(box.url, "admin", ACCESS_KEY) as client:
        folder = manage.create_folder(client, "  Archives 2025 ", "Pièces closes")
        assert resolve_folder(client, "Archives 2025") == Folder(
            folder.id, "Archives 2025", "Pièces closes")
        with pytest.raises(KafdocsError, match="already a folder"):
            manage.create_folder(client, "archives 2025")
        with pytest.raises(KafdocsError, match="name"):
            manage.create_folder(client, "  ")
