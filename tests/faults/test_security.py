"""Secrets stay secret; the user's odd input gets clear answers."""

from __future__ import annotations

import hashlib
import logging
import re

import pytest
import requests

from kafdocs.api import Client, InvalidUrl, endpoint_url
from kafdocs.cli import build_parser, main
from kafdocs.sandbox.app import SandboxSettings
from tests.conftest import ACCESS_KEY, KAFINEA_ONLY


@pytest.fixture
def env(sandbox, monkeypatch) -> None:
    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", ACCESS_KEY)


def test_no_secret_reaches_logs_or_messages(env, sandbox, caplog, capsys, tmp_path,
                                            monkeypatch) -> None:
    caplog.set_level(logging.DEBUG)
    sessions = sandbox.server.backend.sessions
    seen_sessions: list[str] = []
    original = sessions.login

    def spy(user_id, key, given):
        name = original(user_id, key, given)
        seen_sessions.append(name)
        return name

    monkeypatch.setattr(sessions, "login", spy)
    assert main(["download", "--folder", "Contrats", "--dest", str(tmp_path)]) == 0
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "wrong-" + ACCESS_KEY)
    assert main(["folders"]) == 2
    out = caplog.text + "".join(capsys.readouterr())
    tokens = [t for t, _ in sessions._tokens.values()]
    hashes = [hashlib.md5((t + ACCESS_KEY).encode()).hexdigest() for t in tokens]
    for secret in [ACCESS_KEY, *seen_sessions, *tokens, *hashes]:
        assert secret not in out
    assert seen_sessions and tokens


def test_reprs_hide_the_key(sandbox) -> None:
    client = Client(sandbox.url, "admin", ACCESS_KEY)
    assert ACCESS_KEY not in repr(client) and ACCESS_KEY not in repr(client.spec())


def test_insecure_needs_an_explicit_option_and_warns(env, capsys) -> None:
    assert main(["folders", "--insecure"]) == 0
    assert "NOT verified" in capsys.readouterr().err


def test_plain_http_to_another_host_warns(monkeypatch, capsys) -> None:
    monkeypatch.setenv("KAFDOCS_URL", "http://crm.example.invalid/Acme")
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "k")
    assert main(["folders"]) == 2
    err = capsys.readouterr().err
    assert "unencrypted" in err and "host name not found" in err


def test_missing_access_key_is_a_usage_error(monkeypatch, capsys, sandbox) -> None:
    monkeypatch.setenv("KAFDOCS_URL", sandbox.url)
    monkeypatch.setenv("KAFDOCS_USER", "admin")
    monkeypatch.delenv("KAFDOCS_ACCESS_KEY", raising=False)
    monkeypatch.setattr("kafdocs.credentials.load_key", lambda url, user: None)
    assert main(["folders"]) == 2
    assert "No access key" in capsys.readouterr().err


@pytest.mark.parametrize(("pasted", "endpoint"), [
    ("apps.kafinea.com/Acme", "https://apps.kafinea.com/Acme/webservice.php"),
    ("http://apps.kafinea.com/Acme/", "http://apps.kafinea.com/Acme/webservice.php"),
    (" https://apps.kafinea.com/My Company/index.php ",
     "https://apps.kafinea.com/My%20Company/webservice.php"),
    ("https://apps.kafinea.com:8443/Acme/webservice.php",
     "https://apps.kafinea.com:8443/Acme/webservice.php"),
])
def test_pasted_addresses(pasted: str, endpoint: str) -> None:
    assert endpoint_url(pasted) == endpoint


def test_spaces_in_the_host_are_refused() -> None:
    with pytest.raises(InvalidUrl):
        endpoint_url("https://apps kafinea.com/Acme")


def test_sandbox_listens_on_loopback_by_default() -> None:
    args = build_parser().parse_args(["sandbox"])
    assert args.host == "127.0.0.1"
    assert SandboxSettings(data_dir=".").host == "127.0.0.1"


@pytest.mark.parametrize("operation", ["listtypes", "describe", "retrieve", "query",
                                       "query_related", "files_retrieve"])
def test_sandbox_refuses_every_get_without_a_session(sandbox, operation: str) -> None:
    answer = requests.get(sandbox.url + "webservice.php",
                          params={"operation": operation, "id": "15x1",
                                  "query": "SELECT * FROM Documents;"}).json()
    assert answer["error"]["code"] == "AUTHENTICATION_REQUIRED"


@pytest.mark.parametrize("operation", ["create", "update", "delete", "add_related",
                                       pytest.param("FileUpload", marks=KAFINEA_ONLY),
                                       "logout"])
def test_sandbox_refuses_every_post_without_a_session(sandbox, operation: str) -> None:
    answer = requests.post(sandbox.url + "webservice.php",
                           data={"operation": operation, "id": "15x1"}).json()
    assert answer["error"]["code"] == "AUTHENTICATION_REQUIRED"


def test_sandbox_compares_keys_in_constant_time() -> None:
    import inspect

    from kafdocs.sandbox import sessions

    assert re.search(r"hmac\.compare_digest", inspect.getsource(sessions.Sessions.login))
