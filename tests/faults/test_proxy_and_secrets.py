"""A proxy that wants a password is not hammered; secrets stay out of logs and messages."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from kafdocs.api import Client, InvalidUrl, ProxyAuthRequired, endpoint_url
from kafdocs.cli import main
from tests.faults.hostile import SESSION, AuthProxy, HostileServer


@pytest.fixture
def proxy(monkeypatch) -> Iterator[AuthProxy]:
    with AuthProxy() as server:
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", server.url)
        monkeypatch.setenv("HTTP_PROXY", server.url)
        yield server


@pytest.mark.parametrize("address", ["https://127.0.0.1:9/crm", "http://127.0.0.1:9/crm"])
def test_a_proxy_asking_for_a_password_is_asked_once_and_named(proxy: AuthProxy,
                                                               address: str) -> None:
    with pytest.raises(ProxyAuthRequired) as caught:
        Client(address, "admin", "key").login()
    assert "proxy server between this computer and the CRM asks for a user name" \
        in str(caught.value)
    assert "HTTPS_PROXY" in str(caught.value)
    assert len(proxy.asked) == 1


def test_the_command_line_says_it_once_without_retrying(proxy: AuthProxy, monkeypatch,
                                                        capsys) -> None:
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "key")
    assert main(["folders", "--url", "https://127.0.0.1:9/crm", "--user", "admin"]) == 2
    assert "asks for a user name and password" in capsys.readouterr().err
    assert len(proxy.asked) == 1


def test_session_names_are_redacted_on_every_urllib3_logger(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with HostileServer() as server, Client(server.url, "admin", "key") as crm:
        assert crm.signed_in
        for name in ("urllib3.util.retry", "urllib3.connection", "urllib3.poolmanager",
                     "urllib3.connectionpool", "requests"):
            logging.getLogger(name).debug("Incremented Retry for (url='/crm/webservice.php"
                                          "?operation=query&sessionName=%s')", SESSION)
    assert "sessionName=***" in caplog.text
    assert SESSION not in caplog.text


@pytest.mark.parametrize("pasted", ["https://bob:hunter2@apps.kafinea.com/Acme",
                                    "bob:hunter2@apps.kafinea.com/Acme",
                                    "https://bob:hunter2@apps kafinea.com/Acme",
                                    "https://:hunter2@apps.kafinea.com/"])
def test_a_password_in_the_address_is_refused_and_never_shown(pasted: str) -> None:
    with pytest.raises(InvalidUrl) as caught:
        endpoint_url(pasted)
    assert "hunter2" not in str(caught.value)
    assert "user name or password" in str(caught.value)


def test_the_command_line_refuses_a_password_in_the_address(monkeypatch, capsys) -> None:
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "key")
    assert main(["folders", "--url", "https://bob:hunter2@127.0.0.1:9/", "--user", "u"]) == 2
    captured = capsys.readouterr()
    assert "hunter2" not in captured.err + captured.out
    assert "user name or password" in captured.err
