"""Document folders: the stock createdby bug, renames, and deletes that do not look inside."""

from __future__ import annotations

from kafdocs.sandbox.schema import DOCUMENT_FOLDERS
from tests.conftest import ACCESS_KEY
from tests.sandbox.wsclient import Plain, error

DOC = {"notes_title": "Doc", "filestatus": "1", "assigned_user_id": "19x1"}


def a_folder(ws: Plain, name: str) -> str:
    """A folder as the CRM's web page creates them (the webservice may not)."""
    crmid = ws.box.server.store.insert(DOCUMENT_FOLDERS, {
        "foldername": name, "description": "", "createdby": "", "sequence": "2"})
    return f"22x{crmid}"


def test_create_without_a_name_names_the_name_first(both: Plain) -> None:
    assert error(both.create("DocumentFolders", {"description": "x"})) == (
        "MANDATORY_FIELDS_MISSING", "foldername does not have a value")


def test_stock_vtiger_cannot_create_or_update_folders(make_sandbox) -> None:
    ws = Plain(make_sandbox(flavour="vtiger").url)
    ws.login("admin", ACCESS_KEY)
    assert error(ws.create("DocumentFolders", {"foldername": "X"})) == (
        "MANDATORY_FIELDS_MISSING", "createdby does not have a value")
    assert error(ws.create("DocumentFolders", {"foldername": "X", "createdby": "19x1"})) == (
        "REFERENCE_INVALID", "Invalid reference specified for createdby")
    assert error(ws.update(ws.retrieve("22x1"))) == (
        "MANDATORY_FIELDS_MISSING", "createdby does not have a value")


def test_kafinea_creates_and_updates_folders(make_sandbox) -> None:
    ws = Plain(make_sandbox(flavour="kafinea").url)
    ws.login("admin", ACCESS_KEY)
    folder = ws.ok(ws.create("DocumentFolders", {"foldername": "Nouveau dossier"}))
    assert folder["id"].startswith("22x") and folder["createdby"] == ""
    updated = ws.ok(ws.update({**folder, "foldername": "Renommé"}))
    assert updated["foldername"] == "Renommé"


def test_revise_renames_a_folder(both: Plain) -> None:
    folder = a_folder(both, "Projets")
    renamed = both.ok(both.revise({"id": folder, "foldername": "Archives 2025"}))
    assert (renamed["id"], renamed["foldername"]) == (folder, "Archives 2025")


def test_deleting_a_folder_leaves_its_documents_in_no_folder(both: Plain) -> None:
    folder = a_folder(both, "Éphémère")
    doc = both.ok(both.create("Documents", {**DOC, "folderid": folder}))["id"]
    assert both.ok(both.post("delete", id=folder)) == {"status": "successful"}
    assert error(both.get("retrieve", id=folder))[0] == "ACCESS_DENIED"
    assert both.retrieve(doc)["folderid"] == ""
