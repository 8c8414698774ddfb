"""A redirect is never followed: the login hash, a file or the session stay where the
user sent them, and the user is told where the server pointed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kafdocs.api import Client, Redirected
from kafdocs.cli import main
from tests.faults.hostile import SESSION, Answer, HostileServer


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.fixture
def elsewhere() -> Iterator[HostileServer]:
    """Another origin, where a redirect would send our requests."""
    with HostileServer() as server:
        yield server


def moved(location: str, status: int = 307) -> Answer:
    return Answer(status, b"", {"Location": location})


def test_a_redirected_login_does_not_send_the_key_hash_elsewhere(
        hostile: HostileServer, elsewhere: HostileServer) -> None:
    hostile.on("login", moved(elsewhere.url + "webservice.php?operation=login"))
    with pytest.raises(Redirected) as caught:
        Client(hostile.url, "admin", "key").login()
    assert elsewhere.seen == []
    message = str(caught.value)
    assert f"another address ({elsewhere.url}webservice.php)" in message
    assert "check the instance address" in message


def test_a_redirected_upload_fails_and_sends_the_file_nowhere_else(
        hostile: HostileServer, elsewhere: HostileServer, tmp_path: Path) -> None:
    hostile.on("FileUpload", moved(elsewhere.url + "webservice.php"))
    elsewhere.on("FileUpload", Answer(body=b'{"success":true,"result":{"id":"15x1"}}'))
    path = tmp_path / "contract.pdf"
    path.write_bytes(b"%PDF secret" * 1000)
    with Client(hostile.url, "admin", "key") as crm, pytest.raises(Redirected):
        crm.file_upload("15x1", path)
    assert elsewhere.seen == []


def test_a_redirect_to_the_same_server_suggests_the_corrected_address(
        hostile: HostileServer) -> None:
    hostile.on("getchallenge", moved(
        f"/Crm/webservice.php?operation=getchallenge&sessionName={SESSION}", 301))
    with pytest.raises(Redirected) as caught:
        Client(hostile.url, "admin", "key").login()
    corrected = hostile.url.replace("/crm/", "/Crm/")
    assert f"The correct address seems to be {corrected}" in str(caught.value)
    assert SESSION not in str(caught.value)
    assert hostile.operations() == ["getchallenge"]  # asked once, not followed


def test_an_upgrade_to_https_is_suggested_not_followed(hostile: HostileServer) -> None:
    secure = hostile.url.replace("http://", "https://")
    hostile.on("getchallenge", moved(secure + "webservice.php", 301))
    with pytest.raises(Redirected) as caught:
        Client(hostile.url, "admin", "key").login()
    assert caught.value.suggestion == secure


def test_the_cli_names_the_new_address_without_a_traceback(
        hostile: HostileServer, elsewhere: HostileServer, capsys) -> None:
    hostile.on("getchallenge", moved(elsewhere.url + "webservice.php"))
    assert main(["folders", "--url", hostile.url, "--user", "admin", "--access-key", "k"]) == 2
    err = capsys.readouterr().err
    assert "another address" in err and "Traceback" not in err


def test_the_client_session_itself_follows_no_redirect(
        hostile: HostileServer, elsewhere: HostileServer) -> None:
    hostile.on("anything", moved(elsewhere.url + "webservice.php"))
    client = Client(hostile.url, "admin", "key")
    answer = client.http.get(client.endpoint, params={"operation": "anything"})
    assert answer.status_code == 307 and elsewhere.seen == []


def test_https_sending_to_plain_http_is_not_followed_with_the_session(
        elsewhere: HostileServer, tmp_path: Path) -> None:
    from tests.faults.certs import issue

    authority = issue("test authority", ca=True)
    leaf = issue("crm", issuer=authority, names=("127.0.0.1",))
    with HostileServer(tls=leaf.server_context(tmp_path, "crm")) as secure:
        secure.on("query", moved(f"{elsewhere.url}webservice.php?operation=query"
                                 f"&sessionName={SESSION}"))
        bundle = str(authority.write(tmp_path, "authority"))
        with Client(secure.url, "admin", "key", verify=bundle) as crm, \
                pytest.raises(Redirected) as caught:
            crm.query("SELECT * FROM Documents;")
    assert elsewhere.seen == [] and caught.value.suggestion == ""
    assert SESSION not in str(caught.value)
