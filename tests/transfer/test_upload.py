"""The upload chain: create → FileUpload → confirm, duplicates, links, no empty leftovers."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from kafdocs.api import Client, Query
from kafdocs.transfer import Job, JobState
from kafdocs.transfer.paths import expand_paths
from kafdocs.transfer.storednames import server_names
from kafdocs.transfer.upload import OnDuplicate, UploadRequest, find_duplicates, upload
from tests.conftest import ACCESS_KEY, FLAVOUR
from tests.transfer.conftest import run_all


def job_for(client: Client, request: UploadRequest) -> Job:
    return Job(request.path.name, lambda ctx: upload(client, request, ctx)["id"])


def docs_in(client: Client, folder: str) -> list[dict]:
    return client.query(Query("Documents").where("folderid", "=", folder))


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_upload_files_a_confirmed_document(client: Client, folder: str,
                                           tmp_path: Path) -> None:
    pdf = write(tmp_path, "Facture n°12 été.pdf", b"%PDF-1.4\n" + os.urandom(3000))
    queue = run_all([job_for(client, UploadRequest(pdf, folder))])
    (job,) = queue.jobs.values()
    assert job.state is JobState.DONE, job.message
    record = client.retrieve(job.message)
    assert record["notes_title"] == "Facture n°12 été"
    assert record["filename"] in server_names(pdf.name)  # vtiger: Facture_n°12_été.pdf
    assert record["filetype"] == "application/pdf"
    assert record["filesize"] == str(pdf.stat().st_size) and record["imageattachmentids"]
    assert record["assigned_user_id"] == client.user_id and record["folderid"] == folder


def test_empty_file_uploads_where_the_server_can_store_it(client: Client, folder: str,
                                                         tmp_path: Path) -> None:
    empty = write(tmp_path, "vide.txt", b"")
    (job,) = run_all([job_for(client, UploadRequest(empty, folder))]).jobs.values()
    if FLAVOUR == "vtiger":  # stock vtiger drops a 0-byte part: refused before anything
        assert job.state is JobState.FAILED and "cannot store empty files" in job.message
        assert docs_in(client, folder) == []
    else:
        assert job.state is JobState.DONE and client.retrieve(job.message)["filesize"] == "0"


@pytest.mark.parametrize(("policy", "count", "state"), [
    (OnDuplicate.SKIP, 1, JobState.SKIPPED),
    (OnDuplicate.KEEP, 2, JobState.DONE),
    (OnDuplicate.REPLACE, 1, JobState.DONE),
])
def test_duplicate_names(client: Client, folder: str, tmp_path: Path, policy: OnDuplicate,
                         count: int, state: JobState) -> None:
    path = write(tmp_path, "devis.txt", b"v1")
    run_all([job_for(client, UploadRequest(path, folder))])
    path.write_bytes(b"v2 new")
    (job,) = run_all([job_for(client, UploadRequest(path, folder, on_duplicate=policy))]
                     ).jobs.values()
    assert job.state is state
    rows = docs_in(client, folder)
    assert len(rows) == count
    if policy is OnDuplicate.REPLACE:
        assert rows[0]["filesize"] == "6"


def test_upload_links_the_document_to_a_crm_record(client: Client, folder: str,
                                                   tmp_path: Path) -> None:
    account = client.create("Accounts", {"accountname": "Client SA",
                                         "assigned_user_id": client.user_id})
    path = write(tmp_path, "contrat signé.pdf", b"%PDF-1.4 signed")
    (job,) = run_all([job_for(client, UploadRequest(path, folder, link_to=account["id"]))]
                     ).jobs.values()
    related = client.query_related(account["id"], "Documents", "SELECT * FROM Documents")
    assert [r["id"] for r in related] == [job.message]


def test_failed_file_upload_leaves_no_document(make_sandbox, tmp_path: Path) -> None:
    box = make_sandbox(max_post=1_000_000)
    big = write(tmp_path, "scan.tiff", os.urandom(2_000_000))
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        (job,) = run_all([job_for(crm, UploadRequest(big, "22x1"))]).jobs.values()
        assert job.state is JobState.FAILED
        assert "too large for this server" in job.message
        assert docs_in(crm, "22x1") == []


def test_failed_link_leaves_no_document(client: Client, folder: str, tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"a")
    (job,) = run_all([job_for(client, UploadRequest(path, folder, link_to="11x999999"))]
                     ).jobs.values()
    assert job.state is JobState.FAILED
    assert docs_in(client, folder) == []


def test_cancelled_upload_leaves_no_document(client: Client, folder: str,
                                             tmp_path: Path) -> None:
    path = write(tmp_path, "big.bin", os.urandom(8_000_000))
    job = job_for(client, UploadRequest(path, folder))
    from kafdocs.transfer import TransferQueue

    queue = TransferQueue(1)
    queue.subscribe(lambda e: e.kind == "progress" and e.done > 0 and queue.cancel(e.job_id))
    record = queue.submit(job)
    assert queue.wait(30)
    assert record.state is JobState.CANCELLED
    assert docs_in(client, folder) == []


def test_stock_vtiger_gets_the_file_inside_create(make_sandbox, tmp_path: Path) -> None:
    box = make_sandbox(flavour="vtiger")
    path = write(tmp_path, "note de frais.csv", b"a;b\n1;2\n")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        (job,) = run_all([job_for(crm, UploadRequest(path, "22x1"))]).jobs.values()
        assert job.state is JobState.DONE, job.message
        record = crm.retrieve(job.message)
        assert record["filename"] == "note_de_frais.csv" and record["filetype"] == "text/csv"
        (again,) = run_all([job_for(crm, UploadRequest(path, "22x1",
                                                        on_duplicate=OnDuplicate.SKIP))]
                           ).jobs.values()
        assert again.state is JobState.SKIPPED  # the renamed copy is recognised


def test_unreadable_paths_are_refused_with_reasons(tmp_path: Path) -> None:
    ok = write(tmp_path, "ok.txt", b"x")
    sub = tmp_path / "dir"
    sub.mkdir()
    write(sub, "inner.txt", b"y")
    (sub / "loop").symlink_to(tmp_path)
    sock_path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    found = expand_paths([ok, sub, sock_path, tmp_path / "missing"])
    server.close()
    assert ok in found.files and sub / "inner.txt" in found.files
    reasons = dict(found.rejected)
    assert reasons[sock_path] == "not a regular file"
    assert dict(found.left_out) == {  # the loop leads out of the folder dropped
        sub / "loop": "a link to somewhere outside the dropped folder"}
    assert tmp_path / "missing" in reasons


@pytest.fixture
def proxied(sandbox):
    """A client whose every request the fault proxy sees (and counts)."""
    from tests.faults.proxy import FaultProxy

    proxy = FaultProxy(sandbox.url)
    crm = Client(proxy.url, "admin", ACCESS_KEY)
    crm.login()
    crm.supports_file_upload()
    yield crm, proxy
    crm.close()
    proxy.stop()


def test_keep_both_files_the_document_without_looking_for_its_name(proxied,
                                                                    tmp_path: Path) -> None:
    crm, proxy = proxied
    path = write(tmp_path, "devis.txt", b"v1")
    proxy.seen.clear()
    (job,) = run_all([job_for(crm, UploadRequest(path, "22x1"))]).jobs.values()
    assert job.state is JobState.DONE, job.message
    expected = (["describe", "create", "retrieve"] if FLAVOUR == "vtiger"  # file in create
                else ["create", "FileUpload", "retrieve"])
    assert [op for op, _fault in proxy.seen] == expected


def test_one_query_finds_the_duplicates_of_a_whole_drop(proxied, tmp_path: Path) -> None:
    crm, proxy = proxied
    names = [f"scan{n:03d}.pdf" for n in range(120)]
    for name in ("scan007.pdf", "scan119.pdf"):
        run_all([job_for(crm, UploadRequest(write(tmp_path, name, b"old"), "22x1"))])
    proxy.seen.clear()
    found = find_duplicates(crm, "22x1", names)
    assert sorted(found) == ["scan007.pdf", "scan119.pdf"]
    assert [op for op, _fault in proxy.seen] == ["query"] * 3  # 50 names a query


def test_replace_uses_the_duplicates_found_for_the_drop(proxied, tmp_path: Path) -> None:
    crm, proxy = proxied
    path = write(tmp_path, "devis.txt", b"v1")
    run_all([job_for(crm, UploadRequest(path, "22x1"))])
    old = find_duplicates(crm, "22x1", [path.name])[path.name]
    path.write_bytes(b"v2 new")
    proxy.seen.clear()
    request = UploadRequest(path, "22x1", on_duplicate=OnDuplicate.REPLACE,
                            duplicates=tuple(old))
    (job,) = run_all([job_for(crm, request)]).jobs.values()
    assert job.state is JobState.DONE
    assert "query" not in [op for op, _fault in proxy.seen]
    (row,) = [r for r in docs_in(crm, "22x1") if r["filename"] == "devis.txt"]
    assert row["filesize"] == "6"


def test_stock_vtiger_names_count_as_duplicates(make_sandbox, tmp_path: Path) -> None:
    box = make_sandbox(flavour="vtiger")
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        path = write(tmp_path, "note de frais.csv", b"a;b\n")
        run_all([job_for(crm, UploadRequest(path, "22x1"))])  # stored as note_de_frais.csv
        found = find_duplicates(crm, "22x1", ["note de frais.csv", "autre.csv"])
        assert list(found) == ["note de frais.csv"]
