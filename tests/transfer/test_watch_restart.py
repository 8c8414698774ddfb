"""Killed at any step (``kill -9``), the hot folder files each file exactly once after a restart.

The first run is ``kafdocs watch`` in a child process that kills itself right after
one step of the chain (``watch_crash.py``); the restart is an ordinary watcher.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kafdocs.api import Client
from kafdocs.sandbox.app import Sandbox
from kafdocs.transfer.watch.journal import Journal
from tests.conftest import ACCESS_KEY
from tests.transfer.watch_helpers import FOLDER, Watching, content, documents, wait_until

ROOT = Path(__file__).resolve().parents[2]
FILED_STEPS = {
    "kafinea": ["begun", "created", "sent", "confirmed", "linked", "journaled", "moving",
                "moved"],
    "vtiger": ["begun", "sent", "confirmed", "linked"],  # the file travels with the create
}
FAILED_STEPS = ["begun", "failing", "moved"]


def watch_command(sandbox: Sandbox, inbox: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "KAFDOCS_URL": sandbox.url, "KAFDOCS_USER": "admin",
           "KAFDOCS_ACCESS_KEY": ACCESS_KEY, "PYTHONPATH": str(ROOT)}
    return ["watch", str(inbox), "--folder", FOLDER, "--settle", "0", *args], env


def run_until_killed(sandbox: Sandbox, inboxes: dict[str, Path], *args: str) -> None:
    """One child per step, side by side (a child costs a Python start-up); each must die."""
    children = {}
    for step, inbox in inboxes.items():
        command, env = watch_command(sandbox, inbox, *args)
        env["KAFDOCS_TEST_LOGIN_LOCK"] = str(inbox.parent / "login.lock")
        children[step] = subprocess.Popen(
            [sys.executable, "-m", "tests.transfer.watch_crash", step, *command], env=env,
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for step, child in children.items():
        _out, err = child.communicate(timeout=60)
        assert child.returncode == -signal.SIGKILL, (step, err)


def restart_all(client: Client, inboxes: dict[str, Path], kind: str,
                **settings: object) -> dict[str, str]:
    """Watch every inbox again until its file is dealt with; the reason of each failure."""
    watchers = {step: Watching(client, inbox, **settings).start()  # type: ignore[arg-type]
                for step, inbox in inboxes.items()}
    try:
        return {step: w.wait(kind)[0].reason for step, w in watchers.items()}
    finally:
        for w in watchers.values():
            w.stop()


def inboxes_with(tmp_path: Path, steps: list[str], name: str,
                 data: Callable[[str], bytes]) -> dict[str, Path]:
    inboxes = {}
    for step in steps:
        inboxes[step] = tmp_path / step
        inboxes[step].mkdir()
        (inboxes[step] / name.format(step=step)).write_bytes(data(step))
    return inboxes


@pytest.mark.parametrize("flavour", sorted(FILED_STEPS))
def test_killed_at_each_step_of_filing_then_restarted_files_each_file_exactly_once(
        flavour: str, make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    box = make_sandbox(flavour=flavour)
    steps = FILED_STEPS[flavour]
    data = {step: f"%PDF-1.4 {step} ".encode() + os.urandom(50_000) for step in steps}
    inboxes = inboxes_with(tmp_path, steps, "contrat-{step}.pdf", data.__getitem__)
    with Client(box.url, "admin", ACCESS_KEY) as client:
        account = client.create("Accounts", {"accountname": "Dupré SARL",
                                             "assigned_user_id": client.user_id})["id"]
        run_until_killed(box, inboxes, "--link", account)
        restart_all(client, inboxes, "filed", link_to=account)
        related = client.query_related(account, "Documents", "SELECT * FROM Documents")
        assert len(related) == len(steps)  # each linked once
        for step in steps:
            name = f"contrat-{step}.pdf"
            docs = documents(client, name)
            assert len(docs) == 1, (step, docs)
            assert content(client, docs[0]["id"]) == data[step], step
            assert docs[0]["id"] in {r["id"] for r in related}, step
            assert (inboxes[step] / "Filed" / name).read_bytes() == data[step], step
            assert not (inboxes[step] / name).exists(), step
            assert Journal(inboxes[step]).open_chains() == [], step


def test_killed_at_each_step_of_failing_then_restarted_fails_each_file_once(
        make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    box = make_sandbox(flavour="vtiger")
    inboxes = inboxes_with(tmp_path, FAILED_STEPS, "vide-{step}.txt", lambda step: b"")
    run_until_killed(box, inboxes)
    with Client(box.url, "admin", ACCESS_KEY) as client:
        reasons = restart_all(client, inboxes, "failed")
        assert documents(client) == []
    for step, inbox in inboxes.items():
        assert "cannot store empty files" in reasons[step], step
        name = f"vide-{step}.txt"
        assert sorted(p.name for p in (inbox / "Failed").iterdir()) == [
            name, name + ".reason.txt"], step
        assert Journal(inbox).open_chains() == [], step


def test_sigterm_stops_cleanly_and_finishes_the_upload_in_flight(
        make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    box = make_sandbox(bandwidth=2_000_000)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    command, env = watch_command(box, inbox, "--json")
    proc = subprocess.Popen([sys.executable, "-m", "kafdocs", *command], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert '"watching"' in proc.stdout.readline()
    data = os.urandom(1_500_000)  # about a second on this link
    (inbox / "plan.pdf.part").write_bytes(data)  # as a scanner does: complete, then named
    (inbox / "plan.pdf.part").rename(inbox / "plan.pdf")
    journal = inbox / ".kafdocs-watch.jsonl"
    wait_until(lambda: proc.poll() is not None
               or (journal.exists() and '"begin"' in journal.read_text()))
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)  # a hang guard, not a measure
    assert proc.returncode == 0, err
    assert '"event": "stopped"' in out.splitlines()[-1]
    with Client(box.url, "admin", ACCESS_KEY) as client:
        (doc,) = documents(client)
        assert content(client, doc["id"]) == data
    assert (inbox / "Filed" / "plan.pdf").exists()


def test_stop_rolls_back_an_upload_that_cannot_finish_in_time(
        make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    box = make_sandbox(bandwidth=1_000_000)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = os.urandom(8_000_000)  # about 11 s on this link
    with Client(box.url, "admin", ACCESS_KEY) as client:
        first = Watching(client, inbox).start()
        (inbox / "gros.pdf").write_bytes(data)
        wait_until(lambda: first.watcher.filing and any(
            j.state.value == "running" for j in first.queue.jobs.values()))
        first.watcher.stop(timeout=3.5)  # 0.5 s of grace, then the upload is cancelled
        first.queue.shutdown(cancel=True, timeout=2)
        assert documents(client) == []  # rolled back, neither waited for nor half-made
        assert (inbox / "gros.pdf").exists()
    box.settings.config.bandwidth = 0
    with Client(box.url, "admin", ACCESS_KEY) as client:
        again = Watching(client, inbox).start()
        try:
            again.wait("filed")
        finally:
            again.stop()
        (doc,) = documents(client)
        assert content(client, doc["id"]) == data


def test_watch_refuses_a_link_to_a_document_before_watching(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from kafdocs.cli import main

    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)
    (tmp_path / "a.pdf").write_bytes(b"a")
    assert main(["watch", str(tmp_path), "--folder", FOLDER, "--link", "15x1"]) == 2
    assert "15x1 is a document id" in capsys.readouterr().err
    assert (tmp_path / "a.pdf").exists() and not (tmp_path / ".kafdocs-watch.jsonl").exists()


def test_watch_refuses_a_directory_that_is_not_there(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from kafdocs.cli import main

    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)
    assert main(["watch", str(tmp_path / "nowhere"), "--folder", FOLDER]) == 2
    assert "nowhere is not a folder" in capsys.readouterr().err
