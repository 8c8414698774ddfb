"""Odd things a server may hand us: huge folders, ids of other modules."""

from __future__ import annotations

from pathlib import Path

from kafdocs.api import Client
from kafdocs.sandbox.schema import DOCUMENTS
from kafdocs.transfer import JobState
from kafdocs.transfer.download import document_job
from kafdocs.transfer.folders import resolve_folder
from kafdocs.transfer.sync import plan_folder_download
from tests.conftest import ACCESS_KEY
from tests.transfer.conftest import run_all


def test_a_folder_of_ten_thousand_documents_is_listed_in_pages(make_sandbox,
                                                               tmp_path: Path) -> None:
    box = make_sandbox()
    store = box.server.store
    with store.transaction() as db:
        for n in range(10_000):
            crmid = db.execute("INSERT INTO crmentity (setype) VALUES ('Documents')").lastrowid
            db.execute("INSERT INTO documents (crmid, notes_title, folderid, filename, "
                       "filelocationtype, filesize) VALUES (?, ?, '22x1', ?, 'I', '0')",
                       (crmid, f"n{n}", "same name.txt"))
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        before = box.server.requests_served
        plan = plan_folder_download(crm, resolve_folder(crm, "22x1"), tmp_path)
        requests = box.server.requests_served - before
    assert len(plan.jobs) == 10_000
    assert len({j.label for j in plan.jobs}) == 10_000  # same server name, unique here
    assert requests == 1 + 1 + 100  # folder, count, one query per 100 rows


def test_an_id_of_another_module_is_skipped_with_a_reason(sandbox, tmp_path: Path) -> None:
    with Client(sandbox.url, "admin", ACCESS_KEY) as crm:
        account = crm.query("SELECT * FROM Accounts LIMIT 1;")[0]
        record = crm.retrieve(account["id"])
        dest = tmp_path / "dest"
        dest.mkdir()
        (job,) = run_all([document_job(crm, record, dest, "x")]).jobs.values()
    assert job.state is JobState.SKIPPED and "No file" in job.message
    assert list(dest.iterdir()) == []


def test_a_file_id_of_another_document_kind_is_not_found(sandbox) -> None:
    from kafdocs.api import NotFound

    with Client(sandbox.url, "admin", ACCESS_KEY) as crm:
        try:
            crm.files_retrieve("11x999999")
        except NotFound as exc:
            assert exc.code == "RECORD_NOT_FOUND"
        else:
            raise AssertionError("expected NotFound")
    assert DOCUMENTS.prefix == "15"
