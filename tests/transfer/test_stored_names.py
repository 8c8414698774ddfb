"""Names as the server stores them: renamed extensions, white space, emoji — recognised
as duplicates (skipped, or replaced by a new version of that document), and the upload
says under which name the file was stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from kafdocs.api import Client, Query
from kafdocs.transfer import JobState
from kafdocs.transfer.storednames import server_names, vtiger_name
from kafdocs.transfer.upload import OnDuplicate, UploadRequest, upload_job
from tests.conftest import ACCESS_KEY
from tests.transfer.conftest import run_all


@pytest.mark.parametrize(("sent", "stored"), [
    ("x.exe", "x.exefile.txt"),
    ("x.JS", "x.JSfile.txt"),
    ("x.php.jpg", "x.phpfile.jpg.txt"),
    ("x.tar.gz", "x.tar.gz"),
    ("hello  world.txt", "hello_world.txt"),
    ("rapport 😀.pdf", "rapport_?.pdf"),
])
def test_vtiger_names_as_observed(sent: str, stored: str) -> None:
    assert vtiger_name(sent) == stored


def test_names_are_never_looked_for_with_characters_the_database_cannot_hold() -> None:
    assert server_names("bilan 🎉 2026.xlsx") == ["bilan ? 2026.xlsx", "bilan_?_2026.xlsx"]


@pytest.mark.parametrize(("flavour", "name", "stored"), [
    ("vtiger", "outil.exe", "outil.exefile.txt"),
    ("vtiger", "photo 😀.png", "photo_?.png"),
    ("kafinea", "photo 😀.png", "photo ?.png"),
    ("vtiger", "plan de masse.pdf", "plan_de_masse.pdf"),
])
def test_upload_says_the_stored_name_and_duplicates_are_recognised(
        make_sandbox, tmp_path: Path, flavour: str, name: str, stored: str) -> None:
    box = make_sandbox(flavour=flavour)
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" if name.endswith(".png") else b"content")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        (job,) = run_all([upload_job(crm, UploadRequest(path, "22x1"))]).jobs.values()
        assert job.state is JobState.DONE, job.message
        assert job.meta["stored_name"] == stored
        assert job.message.endswith(f"(stored as {stored})")
        assert crm.retrieve(job.meta["doc_id"])["filename"] == stored
        (again,) = run_all([upload_job(crm, UploadRequest(
            path, "22x1", on_duplicate=OnDuplicate.SKIP))]).jobs.values()
        assert again.state is JobState.SKIPPED
        (version,) = run_all([upload_job(crm, UploadRequest(
            path, "22x1", on_duplicate=OnDuplicate.REPLACE))]).jobs.values()
        assert version.state is JobState.DONE, version.message
        assert version.meta["doc_id"] == job.meta["doc_id"]  # a new version, not a twin
        assert version.message.endswith(f"(stored as {stored})")
        assert len(crm.query(Query("Documents"))) == 1


def test_upload_under_its_own_name_says_nothing_more(make_sandbox, tmp_path: Path) -> None:
    box = make_sandbox(flavour="vtiger")
    path = tmp_path / "facture.pdf"
    path.write_bytes(b"%PDF-1.4")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        (job,) = run_all([upload_job(crm, UploadRequest(path, "22x1"))]).jobs.values()
    assert job.message.startswith("filed as DOC") and "stored as" not in job.message
    assert "stored_name" not in job.meta
