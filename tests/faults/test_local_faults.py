"""Faults on this side: the process killed mid-download, a full or read-only disk."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kafdocs.cli import main
from kafdocs.sandbox.schema import DOCUMENTS
from kafdocs.transfer.engine import describe_os_error
from tests.conftest import ACCESS_KEY
from tests.transfer.watch_helpers import wait_until


def fill_folder(box, count: int, size: int, folder: str = "22x1") -> dict[str, bytes]:
    """Documents written straight into the sandbox's store (fast), returned by name."""
    store = box.server.store
    contents = {}
    for n in range(count):
        data = hashlib.sha256(str(n).encode()).digest() * (size // 32)
        name = f"piece {n:03d}.bin"
        docid = store.insert(DOCUMENTS, {
            "notes_title": name, "folderid": folder, "assigned_user_id": "19x1",
            "filelocationtype": "I", "filestatus": "1", "filename": name,
            "filesize": str(len(data)), "modifiedtime": "2026-03-04 05:06:07"})
        tmp = store.new_blob_path()
        tmp.write_bytes(data)
        store.add_attachment(docid, name, "application/octet-stream", len(data), tmp)
        contents[name] = data
    return contents


def cli_env(box) -> dict[str, str]:
    return {**os.environ, "KAFDOCS_URL": box.url, "KAFDOCS_USER": "admin",
            "KAFDOCS_ACCESS_KEY": ACCESS_KEY}


def test_sigkill_mid_folder_download_then_rerun_fetches_only_the_rest(
        make_sandbox, tmp_path: Path, capsys, monkeypatch) -> None:
    box = make_sandbox(latency=0.03)  # the kill lands mid-download, not after it
    contents = fill_folder(box, 80, 20_000)
    dest = tmp_path / "dest"
    arguments = ["download", "--folder", "Default", "--dest", str(dest), "--jobs", "2",
                 "--json"]
    proc = subprocess.Popen([sys.executable, "-m", "kafdocs", *arguments], env=cli_env(box),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    target = dest / "Default"
    wait_until(lambda: proc.poll() is not None
               or (target.exists() and len(list(target.glob("*.bin"))) >= 15), timeout=30)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    proc.stderr.close()  # type: ignore[union-attr]
    present = {p.name: p.read_bytes() for p in target.glob("*.bin")}
    assert 15 <= len(present) < 80
    for name, data in present.items():  # nothing incomplete under a final name
        assert data == contents[name], name
    box.settings.config.latency = 0  # the rerun, in this process: its process is not the point
    for key, value in cli_env(box).items():
        monkeypatch.setenv(key, value)
    assert main(arguments) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["summary"]["finished"] == 80 - len(present)
    assert result["up_to_date"] == len(present)
    final = {p.name: p.read_bytes() for p in target.glob("*.bin")}
    assert final == contents
    assert not list(target.glob(".*part"))


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


def test_disk_full_fails_clearly_and_keeps_the_manifest_consistent(
        make_sandbox, small_disk: Path, capsys, monkeypatch) -> None:
    box = make_sandbox()
    contents = fill_folder(box, 3, 450_000)
    for key, value in cli_env(box).items():
        monkeypatch.setenv(key, value)
    status = main(["download", "--folder", "Default", "--dest", str(small_disk),
                   "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 1
    assert "The disk is full" in err
    target = small_disk / "Default"
    kept = sorted(p.name for p in target.iterdir() if not p.name.startswith("."))
    assert not [p for p in target.iterdir() if p.name.endswith("part")]
    manifest = (target / ".kafdocs-manifest.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["name"] for line in manifest) == kept
    assert 1 <= len(kept) < 3
    for name in kept:
        assert (target / name).read_bytes() == contents[name]


@pytest.mark.parametrize("dest", ["", "new/folder"], ids=["existing folder", "new folder"])
def test_read_only_destination_names_the_folder(make_sandbox, small_disk: Path, capsys,
                                                monkeypatch, dest: str) -> None:
    box = make_sandbox(demo_data=True)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for key, value in cli_env(box).items():
        monkeypatch.setenv(key, value)
    status = main(["download", "--folder", "Contrats", "--dest", str(small_disk / dest)])
    err = capsys.readouterr().err
    assert status == 2  # the same for a folder to create and for one that exists
    assert f"The folder {small_disk} is read-only" in err
    assert "part" not in err


def test_a_file_that_cannot_be_created_names_its_folder() -> None:
    error = OSError(errno.EROFS, "Read-only file system", "/mnt/x/.report.pdf.kafdocs-part")
    assert describe_os_error(error).startswith("The folder /mnt/x is read-only")
