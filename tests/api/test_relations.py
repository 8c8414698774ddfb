"""Records and their documents, and product pictures, on both sandbox flavours."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kafdocs.api import Client, Query, QueryValueError
from kafdocs.sandbox.app import Sandbox
from kafdocs.sandbox.demo import png
from tests.conftest import ACCESS_KEY

ACCOUNT = "11x42"  # Boulangerie Dupré, in the demo data
PRODUCT = "14x64"  # Logiciel de caisse Boulange+, no picture yet
ACTIVE = Query("Documents").where("filestatus", "=", "1")


@pytest.fixture(params=["kafinea", "vtiger"])
def crm(request, make_sandbox: Callable[..., Sandbox]) -> Iterator[Client]:
    box = make_sandbox(demo_data=True, flavour=request.param, row_cap=5)
    with Client(box.url, "admin", ACCESS_KEY) as client:
        client.sandbox = box  # type: ignore[attr-defined]
        yield client


def new_document(crm: Client, title: str, status: str = "1") -> str:
    return crm.create("Documents", {"notes_title": title, "folderid": "22x1",
                                    "filestatus": status,
                                    "assigned_user_id": crm.user_id})["id"]


def test_add_related_names_the_relation_as_the_server_registers_it(crm: Client,
                                                                   monkeypatch) -> None:
    backend = crm.sandbox.server.backend  # type: ignore[attr-defined]
    seen: list[str | None] = []
    operation = backend.operations["add_related"]

    def spy(be, call, source, related, label):
        seen.append(label)
        return operation.handler(be, call, source, related, label)

    monkeypatch.setitem(backend.operations, "add_related", replace(operation, handler=spy))
    crm.add_related(ACCOUNT, new_document(crm, "Contrat"))
    assert seen == ["Documents"]  # relationIdLabel; "relatedLabel" would be ignored


def test_a_related_list_pages_past_the_row_cap(crm: Client) -> None:
    docs = {new_document(crm, f"Facture {n}") for n in range(12)}
    for doc in docs:
        crm.add_related(ACCOUNT, doc)
    inactive = new_document(crm, "Brouillon", status="0")
    crm.add_related(ACCOUNT, inactive)
    found = [row["id"] for row in crm.iter_related(ACCOUNT, "Documents", ACTIVE)]
    assert len(found) == len(set(found)) and docs <= set(found)
    assert inactive not in found  # related lists show active documents only


def test_an_empty_related_list_counts_nothing(crm: Client) -> None:
    """With nothing related the server answers [] even to SELECT count(*)."""
    assert crm.query_related(PRODUCT, "Documents", ACTIVE.count()) == []
    assert list(crm.iter_related(PRODUCT, "Documents", ACTIVE)) == []


def test_a_sorted_related_query_needs_a_condition_of_its_own() -> None:
    """The server appends `` WHERE id IN (…)``: after ORDER BY it is a syntax error."""
    with pytest.raises(QueryValueError):
        Query("Documents").order_by("notes_title").vtql(related=True)
    assert ACTIVE.order_by("id").limit(5).vtql(related=True) == (
        "SELECT * FROM Documents WHERE filestatus = '1' ORDER BY id LIMIT 0, 5")


def test_retrieve_related_gives_whole_records_from_either_side(crm: Client) -> None:
    doc = new_document(crm, "Bon de commande")
    crm.add_related(ACCOUNT, doc)
    (account,) = crm.retrieve_related(doc, "Accounts", "Accounts")
    assert account["accountname"] == "Boulangerie Dupré"
    assert doc in {r["id"] for r in crm.retrieve_related(ACCOUNT, "Documents", "Documents")}


def image_ids(crm: Client, product: str) -> list[str]:
    return [i for i in str(crm.retrieve(product).get("imageattachmentids", "")).split(",") if i]


def test_a_product_picture_is_added_beside_the_others(crm: Client, tmp_path: Path) -> None:
    for n in (1, 2):
        picture = tmp_path / f"caisse {n}.png"
        picture.write_bytes(png(12, 8, n))
        crm.add_product_image(PRODUCT, picture, content_type="image/png")
    ids = image_ids(crm, PRODUCT)
    assert len(ids) == 2 and all(i.startswith("14x") for i in ids)
    crm.files_retrieve(ids[1])
    assert crm.buffers[0].getvalue() == png(12, 8, 2)


def test_a_file_that_is_no_picture_is_dropped_without_a_word_on_stock_vtiger(
        make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("not a picture")
    with Client(make_sandbox(demo_data=True, flavour="vtiger").url, "admin", ACCESS_KEY) as crm:
        crm.add_product_image(PRODUCT, notice, content_type="text/plain")  # "success"
        assert image_ids(crm, PRODUCT) == []  # hence the check after each picture
