"""The folder list in the order a person expects: case and accents ignored."""

from __future__ import annotations

from kafdocs.api import Client
from kafdocs.sandbox.schema import DOCUMENT_FOLDERS
from kafdocs.transfer.folders import list_folders


def test_folders_are_listed_ignoring_case_and_accents(client: Client, sandbox) -> None:
    for name in ("zones", "Études", "achats", "Default 2"):
        sandbox.server.store.insert(DOCUMENT_FOLDERS, {
            "foldername": name, "description": "", "createdby": "", "sequence": "9"})
    mine = {"zones", "Études", "achats", "Default 2"}
    assert [f.name for f in list_folders(client) if f.name in mine] == [
        "achats", "Default 2", "Études", "zones"]  # was: "Études" after "zones"
