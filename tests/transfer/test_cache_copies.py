"""The app's copies of opened documents: what kafdocs wrote, what the user changed."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from kafdocs.api import Client
from kafdocs.api.servertime import ServerZone
from kafdocs.transfer import Job, JobState, TransferService
from kafdocs.transfer.cache import CURRENT, EDITED, FETCH, cache_target, copy_state, prepare_cache
from kafdocs.transfer.upload import UploadRequest
from tests.transfer.conftest import add_document


def fetched(client: Client, record: dict, root: Path) -> Path:
    service = TransferService(client, 1)
    service.fetch(record, root)
    assert service.wait(30)
    service.shutdown()
    return cache_target(root, client.endpoint, record)


def test_a_copy_is_current_then_edited_and_never_fetched_over(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "devis.odt", b"quote")
    zone = client.server_zone
    path = cache_target(tmp_path, client.endpoint, record)
    assert copy_state(path, record, zone) == FETCH
    assert fetched(client, record, tmp_path) == path
    assert copy_state(path, record, zone) == CURRENT
    path.write_bytes(b"quote, with the user's changes")
    assert copy_state(path, record, zone) == EDITED
    fetched(client, record, tmp_path)  # a fetch asked anyway (a drag) keeps the changes
    assert path.read_bytes() == b"quote, with the user's changes"


def test_old_copies_are_cleaned_but_not_those_the_user_changed(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    kept = add_document(client, sandbox, folder, "mine.txt", b"a")
    gone = add_document(client, sandbox, folder, "theirs.txt", b"b")
    for record in (kept, gone):
        fetched(client, record, tmp_path)
    edited = cache_target(tmp_path, client.endpoint, kept)
    edited.write_bytes(b"a, edited")
    month_ago = time.time() - 30 * 86400
    for record in (kept, gone):
        os.utime(cache_target(tmp_path, client.endpoint, record).parent, (month_ago, month_ago))
    prepare_cache(tmp_path)
    assert edited.read_bytes() == b"a, edited"
    assert not cache_target(tmp_path, client.endpoint, gone).parent.exists()


def test_a_copy_from_an_older_kafdocs_is_adopted_when_it_is_the_crms_file(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "old.txt", b"12345")
    path = cache_target(tmp_path, client.endpoint, record)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"12345")
    zone = ServerZone()
    stamp = zone.timestamp(record["modifiedtime"])
    os.utime(path, (stamp, stamp))
    assert copy_state(path, record, zone) == CURRENT
    path.write_bytes(b"54321")
    assert copy_state(path, record, zone) == EDITED


def held_queue(client: Client) -> tuple[TransferService, threading.Event]:
    """A one-worker service busy until the event is set: what is queued next waits."""
    service = TransferService(client, 1)
    release = threading.Event()
    service.submit(Job("busy", lambda ctx: str(release.wait(30))))
    return service, release


def test_a_copy_fetched_ahead_is_cancelled_by_a_new_version_of_its_document(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "devis.odt", b"quote")
    service, release = held_queue(client)
    service.fetch(record, tmp_path / "cache", background=True)
    newer = tmp_path / "devis v2.odt"
    newer.write_bytes(b"quote, signed")
    service.upload([UploadRequest(newer, folder, replace_id=record["id"])])
    release.set()
    assert service.wait(30)
    service.shutdown()
    states = {r.kind: (r.state, r.meta.get("background")) for r in service.table}
    assert states["download"] == (JobState.CANCELLED, True)
    assert states["upload"] == (JobState.DONE, None)


def test_no_copy_is_fetched_ahead_while_its_document_gets_a_new_version(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "devis.odt", b"quote")
    service, release = held_queue(client)
    newer = tmp_path / "devis v2.odt"
    newer.write_bytes(b"quote, signed")
    service.upload([UploadRequest(newer, folder, replace_id=record["id"])])
    service.fetch(record, tmp_path / "cache", background=True)  # the selection, unchanged
    release.set()
    assert service.wait(30)
    service.shutdown()
    fetches = [(r.state, r.meta.get("background")) for r in service.table
               if r.kind == "download"]
    assert fetches == [(JobState.CANCELLED, True)]
