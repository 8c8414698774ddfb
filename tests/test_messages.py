"""What a person reads when something is wrong: in their words, with the exit status."""

from __future__ import annotations

import shlex
import socket
from pathlib import Path

import pytest

from kafdocs import i18n
from kafdocs.api import Client
from kafdocs.api.errors import TooLarge
from kafdocs.cli import main
from kafdocs.termprogress import human_size
from tests.conftest import ACCESS_KEY


@pytest.fixture
def env(sandbox, monkeypatch) -> None:
    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)


def host_port(url: str) -> str:
    return url.split("://", 1)[1]


@pytest.mark.parametrize("scheme", ["", "https://"], ids=["no scheme", "https"])
def test_https_to_a_plain_http_server_says_to_use_http(env, sandbox, capsys,
                                                       scheme: str) -> None:
    """An address without scheme is tried with https first; a plain-HTTP server is told
    as such, with the http:// address to use, not as a certificate problem."""
    assert main(["folders", "--url", scheme + host_port(sandbox.url)]) == 2
    err = capsys.readouterr().err
    plain = "http://" + host_port(sandbox.url)
    assert f"does not speak HTTPS (secure connections). If it is a plain-HTTP server you " \
           f"trust, use the address {plain}" in err
    assert "certificate" not in err and "WRONG_VERSION" not in err


def test_a_404_says_there_is_no_webservice_at_the_address(env, sandbox, capsys) -> None:
    address = sandbox.url + "crm/"
    assert main(["folders", "--url", address]) == 2
    err = capsys.readouterr().err
    assert f"There is no Kafinea webservice at {address}" in err
    words = err.replace(address, "")  # the random port may hold the digits 404
    assert "Error response" not in words and "404" not in words


def test_login_refused_uses_the_words_of_the_window(env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "not-the-key")
    assert main(["folders"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("kafdocs: Wrong user name or access key. You find your access key "
                           "in Kafinea under My preferences.")


@pytest.mark.parametrize(("document", "message"), [
    ("15x99999", "There is no document 15x99999: it was deleted, or your CRM user may not "
                 "see it."),
    ("22x1", "22x1 is not a document: document ids look like 15x…"),
    ("DOC12", "“DOC12” is not a document id: document ids look like 15x42"),
])
def test_a_wrong_document_id_is_named(env, capsys, tmp_path: Path, document: str,
                                      message: str) -> None:
    assert main(["download", "--dest", str(tmp_path), document]) == 2
    assert capsys.readouterr().err.strip() == f"kafdocs: {message}"


@pytest.mark.parametrize(("record", "message"), [
    ("15x3", "15x3 is a document id; the record to link to (an account, a contact…) has an "
             "id like 11x…"),
    ("11x99999", "There is no record 11x99999 to link to: it was deleted, or your CRM user "
                 "may not see it."),
    ("Dupré", "“Dupré” is not a record id"),
])
def test_a_wrong_link_target_is_refused_before_any_upload(env, sandbox, capsys, tmp_path,
                                                          record: str, message: str) -> None:
    before = count_documents(sandbox)
    (tmp_path / "a.txt").write_text("a")
    assert main(["upload", "--folder", "Contrats", "--link", record,
                 str(tmp_path / "a.txt")]) == 2
    assert capsys.readouterr().err.startswith(f"kafdocs: {message}")
    assert count_documents(sandbox) == before  # nothing was filed


def test_the_readme_link_example_works_on_the_demo_data(env, sandbox, tmp_path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("kafdocs upload ") and "--link"
                in x)
    args = shlex.split(line)[1:]
    assert args[-1] == "scans/*.pdf"
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4 scan")
    assert main([*args[:-1], str(tmp_path / "scan.pdf")]) == 0
    record = args[args.index("--link") + 1]
    with Client(sandbox.url, "admin", ACCESS_KEY) as crm:
        linked = crm.query_related(record, "Documents", "SELECT * FROM Documents")
    assert "scan.pdf" in [d["filename"] for d in linked]


def count_documents(sandbox) -> int:
    with Client(sandbox.url, "admin", ACCESS_KEY) as crm:
        return int(crm.query("SELECT count(*) FROM Documents;")[0]["count"])


def test_sandbox_on_a_port_in_use_says_so_in_one_line(capsys, tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = main(["sandbox", "--port", str(port), "--data", str(tmp_path / "crm")])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err == (f"kafdocs sandbox: the port {port} is already in use on 127.0.0.1; "
                            "choose another one with --port (--port 0 picks a free one)\n")


@pytest.fixture
def in_french():
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def test_french_sizes_have_a_decimal_comma(in_french) -> None:
    assert human_size(1_500_000) == "1,5 Mo"
    assert human_size(999) == "999 o"


def test_a_small_upload_limit_is_said_in_a_unit_that_keeps_its_digits() -> None:
    assert ("File too large for this server: the request was 293.0 KiB (limit 195.3 KiB)"
            in str(TooLarge(300_000, 200_000)))
    assert "was 2.0 KiB (limit 700 bytes)" in str(TooLarge(2_000, 700))
    assert "was 2.9 MiB (limit 1.9 MiB)" in str(TooLarge(3_000_000, 2_000_000))


def test_a_small_upload_limit_in_french(in_french) -> None:
    assert ("Fichier trop volumineux pour ce serveur : la requête faisait 293,0 Kio "
            "(limite 195,3 Kio)") in str(TooLarge(300_000, 200_000))
    assert "(limite 1 octet)" in str(TooLarge(2_000, 1))


def test_the_window_without_a_desktop_session_says_so_and_points_to_the_commands(
        capsys, monkeypatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "KAFDOCS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main([]) == 2  # was: Qt's abort about reinstalling the xcb-cursor0 library
    err = capsys.readouterr().err
    assert err.startswith("kafdocs cannot show its window: no desktop session was found")
    assert "kafdocs --help" in err
