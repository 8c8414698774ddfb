"""A failed re-fetch of a new version never costs the good local copy, on both flavours:
a size that lies (the record's, or the answer's own), a body cut off, a server error, a
full disk — the previous copy stays byte-identical and the job fails with the reason."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kafdocs.api import Client
from kafdocs.cli import main
from kafdocs.transfer import JobState
from kafdocs.transfer.folders import resolve_folder
from kafdocs.transfer.sync import plan_folder_download
from kafdocs.transfer.upload import UploadRequest, upload_job
from tests.conftest import ACCESS_KEY, FAST_RETRY
from tests.faults.proxy import FaultProxy
from tests.transfer.conftest import run_all, set_fields


@pytest.fixture
def proxy(box) -> Iterator[FaultProxy]:
    server = FaultProxy(box.url)
    yield server
    server.stop()


@pytest.fixture
def crm(proxy) -> Iterator[Client]:
    client = Client(proxy.url, "admin", ACCESS_KEY, timeout=(2.0, 2.0), retry=FAST_RETRY)
    client.login()
    yield client
    client.close()


def send(client: Client, path: Path, **kw: object) -> str:
    (job,) = run_all([upload_job(client, UploadRequest(path, "22x1", **kw))]).jobs.values()
    assert job.state is JobState.DONE, job.message
    return str(job.meta["doc_id"])


def fetch(client: Client, dest: Path):
    plan = plan_folder_download(client, resolve_folder(client, "22x1"), dest)
    queue = run_all(plan.jobs)
    plan.manifest.compact()
    return plan, list(queue.jobs.values())


def first_then_new_version(client: Client, tmp_path: Path, dest: Path,
                           old: bytes, new: bytes) -> tuple[str, Path]:
    """The document downloaded once, then a new version of it filed in the CRM."""
    source = tmp_path / "plan.dat"
    source.write_bytes(old)
    doc_id = send(client, source)
    plan, _ = fetch(client, dest)
    source.write_bytes(new)
    send(client, source, replace_id=doc_id)
    return doc_id, plan.target / "plan.dat"


def assert_kept(local: Path, old: bytes, jobs, reason: str) -> None:
    (job,) = jobs
    assert job.state is JobState.FAILED
    assert reason in job.message
    assert local.read_bytes() == old
    assert sorted(p.name for p in local.parent.iterdir()) == [
        ".kafdocs-manifest.jsonl", "plan.dat"]


def test_size_that_lies_keeps_the_previous_copy(box, crm: Client, tmp_path: Path) -> None:
    old, new = os.urandom(200_000), os.urandom(250_000)
    doc_id, local = first_then_new_version(crm, tmp_path, tmp_path / "dest", old, new)
    set_fields(box, doc_id, filesize="300000")
    _plan, jobs = fetch(crm, tmp_path / "dest")
    assert_kept(local, old, jobs, "the CRM says 300000 bytes but the file has 250000")


@pytest.mark.parametrize(("kind", "reason"), [("truncate", "cut off"),
                                              ("reset_response", "cut off"),
                                              ("status_500", "HTTP 500"),
                                              ("announce_more", "the server announced "
                                               "250001 bytes but sent 250000")])
def test_cut_or_failed_answer_keeps_the_previous_copy(
        kind: str, reason: str, proxy: FaultProxy, crm: Client, tmp_path: Path) -> None:
    old, new = os.urandom(200_000), os.urandom(250_000)
    _doc, local = first_then_new_version(crm, tmp_path, tmp_path / "dest", old, new)
    proxy.add("files_retrieve", kind, times=99)
    _plan, jobs = fetch(crm, tmp_path / "dest")
    assert_kept(local, old, jobs, reason)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB file system (tmpfs), where the machine allows mounting one."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + done.stderr.decode(errors="replace"))
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_keeps_the_previous_copy(crm: Client, tmp_path: Path,
                                           small_disk: Path) -> None:
    old, new = os.urandom(450_000), os.urandom(700_000)  # both do not fit at once
    _doc, local = first_then_new_version(crm, tmp_path, small_disk, old, new)
    _plan, jobs = fetch(crm, small_disk)
    assert_kept(local, old, jobs, "The disk is full")


def test_the_command_line_says_why_and_keeps_the_copy(box, crm: Client, tmp_path: Path,
                                                      monkeypatch, capsys) -> None:
    old, new = os.urandom(200_000), os.urandom(250_000)
    doc_id, local = first_then_new_version(crm, tmp_path, tmp_path / "dest", old, new)
    set_fields(box, doc_id, filesize="300000")
    for key, value in {"KAFDOCS_URL": box.url, "KAFDOCS_USER": "admin",
                       "KAFDOCS_ACCESS_KEY": ACCESS_KEY}.items():
        monkeypatch.setenv(key, value)
    assert main(["download", "--folder", "22x1", "--dest", str(tmp_path / "dest")]) == 1
    err = capsys.readouterr().err
    assert "kafdocs: failed: plan.dat: the CRM says 300000 bytes but the file has 250000; " \
           "the file was not saved\n" in err and err.count("the CRM says") == 1
    assert "0 new, 0 updated, 0 renamed, 0 removed, 0 kept because changed locally, " \
           "1 failed" in err
    assert local.read_bytes() == old
