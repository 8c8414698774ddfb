"""The command line on the same engine, against the sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kafdocs import __version__
from kafdocs.api import Client
from kafdocs.cli import main
from kafdocs.transfer.storednames import server_names
from tests.conftest import ACCESS_KEY


@pytest.fixture
def env(sandbox, monkeypatch) -> None:
    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)


def test_version(capsys) -> None:
    # in-process: `python -m kafdocs` itself is run by test_demo and the watch tests
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"kafdocs {__version__}"


def test_folders_json(env, capsys) -> None:
    assert main(["folders", "--json"]) == 0
    folders = {f["name"]: f for f in json.loads(capsys.readouterr().out)}
    assert folders["Factures 2026"]["documents"] == 9


def test_ls_by_name(env, capsys) -> None:
    assert main(["ls", "Contrats"]) == 0
    assert "Avenant n°2 - Lefèvre.docx" in capsys.readouterr().out


def test_upload_then_download_round_trip(env, capsys, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "un été.txt").write_text("bonjour")
    binary = bytes(range(255, -1, -1))  # every byte (in this order libmagic sees no TGA
    (src / "deux.raw").write_bytes(binary)  # picture, which stock vtiger would refuse)
    assert main(["upload", "--folder", "Ressources humaines", "--json", str(src)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["summary"]["finished"] == 2
    ids = [j["doc_id"] for j in result["jobs"]]
    dest = tmp_path / "dest"
    assert main(["download", "--dest", str(dest), *ids]) == 0
    (text,) = [dest / n for n in server_names("un été.txt") if (dest / n).exists()]
    assert text.read_text() == "bonjour"
    assert (dest / "deux.raw").read_bytes() == binary


def test_folder_download_twice_then_nothing_to_do(env, capsys, tmp_path: Path) -> None:
    assert main(["download", "--folder", "Factures 2026", "--dest", str(tmp_path)]) == 0
    assert len(list((tmp_path / "Factures 2026").glob("*.pdf"))) == 8
    capsys.readouterr()
    assert main(["download", "--folder", "Factures 2026", "--dest", str(tmp_path),
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["up_to_date"] == 9 and result["summary"]["finished"] == 0


def test_a_missing_file_is_counted_as_failed_and_said_not_found(env, capsys,
                                                                tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    present = tmp_path / "here.txt"
    present.write_text("here")
    assert main(["upload", "--folder", "Contrats", str(missing), str(present)]) == 1
    captured = capsys.readouterr()
    assert f"failed: {missing}: file not found" in captured.err
    assert "1 done, 1 failed" in captured.err


def test_upload_says_what_each_file_was_filed_as(env, capsys, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    assert main(["upload", "--folder", "Contrats", str(tmp_path / "a.txt"),
                 str(tmp_path / "b.txt")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line, name in zip(lines, ("a.txt", "b.txt"), strict=True):
        assert re.fullmatch(rf"{name}: filed as DOC\d+ \(15x\d+\)", line), line


def test_unknown_folder_is_a_clear_error(env, capsys) -> None:
    assert main(["ls", "Nulle part"]) == 2
    assert "No document folder named 'Nulle part'" in capsys.readouterr().err


def test_wrong_key_is_a_clear_error(env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "wrong")
    assert main(["folders"]) == 2
    err = capsys.readouterr().err
    assert "Wrong user name or access key" in err  # the window's words, not the server's
    assert "Invalid username or password" not in err


def test_a_folder_download_is_finished_as_the_app_finishes_it(env, capsys,
                                                               tmp_path: Path) -> None:
    """The CLI runs the app's TransferService: the manifest is compacted when the batch
    ends, whatever an earlier crash left in it."""
    journal = tmp_path / "Contrats" / ".kafdocs-manifest.jsonl"
    journal.parent.mkdir()
    journal.write_text("a damaged line from a crash\n")
    assert main(["download", "--folder", "Contrats", "--dest", str(tmp_path)]) == 0
    lines = journal.read_text().splitlines()
    assert lines and all(line.startswith('{"doc_id"') for line in lines)


def test_the_engine_names_no_command_only_the_cli_does(env, capsys) -> None:
    from kafdocs.transfer.folders import FolderNotFound

    assert "kafdocs" not in str(FolderNotFound("No document folder named 'x'"))
    assert main(["ls", "Nulle part"]) == 2
    assert "List the folders with `kafdocs folders`" in capsys.readouterr().err


@pytest.mark.parametrize("flavour", ["kafinea", "vtiger"])
def test_keeping_both_files_the_new_one_as_name_2_and_says_so(make_sandbox, monkeypatch,
                                                               capsys, tmp_path: Path,
                                                               flavour: str) -> None:
    box = make_sandbox(demo_data=True, flavour=flavour)
    monkeypatch.setenv("KAFDOCS_URL", box.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)
    devis = tmp_path / "devis.txt"
    for n in range(3):
        devis.write_text(f"version {n}")
        assert main(["upload", "--folder", "Contrats", str(devis)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"devis.txt: filed as DOC\d+ \(15x\d+\)", lines[0])
    assert re.fullmatch(r"devis.txt: kept both as devis \(2\).txt; filed as DOC\d+ "
                        r"\(15x\d+\)( \(stored as devis_\(2\).txt\))?", lines[1])
    assert lines[2].startswith("devis.txt: kept both as devis (3).txt; ")
    assert main(["ls", "Contrats", "--json"]) == 0
    names = {r["filename"].replace("_", " ") for r in json.loads(capsys.readouterr().out)}
    assert {"devis.txt", "devis (2).txt", "devis (3).txt"} <= names


def test_uploading_a_folder_sends_no_hidden_file_nor_link_out_of_it(
        env, capsys, tmp_path: Path, sandbox) -> None:
    (tmp_path / "passwd").write_text("root:x:0:0")
    src = tmp_path / "Dossier"
    (src / "2024").mkdir(parents=True)
    (src / "a.txt").write_text("top")
    (src / "2024" / "a.txt").write_text("sub")
    (src / ".cache-secret").write_text("token")
    (src / "secret").symlink_to(tmp_path / "passwd")
    assert main(["upload", "--folder", "Default", "--json", str(src)]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["summary"]["finished"] == 2
    assert "not sent: " in out.err and ".cache-secret (hidden file)" in out.err
    assert "secret (a link to somewhere outside the dropped folder)" in out.err
    with Client(sandbox.url, "admin", ACCESS_KEY) as client:
        titles = {r["notes_title"] for r in client.query(
            "SELECT notes_title FROM Documents WHERE folderid = '22x1';")}
    assert {"a", "2024/a"} <= titles and not {"passwd", ".cache-secret"} & titles
