"""kafdocs search, info, move, rename, describe, delete and mkdir against the sandbox."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest

from kafdocs.api import Client, Query
from kafdocs.cli import main
from kafdocs.sandbox.app import Sandbox
from tests.conftest import ACCESS_KEY


def use(monkeypatch, box: Sandbox) -> Client:
    monkeypatch.setenv("KAFDOCS_URL", box.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)
    client = Client(box.url, "admin", ACCESS_KEY)
    client.login()
    return client


@pytest.fixture
def crm(sandbox, monkeypatch) -> Client:
    with use(monkeypatch, sandbox) as client:
        yield client


def doc(client: Client, title: str) -> dict:
    (row,) = client.query(Query("Documents").where("notes_title", "=", title))
    return row


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


# -- search and info ------------------------------------------------------------
def test_search_json_lists_matches_of_every_folder(crm, capsys) -> None:
    status, out, _ = run(capsys, "search", "F2026-00", "--json")
    found = json.loads(out)
    assert status == 0 and len(found) == 8
    first = found[0]
    assert set(first) == {"id", "number", "title", "file_name", "folder_id", "folder", "size",
                          "modified"}
    assert first["folder"] == "Factures 2026" and first["number"].startswith("DOC")
    assert isinstance(first["size"], int)


def test_search_in_one_folder_and_as_text(crm, capsys) -> None:
    status, out, err = run(capsys, "search", "dupre", "--folder", "Contrats")
    assert status == 0
    assert "Contrat de maintenance Dupré" in out and "— Contrats" in out
    assert "Facture" not in out and "1 document found" in err


def test_search_with_nothing_to_look_for_is_one_line(crm, capsys) -> None:
    status, out, err = run(capsys, "search", " % ")
    assert status == 2 and out == "" and err.count("\n") == 1 and "search for" in err


def test_info_shows_the_details_and_the_linked_records(crm, capsys) -> None:
    record = doc(crm, "Contrat d'installation photovoltaïque")
    status, out, _ = run(capsys, "info", record["id"], "--json")
    info = json.loads(out)
    assert status == 0 and info["folder"] == "Contrats" and info["title"] == record["notes_title"]
    assert {x["name"] for x in info["linked"]} == {"Énergies du Sud", "Panneau solaire 400 W"}
    assert info["web_page"].endswith("record=" + record["id"].split("x")[1])
    status, out, _ = run(capsys, "info", record["id"])
    assert "Énergies du Sud (11x41)" in out and "Contrats" in out


@pytest.mark.parametrize(("command", "extra"), [
    ("info", []), ("rename", ["Titre"]), ("describe", ["Texte"]),
    ("move", ["--folder", "Contrats"]), ("delete", ["--yes"])])
@pytest.mark.parametrize(("bad", "said"), [
    ("15x99999", "There is no document 15x99999: it was deleted, or your CRM user may not see it."),
    ("11x42", "11x42 is not a document: document ids look like 15x…"),
    ("DOC12", "“DOC12” is not a document id"),
])
def test_a_bad_id_is_one_clear_line_and_a_failure(crm, capsys, command, extra, bad,
                                                  said) -> None:
    status, out, err = run(capsys, command, bad, *extra)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and said in err and "Traceback" not in err


# -- changes ----------------------------------------------------------------------
def test_rename_and_describe(crm, capsys) -> None:
    record = doc(crm, "Logo couleur")
    status, out, _ = run(capsys, "rename", record["id"], "Logo couleur 2026")
    assert status == 0 and "renamed" in out
    status, out, _ = run(capsys, "describe", record["id"], "Fond blanc")
    after = crm.retrieve(record["id"])
    assert status == 0 and after["notes_title"] == "Logo couleur 2026"
    assert after["notecontent"] == "Fond blanc" and after["filename"] == record["filename"]


def test_move_several_documents(crm, capsys) -> None:
    ids = [doc(crm, t)["id"] for t in ("Logo couleur", "Photo équipe")]
    status, out, _ = run(capsys, "move", *ids, "--folder", "Ressources humaines")
    assert status == 0 and out.count("moved to “Ressources humaines”") == 2
    rh = crm.query("SELECT id FROM DocumentFolders WHERE foldername = 'Ressources humaines';")
    assert {crm.retrieve(i)["folderid"] for i in ids} == {rh[0]["id"]}


def test_move_to_an_unknown_folder(crm, capsys) -> None:
    status, _, err = run(capsys, "move", doc(crm, "Logo couleur")["id"], "--folder", "Nulle part")
    assert status == 2 and "No document folder named 'Nulle part'" in err


def test_delete_without_yes_and_without_a_terminal_refuses(crm, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    record = doc(crm, "Logo couleur")
    status, _, err = run(capsys, "delete", record["id"])
    assert status == 2 and "add --yes" in err
    assert crm.retrieve(record["id"])["notes_title"] == "Logo couleur"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "deleted"), [("y\n", True), ("\n", False), ("non\n", False)])
def test_delete_asks_on_a_terminal_naming_the_documents(crm, capsys, monkeypatch, answer,
                                                         deleted) -> None:
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    records = [doc(crm, t) for t in ("Logo couleur", "Photo équipe")]
    status, _, err = run(capsys, "delete", *[r["id"] for r in records])
    assert "Delete these 2 documents" in err and "Logo couleur" in err and "Photo équipe" in err
    assert "recycle bin" in err
    assert (status == 0) is deleted
    left = crm.query("SELECT id FROM Documents WHERE notes_title = 'Logo couleur';")
    assert (left == []) is deleted


def test_delete_yes_reports_each_document(crm, capsys) -> None:
    first, second = doc(crm, "Logo couleur"), doc(crm, "Photo équipe")
    status, out, _ = run(capsys, "delete", "--yes", "--json", first["id"], second["id"])
    assert status == 0 and [r["ok"] for r in json.loads(out)] == [True, True]


@pytest.mark.parametrize("flavour", ["kafinea", "vtiger"])
def test_mkdir_where_the_server_allows_it_and_where_it_does_not(
        make_sandbox: Callable[..., Sandbox], monkeypatch, capsys, flavour) -> None:
    with use(monkeypatch, make_sandbox(flavour=flavour)) as client:
        status, out, err = run(capsys, "mkdir", "Archives", "--json")
        folders = client.query("SELECT * FROM DocumentFolders WHERE foldername = 'Archives';")
    if flavour == "kafinea":
        assert status == 0 and json.loads(out)["name"] == "Archives" and len(folders) == 1
    else:
        assert status == 2 and "cannot create folders" in err and folders == []
        assert err.count("\n") == 1
