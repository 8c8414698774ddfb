"""The hot folder on a real directory, filing into the sandbox over HTTP."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kafdocs import i18n
from kafdocs.api import Client, ConnectionFailed
from kafdocs.api.retry import RetryPolicy
from kafdocs.sandbox.app import Sandbox
from kafdocs.transfer import JobEvent, TransferQueue
from kafdocs.transfer.upload import OnDuplicate
from kafdocs.transfer.watch import (
    JOURNAL,
    AfterFiling,
    AlreadyWatched,
    WatchEvent,
    WatchSettings,
    watcher,
)
from kafdocs.transfer.watch.group import WatchGroup
from kafdocs.transfer.watch.journal import Journal
from kafdocs.transfer.watch.rules import watched
from kafdocs.transfer.watch.settle import Settler
from tests.conftest import ACCESS_KEY
from tests.transfer.watch_helpers import Watching, content, documents, wait_until


@pytest.fixture(params=["kafinea", "vtiger"])
def flavour(request) -> str:
    return str(request.param)


@pytest.fixture
def crm(flavour: str, make_sandbox: Callable[..., Sandbox]) -> Iterator[Client]:
    box = make_sandbox(flavour=flavour)
    with Client(box.url, "admin", ACCESS_KEY) as client:
        yield client


@pytest.fixture
def kafinea(make_sandbox: Callable[..., Sandbox]) -> Iterator[Client]:
    with Client(make_sandbox(flavour="kafinea").url, "admin", ACCESS_KEY) as client:
        yield client


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "Scans à classer"
    path.mkdir()
    return path


@pytest.fixture
def watching() -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(client: Client, directory: Path, **settings: object) -> Watching:
        started.append(Watching(client, directory, **settings).start())  # type: ignore[arg-type]
        return started[-1]

    yield start
    for w in started:
        w.stop()


# -- rules, without a server ---------------------------------------------------------
@pytest.mark.parametrize("name", [
    ".hidden.pdf", "~$rapport.docx", ".~lock.rapport.odt#", "scan.part", "SCAN.TMP",
    "facture.pdf.crdownload", "x.kafdocs-part", "Filed/a.pdf", "Failed/a.pdf",
    ".git/config", "sous-dossier/a.pdf",
])
def test_temporary_hidden_and_partial_names_are_never_filed(name: str) -> None:
    assert not watched(name, recursive=False)


def test_subdirectories_only_with_recursive_and_never_filed_or_failed() -> None:
    assert watched("facture 12.pdf", recursive=False)
    assert watched("2026/mars/facture.pdf", recursive=True)
    assert not watched("Filed/2026/facture.pdf", recursive=True)
    assert not watched("Failed/facture.pdf", recursive=True)
    assert not watched("2026/.cache/x.pdf", recursive=True)


def test_a_file_is_ready_once_unchanged_for_the_settle_time() -> None:
    now = [0.0]
    settler = Settler(2.0, clock=lambda: now[0])
    settler.observe("scan.pdf", (100, 1))
    now[0] = 1.5
    settler.observe("scan.pdf", (200, 2))  # still growing: the wait starts again
    now[0] = 3.0
    assert settler.ready() == []
    assert settler.next_due() == 3.5
    settler.observe("scan.pdf", (200, 2))
    now[0] = 3.5
    assert settler.ready() == [("scan.pdf", (200, 2))]


def test_journal_ignores_a_torn_last_line_and_compacts_to_what_is_open(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    done = journal.begin("a.pdf", (1, 1), [])
    journal.record(done, "confirmed", doc="15x3", number="DOC3")
    journal.record(done, "done", outcome="moved")
    kept = journal.begin("b.pdf", (2, 2), [])
    journal.record(kept, "done", outcome="kept")
    open_chain = journal.begin("c.pdf", (3, 3), ["15x9"])
    journal.close()
    with (tmp_path / JOURNAL).open("a") as f:
        f.write('{"op": "confirmed", "id": "')  # killed while writing
    again = Journal(tmp_path)
    assert [c.path for c in again.open_chains()] == ["c.pdf"]
    assert again.open_chain("c.pdf").existing == ["15x9"]  # type: ignore[union-attr]
    assert again.kept() == {"b.pdf": (2, 2)}
    again.compact()
    lines = [json.loads(x) for x in (tmp_path / JOURNAL).read_text().splitlines()]
    assert {line["id"] for line in lines} == {kept.id, open_chain.id}


# -- on a real directory, against the sandbox -------------------------------------------
def test_file_written_slowly_in_chunks_is_filed_once_and_complete(
        crm: Client, inbox: Path, watching: Callable[..., Watching]) -> None:
    w = watching(crm, inbox, settle=1.0)
    path = inbox / "relevé bancaire.pdf"
    chunks = [b"%PDF-1.4\n" + os.urandom(100_000) for _ in range(6)]
    with path.open("wb") as f:
        for chunk in chunks:  # each chunk once the watcher has seen the previous one
            f.write(chunk)
            f.flush()
            size = path.stat().st_size
            wait_until(lambda size=size: (w.watcher._settler.seen(path.name) or (0,))[0] == size)
    (event,) = w.wait("filed")
    assert event.path == path.name
    (doc,) = documents(crm)
    assert doc["id"] == event.doc_id and doc["note_no"] == event.number
    assert content(crm, doc["id"]) == b"".join(chunks)
    assert (inbox / "Filed" / path.name).read_bytes() == b"".join(chunks)


def test_many_files_at_once_are_each_filed_once(crm: Client, inbox: Path,
                                                watching: Callable[..., Watching]) -> None:
    w = watching(crm, inbox, workers=4)
    for n in range(60):
        (inbox / f"facture-{n:03}.pdf").write_bytes(b"%PDF " + str(n).encode())
    w.wait("filed", 60)
    rows = documents(crm)
    assert sorted(r["filename"] for r in rows) == [f"facture-{n:03}.pdf" for n in range(60)]
    assert len(list((inbox / "Filed").iterdir())) == 60
    assert sorted(p.name for p in inbox.iterdir()) == [".kafdocs-watch.jsonl",
                                                       ".kafdocs-watch.lock", "Filed"]


def test_ignored_names_stay_and_subdirectories_wait_for_recursive(
        kafinea: Client, inbox: Path, watching: Callable[..., Watching]) -> None:
    ignored = [".cache.pdf", "~$devis.docx", ".~lock.devis.odt#", "devis.docx.part",
               "export.tmp", "photo.jpg.crdownload", "copie.kafdocs-part"]
    for name in ignored:
        (inbox / name).write_bytes(b"x")
    (inbox / "2026").mkdir()
    (inbox / "2026" / "avril.pdf").write_bytes(b"avril")
    (inbox / "devis.docx").write_bytes(b"the real one")
    w = watching(kafinea, inbox)
    (event,) = w.wait("filed")
    assert event.path == "devis.docx"
    w.stop()
    assert all((inbox / name).exists() for name in ignored)
    assert (inbox / "2026" / "avril.pdf").exists()
    recursive = watching(kafinea, inbox, recursive=True)
    (event,) = recursive.wait("filed")
    assert event.path == "2026/avril.pdf"
    assert (inbox / "Filed" / "2026" / "avril.pdf").read_bytes() == b"avril"
    assert sorted(r["filename"] for r in documents(kafinea)) == ["avril.pdf", "devis.docx"]


def test_files_are_found_by_the_rescan_when_events_are_lost(
        kafinea: Client, inbox: Path, watching: Callable[..., Watching],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watcher.Watcher, "_observe", lambda self: None)
    w = watching(kafinea, inbox, rescan=0.2)
    (inbox / "sans événement.pdf").write_bytes(b"%PDF")
    assert w.wait("filed")[0].path == "sans événement.pdf"


def test_stopping_does_not_wait_for_the_file_system_observer(
        kafinea: Client, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """watchdog's stop holds a name moved away (each file filed) for half a second:
    stopping a watcher, and so closing the app or ``kafdocs watch``, does not wait for it."""
    release, observer_stopped = threading.Event(), threading.Event()

    class SlowToStop:
        def stop(self) -> None:
            release.wait(10)
            observer_stopped.set()

    monkeypatch.setattr(watcher.Watcher, "_observe", lambda self: SlowToStop())
    w = Watching(kafinea, inbox).start()
    try:
        w.stop()
        assert not observer_stopped.is_set()
    finally:
        release.set()


def test_after_delete_removes_the_filed_file(kafinea: Client, inbox: Path,
                                             watching: Callable[..., Watching]) -> None:
    w = watching(kafinea, inbox, after=AfterFiling.DELETE)
    (inbox / "a.pdf").write_bytes(b"a")
    w.wait("filed")
    assert not (inbox / "a.pdf").exists() and not (inbox / "Filed").exists()
    assert len(documents(kafinea)) == 1


def test_after_keep_leaves_the_file_and_files_it_again_only_once_changed(
        kafinea: Client, inbox: Path, watching: Callable[..., Watching]) -> None:
    kept = inbox / "tarifs.csv"
    kept.write_bytes(b"v1")
    first = watching(kafinea, inbox, after=AfterFiling.KEEP, rescan=0.1)
    first.wait("filed")
    first.stop()  # a restart remembers it
    second = watching(kafinea, inbox, after=AfterFiling.KEEP, rescan=0.1)
    (inbox / "autre.csv").write_bytes(b"other")
    assert second.wait("filed")[0].path == "autre.csv"
    assert kept.read_bytes() == b"v1" and len(documents(kafinea, "tarifs.csv")) == 1
    kept.write_bytes(b"v2, longer")
    assert second.wait("filed", 2)[1].path == "tarifs.csv"
    assert sorted(r["filesize"] for r in documents(kafinea, "tarifs.csv")) == ["10", "2"]


def test_file_modified_during_its_upload_is_filed_once_with_its_final_content(
        crm: Client, inbox: Path, watching: Callable[..., Watching]) -> None:
    path = inbox / "export.csv"
    w = watching(crm, inbox, settle=0.3)
    appended: list[int] = []

    def append_during_first_upload(event: JobEvent) -> None:
        if event.kind == "progress" and not appended:
            appended.append(event.job_id)
            with path.open("ab") as f:
                f.write(b"late line\n")

    w.queue.subscribe(append_during_first_upload)
    path.write_bytes(b"a;b\n" * 300_000)
    w.wait("filed")
    (doc,) = documents(crm)
    assert appended and content(crm, doc["id"]) == b"a;b\n" * 300_000 + b"late line\n"


def test_empty_file_on_a_stock_server_lands_in_failed_with_its_reason(
        make_sandbox: Callable[..., Sandbox], inbox: Path,
        watching: Callable[..., Watching]) -> None:
    with Client(make_sandbox(flavour="vtiger").url, "admin", ACCESS_KEY) as client:
        w = watching(client, inbox)
        (inbox / "vide.txt").write_bytes(b"")
        (event,) = w.wait("failed")
        assert documents(client) == []
    assert event.reason == "vide.txt: the file is empty and this server cannot store empty files"
    assert (inbox / "Failed" / "vide.txt").exists() and not (inbox / "vide.txt").exists()
    note = (inbox / "Failed" / "vide.txt.reason.txt").read_text(encoding="utf-8")
    assert "the file is empty and this server cannot store empty files" in note


def test_reason_of_a_failure_is_written_in_the_users_language(
        make_sandbox: Callable[..., Sandbox], inbox: Path,
        watching: Callable[..., Watching]) -> None:
    i18n.set_language("fr")
    try:
        box = make_sandbox(max_post=4096)
        with Client(box.url, "admin", ACCESS_KEY) as client:
            w = watching(client, inbox)
            (inbox / "plan.pdf").write_bytes(os.urandom(20_000))
            w.wait("failed")
            assert documents(client) == []
    finally:
        i18n.set_language("en")
    note = (inbox / "Failed" / "plan.pdf.reason.txt").read_text(encoding="utf-8")
    assert "Fichier trop volumineux pour ce serveur" in note
    assert "kafdocs n'a pas pu classer plan.pdf dans le CRM" in note


def test_a_name_already_in_the_folder_follows_on_duplicate(
        kafinea: Client, inbox: Path, watching: Callable[..., Watching]) -> None:
    (inbox / "devis.pdf").write_bytes(b"v1")
    keep = watching(kafinea, inbox)
    keep.wait("filed")
    (inbox / "devis.pdf").write_bytes(b"v2")
    keep.wait("filed", 2)  # default: keep both
    assert len(documents(kafinea, "devis.pdf")) == 2
    keep.stop()
    skip = watching(kafinea, inbox, on_duplicate=OnDuplicate.SKIP)
    (inbox / "devis.pdf").write_bytes(b"v3")
    (event,) = skip.wait("failed")
    assert "already in this folder" in event.reason
    assert (inbox / "Failed" / "devis.pdf").read_bytes() == b"v3"
    assert len(documents(kafinea, "devis.pdf")) == 2


def test_replace_makes_a_new_version_of_the_document_of_that_name(
        crm: Client, inbox: Path, watching: Callable[..., Watching]) -> None:
    (inbox / "tarifs.pdf").write_bytes(b"v1")
    first = watching(crm, inbox)
    (filed,) = first.wait("filed")
    first.stop()
    replacing = watching(crm, inbox, on_duplicate=OnDuplicate.REPLACE)
    (inbox / "tarifs.pdf").write_bytes(b"v2, plus longue")
    (replaced,) = replacing.wait("filed")
    (doc,) = documents(crm)
    assert doc["id"] == replaced.doc_id == filed.doc_id  # the same document, a new file
    assert content(crm, doc["id"]) == b"v2, plus longue"


def test_server_down_keeps_the_file_and_files_it_later_once(
        kafinea: Client, inbox: Path, watching: Callable[..., Watching],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watcher, "LATER", RetryPolicy(first_delay=0.2, factor=1.0))
    real_create = kafinea.create
    down = [True]

    def create(module: str, element: dict) -> dict:
        if down[0] and module == "Documents":
            raise ConnectionFailed("connection refused")
        return real_create(module, element)

    monkeypatch.setattr(kafinea, "create", create)
    w = watching(kafinea, inbox, attempts=1)
    (inbox / "bon de commande.pdf").write_bytes(b"%PDF bon")
    (later,) = w.wait("later")
    assert "connection refused" in later.reason and 0.1 <= later.retry_in <= 0.3
    assert (inbox / "bon de commande.pdf").exists()
    down[0] = False
    w.wait("filed")
    assert len(documents(kafinea)) == 1


def test_a_folder_that_goes_away_is_reported_once_and_watched_again_when_back(
        kafinea: Client, inbox: Path, watching: Callable[..., Watching]) -> None:
    import shutil

    w = watching(kafinea, inbox, rescan=0.1)
    shutil.rmtree(inbox)  # a network share unmounted, a drive unplugged
    (problem,) = w.wait("problem")
    assert "not found" in problem.reason
    inbox.mkdir()
    w.wait("resumed")
    (inbox / "retour.pdf").write_bytes(b"back")
    assert w.wait("filed")[0].path == "retour.pdf"
    assert [e.kind for e in w.seen].count("problem") == 1
    assert (inbox / JOURNAL).exists()  # written again, from memory


def test_one_watcher_per_directory(kafinea: Client, inbox: Path,
                                   watching: Callable[..., Watching]) -> None:
    watching(kafinea, inbox)
    with pytest.raises(AlreadyWatched, match="already being watched"):
        Watching(kafinea, inbox).start()


def test_a_group_watches_exactly_the_folders_it_is_given(
        kafinea: Client, tmp_path: Path) -> None:
    seen: list[WatchEvent] = []
    queue = TransferQueue(2)
    group = WatchGroup(kafinea, queue, seen.append)
    first, second = tmp_path / "scans", tmp_path / "exports"
    first.mkdir()
    second.mkdir()
    wanted = [WatchSettings(first, "22x1", settle=0.1), WatchSettings(second, "22x1", settle=0.1),
              WatchSettings(tmp_path / "absent", "22x1")]
    problems = group.apply(wanted)
    assert list(problems) == [str(tmp_path / "absent")]
    assert "is not a folder" in problems[str(tmp_path / "absent")]
    (first / "a.pdf").write_bytes(b"a")
    (second / "b.pdf").write_bytes(b"b")
    wait_until(lambda: len([e for e in seen if e.kind == "filed"]) == 2)
    assert group.apply(wanted[:1]) == {}
    assert group.watching == wanted[:1]
    (second / "c.pdf").write_bytes(b"c")  # no longer watched
    (first / "d.pdf").write_bytes(b"d")  # still watched, settles as fast
    wait_until(lambda: len([e for e in seen if e.kind == "filed"]) == 3)
    group.stop()
    queue.shutdown()
    assert (second / "c.pdf").exists()
    assert sorted(e.path for e in seen if e.kind == "filed") == ["a.pdf", "b.pdf", "d.pdf"]
