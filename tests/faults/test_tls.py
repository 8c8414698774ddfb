"""Certificates: each refusal says why in the user's words; the trust the user set up is
used (the system's store, a bundle, SSL_CERT_FILE / SSL_CERT_DIR); --insecure warns once."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kafdocs.api import CertificateError, Client
from kafdocs.cli import main
from tests.faults.certs import DAY, NOW, Issued, issue
from tests.faults.hostile import HostileServer, ok

LOCAL = ("127.0.0.1", "localhost")


@pytest.fixture(autouse=True)
def no_trust_from_the_environment(monkeypatch) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def authority() -> Issued:
    return issue("kafdocs test authority", ca=True)


@pytest.fixture
def ca_file(authority: Issued, tmp_path: Path) -> Path:
    return authority.write(tmp_path, "authority")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Issued, tuple[Issued, ...]], HostileServer]]:
    started: list[HostileServer] = []

    def start(cert: Issued, chain: tuple[Issued, ...] = ()) -> HostileServer:
        server = HostileServer(tls=cert.server_context(tmp_path, f"server{len(started)}", chain))
        server.on("query", lambda seen: ok([{"count": "1"}] if "count(*)" in seen.params["query"]
                                           else [{"id": "22x1", "foldername": "Factures"}]))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def sign_in_fails(server: HostileServer, verify: bool | str = True) -> CertificateError:
    with pytest.raises(CertificateError) as caught:
        Client(server.url, "admin", "key", verify=verify, timeout=(5, 5)).login()
    return caught.value


def test_a_certificate_from_a_trusted_authority_is_accepted(serve, authority, ca_file) -> None:
    server = serve(issue("crm", issuer=authority, names=LOCAL))
    with Client(server.url, "admin", "key", verify=str(ca_file)) as crm:
        assert crm.signed_in


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"])
def test_the_bundle_named_by_the_environment_is_trusted(serve, authority, ca_file,
                                                         monkeypatch, variable: str) -> None:
    server = serve(issue("crm", issuer=authority, names=LOCAL))
    sign_in_fails(server)  # not by the system
    monkeypatch.setenv(variable, str(ca_file))
    with Client(server.url, "admin", "key") as crm:
        assert crm.signed_in


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl rehash makes the folder")
def test_the_folder_named_by_ssl_cert_dir_is_trusted(serve, authority, tmp_path: Path,
                                                      monkeypatch) -> None:
    folder = tmp_path / "certs"
    folder.mkdir()
    authority.write(folder, "authority")
    (folder / "authority.key").unlink()
    subprocess.run(["openssl", "rehash", str(folder)], check=True, capture_output=True)
    server = serve(issue("crm", issuer=authority, names=LOCAL))
    monkeypatch.setenv("SSL_CERT_DIR", str(folder))
    with Client(server.url, "admin", "key") as crm:
        assert crm.signed_in


def test_a_self_signed_certificate_is_named_as_such(serve) -> None:
    error = sign_in_fails(serve(issue("crm", names=LOCAL)))
    assert "a certificate it signed itself" in str(error)
    assert "install its certificate on this computer" in str(error)


def test_an_unknown_authority_is_named_as_such(serve, authority, ca_file) -> None:
    stranger = issue("someone else's authority", ca=True)
    server = serve(issue("crm", issuer=stranger, names=LOCAL), (stranger,))
    error = sign_in_fails(server, str(ca_file))
    assert "comes from an authority this computer does not trust" in str(error)
    assert "--ca-bundle" in str(error)


def test_a_certificate_for_another_name_is_named_as_such(serve, authority, ca_file) -> None:
    server = serve(issue("crm", issuer=authority, names=("crm.example.org",)))
    error = sign_in_fails(server, str(ca_file))
    assert "was made for another address" in str(error)
    assert "--ca-bundle" not in str(error)  # a bundle would not help


def test_an_expired_certificate_is_named_as_such(serve, authority, ca_file) -> None:
    server = serve(issue("crm", issuer=authority, names=LOCAL, not_before=NOW - 60 * DAY,
                         not_after=NOW - DAY))
    error = sign_in_fails(server, str(ca_file))
    assert "has expired" in str(error) and "date and time" in str(error)
    assert "--ca-bundle" not in str(error)


def test_insecure_prints_one_warning_and_urllib3_none(serve, monkeypatch, capsys) -> None:
    server = serve(issue("crm", names=LOCAL))
    monkeypatch.setenv("KAFDOCS_ACCESS_KEY", "key")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["folders", "--url", server.url, "--user", "admin", "--insecure"]) == 0
    err = capsys.readouterr().err
    assert err.count("WARNING") == 1 and "NOT verified" in err
    assert [w for w in caught if "Unverified HTTPS" in str(w.message)] == []


def test_a_refused_server_receives_no_request(serve) -> None:
    server = serve(issue("crm", names=LOCAL))
    sign_in_fails(server)
    assert server.seen == []  # the user name never left this computer
