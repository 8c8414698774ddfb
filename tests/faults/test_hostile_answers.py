"""A server cannot exhaust memory or disk, nor crash kafdocs with odd data: every such
answer ends in a clean error (a ServerFault) that says what happened."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from kafdocs.api import BadAnswer, Client, CorruptFile, HttpError, Query, ServerFault
from kafdocs.cli import main
from kafdocs.transfer.folders import list_documents
from tests.faults.hostile import Answer, HostileServer, Seen, ok

MB = 1024 * 1024
DOCUMENT = {"id": "15x7", "notes_title": "Facture", "filename": "facture.pdf",
            "filesize": "5", "filelocationtype": "I", "imageattachmentids": "15x8",
            "folderid": "22x1", "modifiedtime": "2026-01-02 03:04:05"}


class Endless:
    """A body of ``total`` bytes made of ``head``, then ``filler`` repeated; counts what
    the server managed to send before the client stopped reading."""

    def __init__(self, head: bytes, filler: bytes, total: int, tail: bytes = b"") -> None:
        self.head, self.filler, self.total, self.tail = head, filler, total, tail
        self.sent = 0

    def __call__(self) -> Iterator[bytes]:
        block = self.filler * (MB // len(self.filler))
        self.sent = len(self.head)
        yield self.head
        while self.sent < self.total:
            self.sent += len(block)
            yield block
        yield self.tail


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def crm(hostile: HostileServer) -> Iterator[Client]:
    with Client(hostile.url, "admin", "key") as client:
        yield client


@pytest.fixture
def cli(hostile: HostileServer, monkeypatch) -> Callable[..., int]:
    monkeypatch.setenv("KAFDOCS_URL", hostile.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "key")

    def run(*argv: str) -> int:
        return main(list(argv))

    return run


def documents(server: HostileServer, rows: Iterable[dict], count: str | None = None) -> None:
    rows = list(rows)

    def query(seen: Seen) -> Answer:
        if "count(*)" in seen.params["query"]:
            return ok([{"count": count or str(len(rows))}])
        if "DocumentFolders" in seen.params["query"]:
            return ok([{"id": "22x1", "foldername": "Factures"}])
        return ok(rows)

    server.on("query", query)
    server.on("retrieve", lambda seen: ok(next(
        (r for r in rows if r["id"] == seen.params["id"]), {"id": "22x1", "foldername": "F"})))


def files_answer(**item: object) -> bytes:
    return json.dumps({"success": True, "result": [item]}).encode()


# -- memory and disk ------------------------------------------------------------
def test_a_huge_json_answer_is_refused_without_reading_it_all(
        hostile: HostileServer, cli, capsys) -> None:
    body = Endless(b'{"success":true,"result":[', b'{"id":"22x1","foldername":"x"},',
                   200 * MB, b"{}]}")
    hostile.on("query", Answer(body=body))
    assert cli("folders") == 2
    err = capsys.readouterr().err
    assert "larger than 8 MB" in err and "Traceback" not in err
    assert body.sent < 60 * MB  # what the socket buffers took before the client let go


def test_the_body_of_an_http_error_is_read_only_for_its_excerpt(
        hostile: HostileServer, crm: Client) -> None:
    body = Endless(b"<html><h1>Internal error</h1>", b"x" * 1024, 200 * MB)
    hostile.on("describe", Answer(500, body, {"Content-Type": "text/html"}))
    with pytest.raises(HttpError, match="Internal error"):
        crm.describe("Documents")
    assert body.sent < 60 * MB


def test_a_download_stops_as_soon_as_more_than_the_announced_size_arrived(
        hostile: HostileServer, cli, tmp_path: Path, capsys) -> None:
    documents(hostile, [DOCUMENT])
    body = Endless(b'{"success":true,"result":[{"fileid":"8","filename":"facture.pdf",'
                   b'"filecontents":"', b"QUFBQUFBQUFBQUFB", 500 * MB, b'"}]}')
    hostile.on("files_retrieve", Answer(body=body))
    assert cli("download", "15x7", "--dest", str(tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert "more than the 5 bytes it announced" in err
    assert list((tmp_path / "out").iterdir()) == []  # not even a part file
    assert body.sent < 60 * MB


def test_the_size_announced_inside_the_answer_also_bounds_the_file(
        hostile: HostileServer, crm: Client) -> None:
    body = Endless(b'{"success":true,"result":[{"fileid":"8","filename":"a.pdf",'
                   b'"filesize":3,"filecontents":"', b"QUFB", 500 * MB, b'"}]}')
    hostile.on("files_retrieve", Answer(body=body))
    with pytest.raises(CorruptFile, match="more than the 3 bytes"):
        crm.files_retrieve("15x8")
    assert body.sent < 60 * MB


@pytest.mark.parametrize("body", [
    Endless(b"", b"<b>Warning</b> ", 100 * MB),  # never an envelope
    Endless(b'{"success":true,"result":[{"filename":"', b"a" * 64, 100 * MB, b'"}]}'),
])
def test_a_files_retrieve_answer_cannot_grow_memory_without_bound(
        hostile: HostileServer, crm: Client, body: Endless) -> None:
    hostile.on("files_retrieve", Answer(body=body))
    with pytest.raises(BadAnswer, match="MB"):
        crm.files_retrieve("15x8")
    assert body.sent < 60 * MB


def test_paging_stops_when_a_page_brings_no_new_ids(hostile: HostileServer,
                                                    crm: Client) -> None:
    documents(hostile, [dict(DOCUMENT, id=f"15x{n}") for n in range(1, 101)],
              count="1000000000000")
    rows = list_documents(crm, "22x1")
    assert len(rows) == 100
    assert hostile.operations().count("query") < 20  # a few short passes, not 10^10 pages


# -- odd data ---------------------------------------------------------------------
def test_deeply_nested_json_is_a_clean_error(hostile: HostileServer, crm: Client) -> None:
    hostile.on("query", Answer(body=b'{"success":true,"result":' + b"[" * 100_000
                               + b"]" * 100_000 + b"}"))
    with pytest.raises(BadAnswer, match="nested too deeply"):
        crm.query(Query("Documents"))


def test_invalid_utf8_in_an_answer_is_a_clean_error(hostile: HostileServer,
                                                    crm: Client) -> None:
    hostile.on("query", Answer(body=b'{"success":true,"result":[{"id":"15x1","x":"\xff"}]}'))
    with pytest.raises(BadAnswer, match="not valid text"):
        crm.query(Query("Documents"))


def test_invalid_utf8_in_download_metadata_is_a_clean_error(hostile: HostileServer,
                                                            crm: Client) -> None:
    hostile.on("files_retrieve", Answer(body=b'{"success":true,"result":[{"fileid":"8",'
                                        b'"filename":"\xff\xfe.pdf","filesize":3,'
                                        b'"filecontents":"QUFB"}]}'))
    with pytest.raises(BadAnswer, match="not valid text"):
        crm.files_retrieve("15x8")


@pytest.mark.parametrize(("result", "error"), [
    ([{"fileid": "8", "filesize": "²", "filecontents": "QUFB"}], ServerFault),
    (["not a file"], ServerFault),
    # "filecontents" spelt with an escape: seen by the JSON parser, not by the scanner
    ([{"fileid": "8", "filesize": 3, "filec\\u006fntents": "#9"}], CorruptFile),
])
def test_odd_files_retrieve_metadata_is_a_clean_error(hostile: HostileServer, crm: Client,
                                                      result: list, error: type) -> None:
    body = json.dumps({"success": True, "result": result}).replace("\\\\u006f", "\\u006f")
    hostile.on("files_retrieve", Answer(body=body.encode()))
    with pytest.raises(error):
        crm.files_retrieve("15x8")


def test_a_size_that_is_not_a_number_is_shown_as_unknown_and_refused_for_download(
        hostile: HostileServer, cli, tmp_path: Path, capsys) -> None:
    documents(hostile, [dict(DOCUMENT, filesize="²")])
    assert cli("ls", "22x1") == 0
    assert "15x7          -" in capsys.readouterr().out
    assert cli("download", "15x7", "--dest", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "file size that is not a number: '²'" in err and "Traceback" not in err


@pytest.mark.parametrize("answer", [
    ok("a string"), ok([]), ok([{"count": "²"}]), ok([["15x1"]])])
def test_a_count_or_rows_of_the_wrong_shape_are_a_clean_error(
        hostile: HostileServer, crm: Client, answer: Answer) -> None:
    hostile.on("query", answer)
    with pytest.raises(ServerFault):
        crm.count(Query("Documents"))


def test_an_unpaired_surrogate_in_a_file_name_is_listed_and_downloaded(
        hostile: HostileServer, cli, tmp_path: Path, capsys) -> None:
    record = dict(DOCUMENT, filename="devis\ud800.pdf", filesize="3")
    documents(hostile, [record])
    hostile.on("files_retrieve", Answer(body=files_answer(
        fileid="8", filename="devis\ud800.pdf", filesize=3, filecontents="QUFB")))
    assert cli("ls", "22x1") == 0
    assert "devis\\ud800.pdf" in capsys.readouterr().out
    assert cli("download", "15x7", "--dest", str(tmp_path)) == 0
    assert [p.read_bytes() for p in tmp_path.iterdir()] == [b"AAA"]


def test_names_from_the_server_cannot_drive_the_terminal(hostile: HostileServer, cli,
                                                         capsys) -> None:
    documents(hostile, [dict(DOCUMENT, filename="a\x1b]0;owned\x07\x1b[2J.pdf",
                             notes_title="facture\u202efdp.exe")])
    assert cli("ls", "22x1") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    assert "a\\x1b]0;owned\\x07\\x1b[2J.pdf" in out and "facture\\u202efdp.exe" in out
