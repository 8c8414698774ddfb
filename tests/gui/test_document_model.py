"""The document table's model pages a large folder with one sort column (stock vtiger)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from kafdocs.api import Client
from kafdocs.gui.models import FIELDS, FOLDER, DocumentModel
from kafdocs.gui.tasks import TaskRunner
from kafdocs.sandbox.app import Sandbox
from kafdocs.sandbox.schema import DOCUMENTS
from kafdocs.transfer.sources import SearchResults
from tests.conftest import ACCESS_KEY

HELD = threading.Event()  # the slow count below answers once set


@dataclass(frozen=True)
class SlowlyCounted(SearchResults):
    """A search whose count takes as long as the test wants (a count reads every match)."""

    def count(self, client: Client) -> int:
        assert HELD.wait(10)
        return super().count(client)


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


def test_search_results_span_folders_with_a_folder_column(qtbot, model: DocumentModel) -> None:
    model.set_folder_names({"22x1": "Default"})
    model.set_source(SearchResults.of("facture 02"))
    ids = load_all(qtbot, model)
    assert len(ids) == 10
    assert model.columns[1] == FOLDER and model.headerData(
        1, Qt.Orientation.Horizontal) == "Folder"
    assert model.index(0, 1).data() == "Default"
    model.set_folder("22x1")
    assert FOLDER not in model.columns


def test_a_newer_search_drops_the_answer_to_an_older_one(qtbot, model: DocumentModel) -> None:
    model.set_source(SearchResults.of("facture 01"))
    model.set_source(SearchResults.of("facture 02"))
    load_all(qtbot, model)
    model.tasks.wait(10_000)  # every answer is in: the older one was dropped, not late
    QCoreApplication.processEvents()
    assert {r["notes_title"] for r in model.rows} == {"Facture 02"}


def test_a_title_typed_in_the_table_is_asked_for_not_shown(qtbot, model: DocumentModel) -> None:
    model.set_folder("22x1")
    load_all(qtbot, model)
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    model.titles_editable = True
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(model.title_edited) as asked:
        model.setData(model.index(0, 0), "  Nouveau  ")
    assert asked.args == [model.rows[0], "Nouveau"]
    assert model.rows[0]["notes_title"] != "Nouveau"
    model.replace([{**model.rows[0], "notes_title": "Nouveau"}])
    assert model.index(0, 0).data() == "Nouveau"


def test_documents_removed_from_the_list_keep_the_paging_right(qtbot, model: DocumentModel,
                                                               vtiger: Sandbox) -> None:
    model.set_folder("22x1")
    qtbot.waitUntil(lambda: len(model.rows) == 100)
    gone = {row["id"] for row in model.rows[:3]}
    with Client(vtiger.url, "admin", ACCESS_KEY) as client:
        for doc_id in gone:
            client.delete(doc_id)
    model.remove(gone)
    ids = load_all(qtbot, model)
    assert len(ids) == len(set(ids)) == 247 and not gone & set(ids)


def test_the_first_results_show_before_they_are_counted(qtbot, model: DocumentModel) -> None:
    HELD.clear()
    plain = SearchResults.of("facture")
    model.set_source(SlowlyCounted(plain.query, plain.text))
    qtbot.waitUntil(lambda: model.rowCount() == 100)
    assert model.counting and model.loading and not model.complete
    assert not model.canFetchMore()  # how far to page is not known yet
    with qtbot.waitSignal(model.total_changed) as counted:
        HELD.set()
    assert counted.args == [250] and not model.counting and model.canFetchMore()
    assert len(load_all(qtbot, model)) == 250


def test_end_waits_for_the_count_then_loads_every_page(qtbot, model: DocumentModel) -> None:
    HELD.clear()
    plain = SearchResults.of("facture")
    model.set_source(SlowlyCounted(plain.query, plain.text))
    qtbot.waitUntil(lambda: model.rowCount() == 100)
    model.load_to_end()  # End pressed while the count is on its way
    with qtbot.waitSignal(model.reached_end, timeout=10_000):
        HELD.set()
    assert model.rowCount() == 250 and model.complete


@pytest.mark.parametrize("flavour", ["kafinea", "vtiger"])
def test_titles_sort_ignoring_case_and_accents(qtbot, make_sandbox, tasks, flavour) -> None:
    """As the CRM's database orders them: "gui-upload" among the G, not after "Site"."""
    box = make_sandbox(flavour=flavour)
    for title in ("Site plan", "gui-upload", "Étude thermique", "facture", "Zèbre", "avoir"):
        box.server.store.insert(DOCUMENTS, {
            "notes_title": title, "folderid": "22x1", "filestatus": "1",
            "assigned_user_id": "19x1", "filesize": "1", "filename": "x.pdf"})
    with Client(box.url, "admin", ACCESS_KEY) as client:
        model = DocumentModel(tasks)
        model.set_client(client)
        model.set_folder("22x1")
        model.sort(FIELDS.index("notes_title"), Qt.SortOrder.AscendingOrder)
        load_all(qtbot, model)
        assert [r["notes_title"] for r in model.rows] == [
            "avoir", "Étude thermique", "facture", "gui-upload", "Site plan", "Zèbre"]
