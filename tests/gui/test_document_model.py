"""The document table's model pages a large folder with one sort column (stock vtiger)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt

from kafdocs.api import Client
from kafdocs.gui.models import FIELDS, DocumentModel
from kafdocs.gui.tasks import TaskRunner
from kafdocs.sandbox.app import Sandbox
from kafdocs.sandbox.schema import DOCUMENTS
from tests.conftest import ACCESS_KEY


@pytest.fixture
def vtiger(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    box = make_sandbox(flavour="vtiger", row_cap=100)
    for n in range(250):  # ties: ten documents per title
        box.server.store.insert(DOCUMENTS, {
            "notes_title": f"Facture {n // 10:02d}", "folderid": "22x1", "filestatus": "1",
            "assigned_user_id": "19x1", "filesize": str(n), "filename": f"f{n}.pdf"})
    return box


@pytest.fixture
def model(qtbot, vtiger: Sandbox, tasks: TaskRunner) -> Iterator[DocumentModel]:
    with Client(vtiger.url, "admin", ACCESS_KEY) as client:
        model = DocumentModel(tasks)
        model.set_client(client)
        yield model


def load_all(qtbot, model: DocumentModel) -> list[str]:
    qtbot.waitUntil(lambda: not model._loading and model.total > 0)
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model._loading)
    return [row["id"] for row in model.rows]


@pytest.mark.parametrize("column", ["notes_title", "filesize", "modifiedtime"])
def test_a_descending_sort_lists_every_document_once(qtbot, model: DocumentModel,
                                                      column: str) -> None:
    failures: list[object] = []
    model.failed.connect(failures.append)
    model.set_folder("22x1")
    model.sort(FIELDS.index(column), Qt.SortOrder.DescendingOrder)
    ids = load_all(qtbot, model)
    assert failures == []
    assert len(ids) == len(set(ids)) == 250


def test_a_folder_that_changes_between_pages_is_read_again(qtbot, model: DocumentModel,
                                                            vtiger: Sandbox) -> None:
    model.set_folder("22x1")
    qtbot.waitUntil(lambda: len(model.rows) == 100)
    with Client(vtiger.url, "admin", ACCESS_KEY) as client:
        for row in model.rows[:5]:
            client.delete(row["id"])
    ids = load_all(qtbot, model)
    assert len(ids) == len(set(ids)) == 245
