"""Re-runs of a folder download follow the CRM, on both flavours: replaced, renamed,
moved and deleted documents; --mirror; copies changed or added locally left alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kafdocs.api import Client
from kafdocs.cli import main
from kafdocs.sandbox.schema import DOCUMENT_FOLDERS
from kafdocs.transfer import JobState, trash
from kafdocs.transfer.download import modified_timestamp
from kafdocs.transfer.folders import resolve_folder
from kafdocs.transfer.sync import SyncOutcome, plan_folder_download
from kafdocs.transfer.upload import UploadRequest, upload_job
from tests.conftest import ACCESS_KEY
from tests.transfer.conftest import run_all, set_fields


def new_folder(box, name: str) -> str:
    """A folder as made in the CRM by its administrator (stock vtiger's API cannot)."""
    crmid = box.server.store.insert(DOCUMENT_FOLDERS, {"foldername": name, "createdby": "",
                                                       "description": "", "sequence": "2"})
    return f"{DOCUMENT_FOLDERS.prefix}x{crmid}"


def send(client: Client, path: Path, folder: str, **kw: Any) -> str:
    (job,) = run_all([upload_job(client, UploadRequest(path, folder, **kw))]).jobs.values()
    assert job.state is JobState.DONE, job.message
    return str(job.meta["doc_id"])


def write(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def sync(client: Client, folder: str, dest: Path, mirror: bool = False):
    plan = plan_folder_download(client, resolve_folder(client, folder), dest, mirror=mirror)
    queue = run_all(plan.jobs)
    plan.manifest.compact()
    outcome = SyncOutcome.of(plan.report, list(queue.jobs.values()))
    return plan, outcome


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


@pytest.fixture
def archive(box, crm: Client, tmp_path: Path) -> tuple[str, dict[str, str], Path]:
    """A CRM folder of three documents, downloaded once into ``dest/Archive``."""
    folder = new_folder(box, "Archive")
    src = tmp_path / "src"
    ids = {name: send(crm, write(src, name, content), folder)
           for name, content in [("contrat.pdf", b"%PDF draft"), ("devis.pdf", b"%PDF quote"),
                                 ("facture.pdf", b"%PDF invoice")]}
    sync(crm, folder, tmp_path / "dest")
    return folder, ids, tmp_path / "dest" / "Archive"


def test_unchanged_folder_transfers_nothing(box, crm: Client, archive, tmp_path: Path) -> None:
    folder, _ids, _local = archive
    before = box.server.requests_served
    plan, outcome = sync(crm, folder, tmp_path / "dest")
    assert plan.jobs == [] and plan.up_to_date == 3
    assert box.server.requests_served - before == 3  # folder, count, one page
    assert outcome.line() == ("“Archive”: 0 new, 0 updated, 0 renamed, 0 removed, "
                              "0 kept because changed locally, 0 failed")


def test_rerun_after_a_new_version_refetches_into_the_same_path(
        crm: Client, archive, tmp_path: Path) -> None:
    folder, ids, local = archive
    signed = write(tmp_path / "new", "contrat.pdf", b"%PDF signed by both")
    send(crm, signed, folder, replace_id=ids["contrat.pdf"])
    plan, outcome = sync(crm, folder, tmp_path / "dest")
    assert [j.meta["change"] for j in plan.jobs] == ["updated"]
    assert visible(local) == {"contrat.pdf": b"%PDF signed by both", "devis.pdf": b"%PDF quote",
                              "facture.pdf": b"%PDF invoice"}
    assert (outcome.new, outcome.updated, outcome.failed) == (0, 1, 0)
    assert sync(crm, folder, tmp_path / "dest")[0].jobs == []


def test_new_version_under_another_name_replaces_the_old_copy(
        crm: Client, archive, tmp_path: Path) -> None:
    folder, ids, local = archive
    send(crm, write(tmp_path / "new", "devis-signe.pdf", b"%PDF signed quote"), folder,
         replace_id=ids["devis.pdf"])
    sync(crm, folder, tmp_path / "dest")
    assert visible(local) == {"contrat.pdf": b"%PDF draft", "devis-signe.pdf": b"%PDF signed quote",
                              "facture.pdf": b"%PDF invoice"}


def test_renamed_on_the_server_is_renamed_here_without_a_download(
        box, crm: Client, archive, tmp_path: Path) -> None:
    folder, ids, local = archive
    set_fields(box, ids["facture.pdf"], filename="facture 2026-001.pdf",
               modifiedtime="2030-01-02 03:04:05")
    plan, outcome = sync(crm, folder, tmp_path / "dest")
    assert plan.jobs == []
    assert plan.report.renamed == [("facture.pdf", "facture 2026-001.pdf")]
    assert visible(local)["facture 2026-001.pdf"] == b"%PDF invoice"
    assert "facture.pdf" not in visible(local)
    assert outcome.line().startswith("“Archive”: 0 new, 0 updated, 1 renamed")
    assert sync(crm, folder, tmp_path / "dest")[0].report.renamed == []


def test_only_the_record_edited_moves_the_copys_time_without_a_download(
        box, crm: Client, archive, tmp_path: Path) -> None:
    folder, ids, local = archive
    crm.revise({"id": ids["devis.pdf"], "notecontent": "relancé le 3"})
    set_fields(box, ids["devis.pdf"], modifiedtime="2030-01-02 03:04:05")
    plan, outcome = sync(crm, folder, tmp_path / "dest")
    assert plan.jobs == [] and outcome.nothing_changed
    stamp = modified_timestamp(crm.retrieve(ids["devis.pdf"]), crm.server_zone)
    assert (local / "devis.pdf").stat().st_mtime == stamp
    assert visible(local)["devis.pdf"] == b"%PDF quote"
    again, _ = sync(crm, folder, tmp_path / "dest", mirror=True)
    assert again.jobs == [] and again.report.kept_changed == []


def test_renamed_onto_a_file_of_the_user_takes_a_numbered_name(
        box, crm: Client, archive, tmp_path: Path) -> None:
    folder, ids, local = archive
    write(local, "devis signé.pdf", b"the user's own scan")
    set_fields(box, ids["devis.pdf"], filename="devis signé.pdf",
               modifiedtime="2030-01-02 03:04:05")
    plan, _outcome = sync(crm, folder, tmp_path / "dest", mirror=True)
    assert plan.jobs == [] and plan.report.renamed == [("devis.pdf", "devis signé (2).pdf")]
    assert visible(local)["devis signé.pdf"] == b"the user's own scan"
    assert visible(local)["devis signé (2).pdf"] == b"%PDF quote"
    assert plan.report.added_locally == ["devis signé.pdf"]


def test_moved_and_deleted_documents_keep_their_copies_on_a_plain_rerun(
        box, crm: Client, archive, tmp_path: Path) -> None:
    folder, ids, local = archive
    crm.revise({"id": ids["devis.pdf"], "folderid": new_folder(box, "Elsewhere")})
    crm.delete(ids["facture.pdf"])
    plan, outcome = sync(crm, folder, tmp_path / "dest")
    assert plan.jobs == [] and outcome.report.removed == []
    assert set(visible(local)) == {"contrat.pdf", "devis.pdf", "facture.pdf"}


def test_mirror_trashes_unchanged_copies_and_keeps_changed_and_added_files(
        box, crm: Client, archive, tmp_path: Path, trashed: list[str]) -> None:
    folder, ids, local = archive
    crm.revise({"id": ids["devis.pdf"], "folderid": new_folder(box, "Elsewhere")})
    crm.delete(ids["facture.pdf"])
    crm.delete(ids["contrat.pdf"])
    (local / "contrat.pdf").write_bytes(b"%PDF draft, with my notes")
    write(local, "mes notes.txt", b"mine")
    _plan, outcome = sync(crm, folder, tmp_path / "dest", mirror=True)
    assert sorted(trashed) == ["devis.pdf", "facture.pdf"]
    assert visible(local) == {"contrat.pdf": b"%PDF draft, with my notes",
                              "mes notes.txt": b"mine"}
    assert outcome.line() == ("“Archive”: 0 new, 0 updated, 0 renamed, 2 removed, "
                              "1 kept because changed locally, 0 failed")
    assert "kept because changed on this computer: contrat.pdf" in outcome.details()
    assert "not from the CRM, kept: mes notes.txt" in outcome.details()
    assert "removed (to the system trash): devis.pdf" in outcome.details()
    again, _ = sync(crm, folder, tmp_path / "dest", mirror=True)
    assert again.report.removed == [] and again.report.kept_changed == ["contrat.pdf"]


def test_mirror_keeps_a_copy_edited_to_the_same_size(
        crm: Client, archive, tmp_path: Path, trashed: list[str]) -> None:
    folder, ids, local = archive
    crm.delete(ids["devis.pdf"])
    (local / "devis.pdf").write_bytes(b"%PDF QUOTE")  # same size: only its time tells
    _plan, outcome = sync(crm, folder, tmp_path / "dest", mirror=True)
    assert trashed == [] and outcome.report.kept_changed == ["devis.pdf"]
    assert visible(local)["devis.pdf"] == b"%PDF QUOTE"


def test_mirror_without_a_system_trash_uses_one_inside_the_folder(
        crm: Client, archive, tmp_path: Path, monkeypatch) -> None:
    folder, ids, local = archive

    def no_trash(path: str) -> None:
        raise OSError("no trash on this volume")

    monkeypatch.setattr(trash, "system_trash", no_trash)
    crm.delete(ids["devis.pdf"])
    write(local / ".kafdocs-trash", "devis.pdf", b"an older one")
    plan, _ = sync(crm, folder, tmp_path / "dest", mirror=True)
    assert plan.report.removed == ["devis.pdf"]
    assert visible(local / ".kafdocs-trash") == {"devis.pdf": b"an older one",
                                                 "devis (2).pdf": b"%PDF quote"}


def test_mirror_never_removes_a_copy_the_listing_missed(
        crm: Client, archive, tmp_path: Path, trashed: list[str]) -> None:
    folder, ids, local = archive
    rows = [r for r in crm.query(f"SELECT * FROM Documents WHERE folderid = '{folder}';")
            if r["id"] != ids["devis.pdf"]]  # a page lost on the way
    plan = plan_folder_download(crm, resolve_folder(crm, folder), tmp_path / "dest", rows,
                                mirror=True)
    assert plan.report.removed == [] and trashed == []
    assert "devis.pdf" in visible(local)


def test_a_copy_changed_locally_is_never_overwritten_by_a_new_version(
        crm: Client, archive, tmp_path: Path) -> None:
    folder, ids, local = archive
    (local / "contrat.pdf").write_bytes(b"%PDF draft + my edits")
    send(crm, write(tmp_path / "new", "contrat.pdf", b"%PDF signed"), folder,
         replace_id=ids["contrat.pdf"])
    plan, outcome = sync(crm, folder, tmp_path / "dest")
    assert plan.jobs == [] and outcome.report.kept_changed == ["contrat.pdf"]
    assert (local / "contrat.pdf").read_bytes() == b"%PDF draft + my edits"


def test_a_file_of_the_user_is_never_overwritten_by_a_new_document(
        box, crm: Client, tmp_path: Path) -> None:
    folder = new_folder(box, "Archive")
    local = tmp_path / "dest" / "Archive"
    write(local, "budget.xlsx", b"the user's own budget")
    send(crm, write(tmp_path / "src", "budget.xlsx", b"the CRM's budget"), folder)
    sync(crm, folder, tmp_path / "dest")
    assert visible(local) == {"budget.xlsx": b"the user's own budget",
                              "budget (2).xlsx": b"the CRM's budget"}


def test_a_missing_copy_is_fetched_again(crm: Client, archive, tmp_path: Path) -> None:
    folder, _ids, local = archive
    (local / "devis.pdf").unlink()
    _plan, outcome = sync(crm, folder, tmp_path / "dest")
    assert outcome.new == 1 and (local / "devis.pdf").read_bytes() == b"%PDF quote"


def test_cli_mirror_json_and_summary(box, crm: Client, archive, tmp_path: Path,
                                     trashed: list[str], monkeypatch, capsys) -> None:
    folder, ids, local = archive
    for key, value in {"KAFDOCS_URL": box.url, "KAFDOCS_USER": "admin",
                       "KAFDOCS_ACCESS_KEY": ACCESS_KEY}.items():
        monkeypatch.setenv(key, value)
    crm.delete(ids["facture.pdf"])
    send(crm, write(tmp_path / "new", "contrat.pdf", b"%PDF signed"), folder,
         replace_id=ids["contrat.pdf"])
    write(local, "à moi.txt", b"mine")
    args = ["download", "--folder", "Archive", "--dest", str(tmp_path / "dest"), "--mirror"]
    assert main([*args, "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)["folders"]
    assert report | {"path": ""} == {
        "folder": "Archive", "path": "", "new": 0, "updated": 1, "renamed": [],
        "removed": ["facture.pdf"], "trash": "system", "kept_changed": [],
        "added_locally": ["à moi.txt"], "failed": 0, "up_to_date": 1}
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "not from the CRM, kept: à moi.txt" in err
    assert "“Archive”: 0 new, 0 updated, 0 renamed, 0 removed" in err
    assert main(["download", "15x1", "--dest", str(tmp_path), "--mirror"]) == 2
    assert "--mirror works on whole folders" in capsys.readouterr().err
