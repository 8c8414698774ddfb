"""Folder downloads: complete, byte-identical, contained, incremental, resumable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kafdocs.api import Client
from kafdocs.transfer import JobState
from kafdocs.transfer.download import PART_SUFFIX
from kafdocs.transfer.folders import resolve_folder
from kafdocs.transfer.sync import plan_folder_download
from tests.transfer.conftest import add_document, attach_file, run_all, set_fields

MIXED = {
    "empty.txt": b"",
    "Procès-verbal été.pdf": b"%PDF-1.4 accented",
    "rapport 📈 final.xlsx": b"emoji " * 1000,
    "O'Brien \"quoted\".txt": b"quotes",
    "same.txt": b"first",
    "../../evil": b"evil",
    "/etc/passwd": b"absolute",
    "C:\\Windows\\system.ini": b"drive",
    "CON.txt": b"reserved",
    "a\x00b\x07c.txt": b"control",
    ("x" * 1000) + ".pdf": b"long",
    "Rapport.txt": b"upper",
    "rapport.txt": b"lower",
    "Cafe\u0301.txt": b"decomposed",
    "Café.txt": b"composed",
    "R&amp;D.txt": b"entity",
}


@pytest.fixture
def mixed(client: Client, sandbox, folder: str) -> dict[str, bytes]:
    expected = {}
    for n, (name, content) in enumerate(MIXED.items()):
        record = add_document(client, sandbox, folder, name, content)
        expected[record["id"]] = content
        if n == 4:  # a second document with the same file name
            twin = add_document(client, sandbox, folder, name, b"second")
            expected[twin["id"]] = b"second"
    add_document(client, sandbox, folder, "", None, title="No file at all")
    add_document(client, sandbox, folder, "https://example.org/x", None, location="E",
                 title="A link")
    return expected


def download_folder(client: Client, folder: str, dest: Path, workers: int = 4):
    plan = plan_folder_download(client, resolve_folder(client, folder), dest)
    queue = run_all(plan.jobs, workers)
    plan.manifest.compact()
    return plan, queue


def test_mixed_folder_downloads_completely_and_inside_the_destination(
        client: Client, folder: str, mixed: dict[str, bytes], tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    plan, queue = download_folder(client, folder, dest)
    states = [j.state for j in queue.jobs.values()]
    assert states.count(JobState.DONE) == len(mixed)
    skipped = sorted(j.message for j in queue.jobs.values() if j.state is JobState.SKIPPED)
    assert skipped[0].startswith("External link") and skipped[1].startswith("No file")
    files = [p for p in dest.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert all(p.parent == plan.target for p in files), files
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and dest not in p.parents
               and not p.relative_to(tmp_path).parts[0].startswith("sandbox")]
    assert outside == []  # nothing escaped the destination
    assert sorted(p.read_bytes() for p in files) == sorted(mixed.values())
    names = [p.name for p in files]
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n.encode()) <= 200 for n in names)
    assert "_CON.txt" in names and "evil" in names and "passwd" in names
    assert not list(plan.target.glob(f"*{PART_SUFFIX}"))


def test_second_run_transfers_nothing(client: Client, folder: str, mixed, tmp_path: Path,
                                      sandbox) -> None:
    download_folder(client, folder, tmp_path)
    before = sandbox.server.requests_served
    plan, queue = download_folder(client, folder, tmp_path)
    assert [j for j in queue.jobs.values() if j.state is JobState.DONE] == []
    assert plan.up_to_date == len(mixed)
    # folder lookup, count, one page: no files_retrieve at all
    assert sandbox.server.requests_served - before == 3


def test_names_are_stable_from_one_run_to_the_next(client: Client, folder: str, mixed,
                                                   tmp_path: Path) -> None:
    first, _ = download_folder(client, folder, tmp_path / "a")
    second, _ = download_folder(client, folder, tmp_path / "b")
    assert first.manifest.names() == second.manifest.names()


def test_changed_document_is_fetched_again(client: Client, sandbox, folder: str,
                                           tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "doc.txt", b"v1")
    download_folder(client, folder, tmp_path)
    attach_file(sandbox, record["id"], b"v2 longer")
    set_fields(sandbox, record["id"], modifiedtime="2030-01-01 10:00:00", filename="doc.txt")
    plan, _queue = download_folder(client, folder, tmp_path)
    assert len(plan.jobs) == 1
    (path,) = [p for p in plan.target.iterdir() if p.name == "doc.txt"]
    assert path.read_bytes() == b"v2 longer"


def test_cancelled_run_then_rerun_completes_without_refetching(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    for n in range(12):
        add_document(client, sandbox, folder, f"file{n}.bin", os.urandom(50_000))
    plan = plan_folder_download(client, resolve_folder(client, folder), tmp_path)
    from kafdocs.transfer import TransferQueue

    queue = TransferQueue(1)
    for job in plan.jobs:
        queue.submit(job)
    done = []
    queue.subscribe(lambda e: e.kind == "finished" and (done.append(e), len(done) == 5
                                                        and queue.cancel_all()))
    queue.wait(30)
    finished = [j.label for j in queue.jobs.values() if j.state is JobState.DONE]
    assert 5 <= len(finished) < 12
    before = sandbox.server.requests_served
    plan2, _queue2 = download_folder(client, folder, tmp_path)
    refetched = {j.label for j in plan2.jobs}
    assert not refetched & set(finished)
    assert len(refetched) == 12 - len(finished)
    assert sandbox.server.requests_served - before == 3 + len(refetched)
    assert len([p for p in plan2.target.iterdir() if not p.name.startswith(".")]) == 12


def test_a_file_whose_size_lies_fails_clearly_and_leaves_nothing(
        client: Client, sandbox, folder: str, tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "liar.bin", b"12345")
    set_fields(sandbox, record["id"], filesize="99")
    good = add_document(client, sandbox, folder, "good.bin", b"fine")
    plan, queue = download_folder(client, folder, tmp_path)
    by_label = {j.label: j for j in queue.jobs.values()}
    assert by_label["liar.bin"].state is JobState.FAILED
    assert "99" in by_label["liar.bin"].message
    assert by_label["good.bin"].state is JobState.DONE
    assert sorted(p.name for p in plan.target.iterdir()) == [
        ".kafdocs-manifest.jsonl", "good.bin"]
    assert good["id"] in plan.manifest.entries


def test_modification_time_comes_from_the_crm(client: Client, sandbox, folder: str,
                                              tmp_path: Path) -> None:
    record = add_document(client, sandbox, folder, "dated.txt", b"x")
    set_fields(sandbox, record["id"], modifiedtime="2024-02-29 13:14:15")
    plan, _ = download_folder(client, folder, tmp_path)
    import time

    stamp = (plan.target / "dated.txt").stat().st_mtime
    assert time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) == "2024-02-29 13:14:15"
