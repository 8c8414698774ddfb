"""kafdocs records / ls --record / link / upload --record / upload --image, over HTTP on
both sandbox flavours."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kafdocs.api import Client, Query
from kafdocs.cli import main
from kafdocs.sandbox.app import Sandbox
from kafdocs.sandbox.demo import png
from kafdocs.transfer.crmrecords import ACTIVE_DOCUMENTS, image_ids
from tests.conftest import ACCESS_KEY

BAKERY, AMELIE, OVEN, TILL = "11x42", "12x50", "14x60", "14x64"


@pytest.fixture(params=["kafinea", "vtiger"])
def crm(request, make_sandbox: Callable[..., Sandbox], monkeypatch) -> Client:
    box = make_sandbox(demo_data=True, flavour=request.param)
    monkeypatch.setenv("KAFDOCS_URL", box.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)
    client = Client(box.url, "admin", ACCESS_KEY)
    client.login()
    return client


def run_json(capsys, *argv: str) -> object:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def related_ids(crm: Client, record: str) -> set[str]:
    return {r["id"] for r in crm.query_related(record, "Documents", ACTIVE_DOCUMENTS)}


def test_records_tells_homonyms_apart(crm, capsys) -> None:
    found = run_json(capsys, "records", "dupre")  # accents and case do not matter
    by_id = {r["id"]: r for r in found}
    assert (by_id[BAKERY]["module"], by_id[BAKERY]["name"], by_id[BAKERY]["city"]) == (
        "Accounts", "Boulangerie Dupré", "Lyon")
    assert by_id[AMELIE]["module"] == "Contacts" and by_id[AMELIE]["name"] == "Amélie Dupré"
    assert by_id[AMELIE]["account"] == "Boulangerie Dupré"
    assert by_id[AMELIE]["email"] == "amelie.dupre@dupre.fr"
    assert main(["records", "dupre"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("Account" in line and "Boulangerie Dupré" in line and "Lyon" in line
               for line in lines)
    assert any("Contact" in line and "Amélie Dupré" in line and "Boulangerie Dupré" in line
               for line in lines)


def test_records_by_module_and_by_full_name(crm, capsys) -> None:
    assert [r["id"] for r in run_json(capsys, "records", "Amélie Dupré")] == [AMELIE]
    products = run_json(capsys, "records", "FS-200", "--module", "Products")
    assert [(r["id"], r["code"]) for r in products] == [(OVEN, "FS-200")]
    assert run_json(capsys, "records", "dupre", "--module", "Products") == []
    assert main(["records", "zzz-nobody"]) == 0
    assert "no account, contact or product matches" in capsys.readouterr().err


def test_ls_record_lists_an_accounts_documents_and_its_contacts(crm, capsys) -> None:
    doc = crm.create("Documents", {"notes_title": "Carte d'identité", "folderid": "22x1",
                                   "filestatus": "1", "assigned_user_id": crm.user_id})["id"]
    crm.add_related(AMELIE, doc)
    rows = run_json(capsys, "ls", "--record", BAKERY)
    assert doc in {r["id"] for r in rows} and related_ids(crm, BAKERY) == {r["id"] for r in rows}
    assert main(["ls", "--record", BAKERY]) == 0
    assert "Carte d'identité" in capsys.readouterr().out


def test_ls_record_of_a_record_without_documents_lists_nothing(crm, capsys) -> None:
    assert run_json(capsys, "ls", "--record", TILL) == []


def test_link_links_documents_without_uploading_them_again(crm, capsys) -> None:
    docs = [r["id"] for r in crm.query(Query("Documents").where("folderid", "!=", "22x1")
                                       .order_by("id").limit(2))]
    (already,) = related_ids(crm, OVEN) & {r["id"] for r in crm.query(
        Query("Documents").where("notes_title", "LIKE", "Fiche technique%"))}
    result = run_json(capsys, "link", *docs, already, "--record", OVEN)
    assert result["linked"] == docs and result["already"] == [already]
    assert result["record"]["name"] == "Four à sole électrique FS-200"
    assert set(docs) <= related_ids(crm, OVEN)
    assert main(["link", docs[0], "--record", OVEN]) == 0
    assert "already linked to Four à sole électrique FS-200" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "said"), [
    (["link", "15x999999", "--record", BAKERY], "There is no document 15x999999"),
    (["link", "11x42", "--record", BAKERY], "11x42 is not a document"),
    (["link", "DOC", "--record", BAKERY], "“DOC” is not a document id"),
    (["ls", "--record", "15x3"], "15x3 is not an account, a contact or a product"),
    (["ls", "--record", "11x999999"], "There is no record 11x999999"),
    (["ls", "--record", "Dupré"], "“Dupré” is not a record id"),
    (["upload", "--image", "--record", BAKERY, "x.png"], "11x42 is not a product"),
    (["upload", "--image", "x.png"], "--image adds pictures to a product"),
    (["upload", "x.png"], "Give the folder to file into with --folder"),
    (["ls"], "Give a folder, or --record"),
])
def test_a_wrong_id_or_option_is_one_clear_line(crm, capsys, argv, said) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1, err


def test_upload_record_files_and_links_like_link(crm, capsys, tmp_path: Path) -> None:
    scan = tmp_path / "Kbis Dupré.pdf"
    scan.write_bytes(b"%PDF-1.4 kbis")
    result = run_json(capsys, "upload", "--folder", "Contrats", "--record", BAKERY, str(scan))
    (job,) = result["jobs"]
    assert job["doc_id"] in related_ids(crm, BAKERY)


def test_upload_image_adds_pictures_and_reports_the_files_not_kept(crm, capsys,
                                                                   tmp_path: Path) -> None:
    photos = [tmp_path / "caisse.png", tmp_path / "écran.png"]
    for n, photo in enumerate(photos):
        photo.write_bytes(png(20, 10, n))
    notice = tmp_path / "notice.txt"
    notice.write_text("pas une photo")
    assert main(["upload", "--image", "--record", TILL, *map(str, photos), str(notice)]) == 1
    captured = capsys.readouterr()
    assert "notice.txt was not added to the product's pictures" in captured.err
    assert "2 done, 1 failed" in captured.err
    assert len(image_ids(crm.retrieve(TILL))) == 2
    result = run_json(capsys, "upload", "--image", "--record", TILL, str(photos[0]))
    (job,) = result["jobs"]
    assert job["image_id"] in image_ids(crm.retrieve(TILL)) and result["product"] == TILL


def test_an_inactive_document_is_linked_though_the_records_list_hides_it(crm, capsys) -> None:
    """A document with filestatus 0 (what a create without it stores) is in no record's
    related list; the link made is read back from the document's own side."""
    hidden = crm.create("Documents", {"notes_title": "Ancien devis", "folderid": "22x1",
                                      "assigned_user_id": crm.user_id})["id"]
    result = run_json(capsys, "link", hidden, "--record", AMELIE)
    assert result["linked"] == [hidden] and result["failed"] == []
    linked = crm.query_related(hidden, "Contacts", Query("Contacts").select("id"))
    assert [r["id"] for r in linked] == [AMELIE]


def test_a_document_of_a_contact_is_linked_to_its_account_too(crm, capsys) -> None:
    """An account's list also shows its contacts' documents: such a document is not
    "already linked" to the account, and linking it puts it on the account itself."""
    doc = crm.create("Documents", {"notes_title": "Pièce d'identité", "folderid": "22x1",
                                   "filestatus": "1", "assigned_user_id": crm.user_id})["id"]
    crm.add_related(AMELIE, doc)
    assert doc in related_ids(crm, BAKERY)  # shown through the contact
    result = run_json(capsys, "link", doc, "--record", BAKERY)
    assert result["linked"] == [doc] and result["already"] == []
    accounts = crm.query_related(doc, "Accounts", Query("Accounts").select("id"))
    assert [r["id"] for r in accounts] == [BAKERY]
