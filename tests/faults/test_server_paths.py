"""Ids and names from the server never lead a file outside the folder it belongs in."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kafdocs.api import BadAnswer, Client
from kafdocs.transfer import TransferService
from kafdocs.transfer.cache import cache_target, prepare_cache
from kafdocs.transfer.folders import Folder, list_documents, resolve_folder
from kafdocs.transfer.manifest import MANIFEST
from kafdocs.transfer.sync import plan_folder_download
from tests.conftest import ACCESS_KEY, KAFINEA_ONLY
from tests.faults.hostile import Answer, HostileServer, Seen, ok
from tests.transfer.conftest import add_document, run_all

HOSTILE_IDS = ["../../../.config/autostart", "/tmp/kafdocs-evil", "C:\\Windows", "15x1/../..",
               "15x1\n", "..", "", "15x", "x1", "١٥x١", "15x²", 15, None]


def files_under(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*"))


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def crm(sandbox) -> Iterator[Client]:
    with Client(sandbox.url, "admin", ACCESS_KEY) as client:
        yield client


def serve_documents(server: HostileServer, rows: list[dict[str, str]]) -> None:
    def query(seen: Seen) -> Answer:
        text = seen.params["query"]
        return ok([{"count": str(len(rows))}] if "count(*)" in text else rows)

    server.on("query", query)


@pytest.mark.parametrize("record_id", HOSTILE_IDS)
def test_an_id_that_is_not_digits_x_digits_never_becomes_a_cache_path(
        tmp_path: Path, record_id: object) -> None:
    with pytest.raises(BadAnswer, match="record id that is not valid"):
        cache_target(tmp_path / "cache", "https://crm.example/webservice.php",
                     {"id": record_id, "filename": "a.txt"})


def test_a_document_with_a_hostile_id_is_not_fetched_and_nothing_is_created(
        hostile: HostileServer, tmp_path: Path) -> None:
    serve_documents(hostile, [{"id": "../../../.config/autostart", "filelocationtype": "I",
                               "filename": "kafdocs-evil.desktop", "filesize": "5",
                               "imageattachmentids": "15x9", "folderid": "22x1"}])
    home = tmp_path / "home"
    root = home / ".cache" / "kafdocs" / "open"
    with Client(hostile.url, "admin", "key") as crm:
        (record,) = list_documents(crm, "22x1")
        service = TransferService(crm)
        with pytest.raises(BadAnswer):
            service.fetch(record, root)
        service.shutdown()
    assert files_under(tmp_path) == []
    assert "files_retrieve" not in hostile.operations()


def test_copies_are_kept_apart_per_crm_and_inside_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    record = {"id": "15x3", "filename": "../../report.pdf"}
    first = cache_target(root, "https://a.example/webservice.php", record)
    second = cache_target(root, "https://b.example/webservice.php", record)
    assert first != second
    assert first.name == second.name == "report.pdf"
    for path in (first, second):
        assert path.is_relative_to(root.resolve()) and path.parent.name == "15x3"


def test_a_fetched_copy_lands_where_the_app_looks_for_it(crm: Client, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    record = next(r for r in list_documents(crm, resolve_folder(crm, "Contrats").id)
                  if r.get("imageattachmentids"))
    service = TransferService(crm)
    service.fetch(record, root)
    assert service.wait(30)
    service.shutdown()
    target = cache_target(root, crm.endpoint, record)
    assert target.stat().st_size == int(record["filesize"])
    if os.name == "posix":
        assert stat.S_IMODE(root.stat().st_mode) == 0o700


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_cache_is_private_and_old_copies_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "open"
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)  # as an earlier version left it
    old = root / "crm" / "15x1"
    fresh = root / "crm" / "15x2"
    for copy in (old, fresh):
        copy.mkdir(parents=True)
        (copy / "a.pdf").write_bytes(b"x")
    now = time.time()
    os.utime(old, (now - 30 * 86400, now - 30 * 86400))
    prepare_cache(root, max_age=14 * 86400, now=now)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert not old.exists() and (fresh / "a.pdf").exists()


def test_a_folder_without_name_and_with_a_hostile_id_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "a" / "dest"
    dest.mkdir(parents=True)
    with pytest.raises(BadAnswer):
        plan_folder_download(None, Folder("../../outside", ""), dest,  # type: ignore[arg-type]
                             documents=[])
    assert files_under(tmp_path) == [Path("a"), Path("a/dest")]


@KAFINEA_ONLY
def test_a_tampered_manifest_line_cannot_make_a_rerun_write_outside(
        crm: Client, sandbox, tmp_path: Path) -> None:
    client = crm
    folder = client.create("DocumentFolders", {"foldername": "Tampered"})["id"]
    record = add_document(client, sandbox, folder, "report.txt", b"hello")
    work = tmp_path / "work"
    dest = work / "dest"
    plan = plan_folder_download(client, resolve_folder(client, folder), dest)
    run_all(plan.jobs)
    plan.manifest.compact()
    manifest = dest / "Tampered" / MANIFEST
    manifest.write_text(json.dumps({"doc_id": record["id"], "name": "../../outside.txt",
                                    "modifiedtime": "2000-01-01 00:00:00", "filesize": 5})
                        + "\n", encoding="utf-8")
    (dest / "Tampered" / "report.txt").unlink()
    again = plan_folder_download(client, resolve_folder(client, folder), dest)
    queue = run_all(again.jobs)
    assert queue.summary().ok
    assert files_under(work) == [Path("dest"), Path("dest/Tampered"),
                                     Path(f"dest/Tampered/{MANIFEST}"),
                                     Path("dest/Tampered/report.txt")]
