"""A new version of a document, on both flavours: same id, number, folder, title,
description and links; and at every failure the document holds a whole file."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kafdocs.api import Client, NotFound, Query
from kafdocs.cli import main
from kafdocs.transfer import Job, JobState, TransferQueue
from kafdocs.transfer.upload import OnDuplicate, UploadRequest, upload_job
from tests.conftest import ACCESS_KEY, FAST_RETRY
from tests.faults.proxy import FaultProxy
from tests.transfer.conftest import run_all


@pytest.fixture
def proxied(box) -> Iterator[tuple[Client, FaultProxy]]:
    proxy = FaultProxy(box.url)
    client = Client(proxy.url, "admin", ACCESS_KEY, timeout=(2.0, 2.0), retry=FAST_RETRY)
    client.login()
    yield client, proxy
    client.close()
    proxy.stop()


def write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def one(client: Client, request: UploadRequest) -> Job:
    (job,) = run_all([upload_job(client, request)]).jobs.values()
    return job


def filed(client: Client, path: Path, folder: str = "22x1", **kw: Any) -> dict[str, Any]:
    job = one(client, UploadRequest(path, folder, **kw))
    assert job.state is JobState.DONE, job.message
    return client.retrieve(job.meta["doc_id"])


def file_of(client: Client, record: dict[str, Any]) -> bytes:
    client.files_retrieve(record["imageattachmentids"])
    return client.buffers[0].getvalue()


def replace_op(client: Client) -> str:
    return "FileUpload" if client.supports_file_upload() else "revise"


def test_replace_keeps_id_number_folder_title_description_and_links(
        crm: Client, tmp_path: Path) -> None:
    account = crm.create("Accounts", {"accountname": "Lefèvre SA",
                                      "assigned_user_id": crm.user_id})
    old = filed(crm, write(tmp_path, "contrat.pdf", b"%PDF-1.4 draft"),
                link_to=account["id"], title="Conditions générales de vente")
    crm.revise({"id": old["id"], "notecontent": "version de travail"})
    signed = write(tmp_path / "..", "contrat.pdf", b"%PDF-1.4 signed by both parties")
    job = one(crm, UploadRequest(signed, "22x1", on_duplicate=OnDuplicate.REPLACE))
    assert job.state is JobState.DONE, job.message
    assert job.meta["doc_id"] == old["id"]
    assert job.message == f"new version of {old['note_no']} ({old['id']})"
    new = crm.retrieve(old["id"])
    kept = ("note_no", "folderid", "notes_title", "notecontent", "createdtime")
    assert {k: new[k] for k in kept} == {**{k: old[k] for k in kept},
                                         "notecontent": "version de travail"}
    assert new["imageattachmentids"] != old["imageattachmentids"]
    assert new["filesize"] == str(signed.stat().st_size)
    assert file_of(crm, new) == signed.read_bytes()
    with pytest.raises(NotFound):
        crm.files_retrieve(old["imageattachmentids"])
    related = crm.query_related(account["id"], "Documents", "SELECT id FROM Documents")
    assert [r["id"] for r in related] == [old["id"]]
    assert len(crm.query(Query("Documents").where("folderid", "=", "22x1"))) == 1


def test_new_version_of_a_chosen_document_among_several_of_that_name(
        crm: Client, tmp_path: Path) -> None:
    first = filed(crm, write(tmp_path, "cgv.pdf", b"conditions"), title="Conditions générales")
    second = filed(crm, write(tmp_path, "cgv.pdf", b"avenant"), title="Avenant n°2 Lefèvre")
    newer = write(tmp_path, "cgv.pdf", b"avenant, signed")
    job = one(crm, UploadRequest(newer, "22x1", on_duplicate=OnDuplicate.REPLACE,
                                 replace_id=second["id"]))
    assert job.state is JobState.DONE, job.message
    assert file_of(crm, crm.retrieve(second["id"])) == b"avenant, signed"
    assert file_of(crm, crm.retrieve(first["id"])) == b"conditions"
    titles = {r["notes_title"] for r in crm.query(Query("Documents"))}
    assert titles == {"Conditions générales", "Avenant n°2 Lefèvre"}


def test_plain_replace_among_several_of_that_name_replaces_none_and_says_why(
        crm: Client, tmp_path: Path) -> None:
    first = filed(crm, write(tmp_path, "cgv.pdf", b"conditions"), title="Conditions")
    second = filed(crm, write(tmp_path, "cgv.pdf", b"avenant"), title="Avenant")
    job = one(crm, UploadRequest(write(tmp_path, "cgv.pdf", b"v3"), "22x1",
                                 on_duplicate=OnDuplicate.REPLACE))
    assert job.state is JobState.FAILED
    assert "2 documents in this folder have the file name cgv.pdf" in job.message
    assert "“Conditions”" in job.message and "kafdocs replace" in job.message
    assert file_of(crm, crm.retrieve(first["id"])) == b"conditions"
    assert file_of(crm, crm.retrieve(second["id"])) == b"avenant"


def test_new_version_may_have_another_file_name(crm: Client, tmp_path: Path) -> None:
    old = filed(crm, write(tmp_path, "devis.docx", b"draft"))
    job = one(crm, UploadRequest(write(tmp_path, "devis signé.pdf", b"%PDF signed"), "22x1",
                                 replace_id=old["id"]))
    assert job.state is JobState.DONE, job.message
    new = crm.retrieve(old["id"])
    assert new["filename"] in ("devis signé.pdf", "devis_signé.pdf")
    assert file_of(crm, new) == b"%PDF signed"


def test_new_version_of_a_deleted_document_sends_nothing(crm: Client, tmp_path: Path) -> None:
    old = filed(crm, write(tmp_path, "a.txt", b"a"))
    crm.delete(old["id"])
    job = one(crm, UploadRequest(write(tmp_path, "b.txt", b"b"), "22x1", replace_id=old["id"]))
    assert job.state is JobState.FAILED
    assert "no longer exists in the CRM" in job.message


@pytest.mark.parametrize("kind", ["reset_request", "status_500", "status_502", "empty"])
def test_failed_new_version_leaves_the_previous_file_whole(
        kind: str, proxied: tuple[Client, FaultProxy], tmp_path: Path) -> None:
    client, proxy = proxied
    old = filed(client, write(tmp_path, "plan.bin", os.urandom(300_000)))
    before = file_of(client, old)
    proxy.add(replace_op(client), kind, times=99)
    path = write(tmp_path, "plan.bin", os.urandom(400_000))
    job = one(client, UploadRequest(path, "22x1", on_duplicate=OnDuplicate.REPLACE))
    assert job.state is JobState.FAILED
    after = client.retrieve(old["id"])
    assert after["imageattachmentids"] == old["imageattachmentids"]
    assert file_of(client, after) == before


@pytest.mark.parametrize("kind", ["reset_request", "status_503"])
def test_new_version_cut_once_is_sent_again_and_whole(
        kind: str, proxied: tuple[Client, FaultProxy], tmp_path: Path) -> None:
    client, proxy = proxied
    old = filed(client, write(tmp_path, "plan.bin", os.urandom(300_000)))
    proxy.add(replace_op(client), kind)
    path = write(tmp_path, "plan.bin", os.urandom(400_000))
    job = one(client, UploadRequest(path, "22x1", on_duplicate=OnDuplicate.REPLACE))
    assert job.state is JobState.DONE, job.message
    assert file_of(client, client.retrieve(old["id"])) == path.read_bytes()


def test_lost_answer_after_the_server_stored_the_version_is_not_sent_again(
        proxied: tuple[Client, FaultProxy], tmp_path: Path) -> None:
    client, proxy = proxied
    old = filed(client, write(tmp_path, "plan.bin", os.urandom(300_000)))
    operation = replace_op(client)
    proxy.add(operation, "reset_response")
    seen = len(proxy.seen)
    path = write(tmp_path, "plan.bin", os.urandom(400_000))
    job = one(client, UploadRequest(path, "22x1", on_duplicate=OnDuplicate.REPLACE))
    assert job.state is JobState.DONE, job.message
    assert [op for op, _ in proxy.seen[seen:]].count(operation) == 1
    assert file_of(client, client.retrieve(old["id"])) == path.read_bytes()


def test_new_version_over_the_size_limit_leaves_the_previous_file(
        make_sandbox, tmp_path: Path) -> None:
    for flavour in ("kafinea", "vtiger"):
        box = make_sandbox(flavour=flavour, max_post=1_000_000)
        with Client(box.url, "admin", ACCESS_KEY, retry=FAST_RETRY) as client:
            old = filed(client, write(tmp_path, "scan.tiff", b"small scan"))
            job = one(client, UploadRequest(write(tmp_path, "scan.tiff", os.urandom(1_500_000)),
                                            "22x1", replace_id=old["id"]))
            assert job.state is JobState.FAILED
            assert "too large for this server" in job.message
            assert file_of(client, client.retrieve(old["id"])) == b"small scan"


def test_a_new_version_stored_with_another_size_fails_and_says_so(
        box, crm: Client, tmp_path: Path, monkeypatch) -> None:
    old = filed(crm, write(tmp_path, "bail.pdf", b"%PDF lease"))
    store = box.server.store
    update = store.update

    def short_of_one(module: Any, crmid: int, values: dict[str, str]) -> None:
        if values.get("filesize"):  # a server that stored less than it received
            values = {**values, "filesize": str(int(values["filesize"]) - 1)}
        update(module, crmid, values)

    monkeypatch.setattr(store, "update", short_of_one)
    job = one(crm, UploadRequest(write(tmp_path, "bail.pdf", b"%PDF lease, signed"), "22x1",
                                 replace_id=old["id"]))
    assert job.state is JobState.FAILED
    assert job.message == "The server stored 17 bytes instead of 18; send the new version again"


def test_cancelled_new_version_leaves_the_previous_file(crm: Client, tmp_path: Path) -> None:
    old = filed(crm, write(tmp_path, "big.bin", b"previous"))
    path = write(tmp_path, "big.bin", os.urandom(6_000_000))
    queue = TransferQueue(1, retry=FAST_RETRY)
    queue.subscribe(lambda e: e.kind == "progress" and e.done > 0 and queue.cancel(e.job_id))
    job = queue.submit(upload_job(crm, UploadRequest(path, "22x1", replace_id=old["id"])))
    assert queue.wait(30)
    assert job.state is JobState.CANCELLED
    assert file_of(crm, crm.retrieve(old["id"])) == b"previous"


def test_file_saved_again_while_its_new_version_is_sent_arrives_whole(
        crm: Client, tmp_path: Path) -> None:
    old = filed(crm, write(tmp_path, "rapport.odt", b"v1"))
    first = os.urandom(3_000_000)
    path = write(tmp_path, "rapport.odt", first)

    def save_again(event: Any) -> None:
        if event.kind == "progress" and path.stat().st_size == len(first):
            path.write_bytes(b"v3, saved during the upload")

    queue = TransferQueue(1, retry=FAST_RETRY)
    queue.subscribe(save_again)
    job = queue.submit(upload_job(crm, UploadRequest(path, "22x1", replace_id=old["id"])))
    assert queue.wait(30)
    assert job.state is JobState.DONE, job.message
    assert file_of(crm, crm.retrieve(old["id"])) == first


def test_empty_new_version(box, crm: Client, tmp_path: Path) -> None:
    old = filed(crm, write(tmp_path, "note.txt", b"some text"))
    job = one(crm, UploadRequest(write(tmp_path, "note.txt", b""), "22x1",
                                 replace_id=old["id"]))
    after = crm.retrieve(old["id"])
    if box.server.config.stock:  # the server would drop the document's file
        assert job.state is JobState.FAILED
        assert job.message == ("note.txt: the file is empty and this server cannot store "
                               "empty files")
        assert file_of(crm, after) == b"some text"
    else:
        assert job.state is JobState.DONE, job.message
        assert after["filesize"] == "0" and file_of(crm, after) == b""


def test_empty_file_is_refused_on_stock_vtiger_and_nothing_is_created(
        make_sandbox, tmp_path: Path) -> None:
    box = make_sandbox(flavour="vtiger")
    with Client(box.url, "admin", ACCESS_KEY) as client:
        job = one(client, UploadRequest(write(tmp_path, "vide.txt", b""), "22x1"))
        assert job.state is JobState.FAILED
        assert "the file is empty and this server cannot store empty files" in job.message
        assert client.query(Query("Documents")) == []


@pytest.fixture
def cli_env(box, monkeypatch) -> None:
    monkeypatch.setenv("KAFDOCS_URL", box.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)


def test_cli_on_duplicate_replace_keeps_the_document_id(cli_env, crm: Client, capsys,
                                                        tmp_path: Path) -> None:
    old = filed(crm, write(tmp_path, "bilan.xlsx", b"2025"))
    path = write(tmp_path, "bilan.xlsx", b"2025, corrected")
    assert main(["upload", "--folder", "22x1", "--on-duplicate", "replace", "--json",
                 str(path)]) == 0
    (job,) = json.loads(capsys.readouterr().out)["jobs"]
    assert job["doc_id"] == old["id"] and job["state"] == "finished"
    assert job["message"] == f"new version of {old['note_no']} ({old['id']})"
    assert file_of(crm, crm.retrieve(old["id"])) == b"2025, corrected"


def test_cli_replace_a_chosen_document(cli_env, crm: Client, capsys, tmp_path: Path) -> None:
    old = filed(crm, write(tmp_path, "devis.docx", b"draft"))
    path = write(tmp_path, "devis signé.pdf", b"%PDF signed")
    assert main(["replace", old["id"], str(path)]) == 0
    assert "1 done" in capsys.readouterr().err
    assert file_of(crm, crm.retrieve(old["id"])) == b"%PDF signed"
    assert main(["replace", "DOC12", str(path)]) == 2
    assert "“DOC12” is not a document id" in capsys.readouterr().err
