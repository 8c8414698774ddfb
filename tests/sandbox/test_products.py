"""Products and their images: multipart parts named imagename[] add pictures."""

from __future__ import annotations

import json

from kafdocs.sandbox.demo import png
from tests.sandbox.wsclient import Plain, error

PRODUCT = {"productname": "Four à sole", "assigned_user_id": "19x1"}


def images(*items: tuple[str, bytes, str], name: str = "imagename[]") -> list[tuple]:
    return [(name, item) for item in items]


def test_create_with_images_adds_only_the_images(both: Plain) -> None:
    answer = both.post("create", elementType="Products", element=json.dumps(PRODUCT),
                       files=images(("four.png", png(8, 8, 1), "image/png"),
                                    ("notice.txt", b"not a picture", "text/plain"),
                                    ("vue 2.png", png(8, 8, 2), "image/png")))
    product = both.ok(answer)
    assert product["id"].startswith("14x") and product["product_no"].startswith("PRO")
    ids = product["imageattachmentids"].split(",")
    assert [both.file(i)[0]["filename"] for i in ids] == ["four.png", "vue_2.png"]
    assert all(i.startswith("14x") for i in ids)


def test_update_and_revise_add_images_never_replace(both: Plain) -> None:
    product = both.ok(both.create("Products", PRODUCT))
    both.ok(both.post("revise", element=json.dumps({"id": product["id"]}),
                      files=images(("a.png", png(4, 4, 1), "image/png"))))
    both.ok(both.post("update", element=json.dumps({**PRODUCT, "id": product["id"]}),
                      files=images(("b.png", png(4, 4, 2), "image/png"))))
    assert len(both.retrieve(product["id"])["imageattachmentids"].split(",")) == 2


def test_a_single_part_named_imagename_is_a_fatal_error(both: Plain) -> None:
    resp = both.http.post(both.endpoint, data={
        "operation": "create", "sessionName": both.session, "elementType": "Products",
        "element": json.dumps({**PRODUCT, "productname": "Cassé"})},
        files=images(("a.png", png(4, 4, 1), "image/png"), name="imagename"))
    assert resp.text.startswith("<br />\n<b>Fatal error</b>") and '"success"' not in resp.text
    found = both.ok(both.query("SELECT * FROM Products WHERE productname = 'Cassé';"))
    assert len(found) == 1 and "imageattachmentids" not in found[0]  # a broken product


def test_product_images_are_not_document_files(both: Plain) -> None:
    product = both.ok(both.post("create", elementType="Products", element=json.dumps(PRODUCT),
                                files=images(("a.png", png(4, 4, 1), "image/png"))))
    number = product["imageattachmentids"].split("x")[1]
    assert error(both.get("files_retrieve", id=f"15x{number}"))[0] == "INVALID_ID_ATTRIBUTE"
