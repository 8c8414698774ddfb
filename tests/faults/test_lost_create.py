"""A lost answer to ``create``: the server made the document, the client never heard,
and the engine repeats the whole upload. Kafinea's chain creates, then FileUpload; stock
vtiger's sends the file inside the multipart ``create``. Either way one document stays."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kafdocs.api import Client, Query
from kafdocs.sandbox.demo import png
from kafdocs.transfer import JobState
from kafdocs.transfer.crmrecords import image_ids
from kafdocs.transfer.product_images import ImageRequest, image_job
from kafdocs.transfer.upload import UploadRequest
from tests.conftest import ACCESS_KEY, FAST_RETRY
from tests.faults.proxy import FaultProxy
from tests.transfer.conftest import run_all
from tests.transfer.test_upload import job_for

OVEN = "14x60"  # a product of the demo data, with pictures


@pytest.fixture(params=["kafinea", "vtiger"])
def crm(request, make_sandbox) -> Iterator[Client]:
    proxy = FaultProxy(make_sandbox(flavour=request.param).url)
    crm = Client(proxy.url, "admin", ACCESS_KEY, timeout=(2.0, 1.0), retry=FAST_RETRY)
    crm.login()
    crm.proxy = proxy  # type: ignore[attr-defined]
    yield crm
    crm.close()
    proxy.stop()


@pytest.mark.parametrize("kind", ["reset_request", "reset_response", "status_503",
                                  "truncate", "empty"])
def test_a_lost_create_answer_leaves_one_document(kind: str, crm: Client,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(b"%PDF-1.4\n" + os.urandom(300_000))
    crm.proxy.add("create", kind)  # type: ignore[attr-defined]
    request = UploadRequest(path, "22x1", duplicates=())  # looked up: none in the folder
    (job,) = run_all([job_for(crm, request)]).jobs.values()
    assert job.state is JobState.DONE, job.message
    assert kind in crm.proxy.faults_used()  # type: ignore[attr-defined]
    rows = crm.query(Query("Documents").where("notes_title", "=", "rapport"))
    assert len(rows) == 1, rows
    assert rows[0]["filesize"] == str(path.stat().st_size)


def test_an_earlier_upload_of_the_same_file_is_never_taken_for_the_lost_one(
        crm: Client, tmp_path: Path) -> None:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(b"%PDF-1.4\n" + os.urandom(1_000))
    run_all([job_for(crm, UploadRequest(path, "22x1"))])
    (earlier,) = crm.query(Query("Documents").where("notes_title", "=", "rapport"))
    crm.proxy.add("create", "reset_response")  # type: ignore[attr-defined]
    request = UploadRequest(path, "22x1", duplicates=(earlier,))  # keep both, same name
    (job,) = run_all([job_for(crm, request)]).jobs.values()
    assert job.state is JobState.DONE, job.message
    rows = crm.query(Query("Documents").where("notes_title", "=", "rapport"))
    assert len(rows) == 2 and earlier["id"] in {r["id"] for r in rows}


@pytest.mark.parametrize("kind", ["reset_response", "truncate"])
def test_a_lost_answer_to_a_products_picture_adds_it_once(kind: str, make_sandbox,
                                                          tmp_path: Path) -> None:
    """Pictures are added, never replaced, and cannot be removed through the webservice:
    a picture whose answer was lost is found on the product, not sent a second time."""
    for flavour, operation in (("kafinea", "FileUpload"), ("vtiger", "revise")):
        proxy = FaultProxy(make_sandbox(demo_data=True, flavour=flavour).url)
        with Client(proxy.url, "admin", ACCESS_KEY, retry=FAST_RETRY) as crm:
            photo = tmp_path / f"{flavour}.png"
            photo.write_bytes(png(30, 20, 1))
            before = image_ids(crm.retrieve(OVEN))
            proxy.add(operation, kind)
            (job,) = run_all([image_job(crm, ImageRequest(photo, OVEN))]).jobs.values()
            assert job.state is JobState.DONE, job.message
            assert kind in proxy.faults_used()
            assert len(image_ids(crm.retrieve(OVEN))) == len(before) + 1, flavour
        proxy.stop()
