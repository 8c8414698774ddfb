"""A sandbox others can run safely: private data, bounded requests, loopback by default."""

from __future__ import annotations

import socket
import stat
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from kafdocs.cli import main
from kafdocs.sandbox import forms
from tests.conftest import ACCESS_KEY
from tests.sandbox.wsclient import Plain, error

BIG = 5 * 1024 * 1024


def test_the_data_directory_and_database_are_private(sandbox) -> None:
    data = sandbox.settings.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("crm.sqlite3", "crm.sqlite3-wal"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_a_reachable_host_needs_an_explicit_flag(host: str, tmp_path, capsys) -> None:
    assert main(["sandbox", "--host", host, "--port", "0", "--data", str(tmp_path)]) == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert not (tmp_path / "crm.sqlite3").exists()  # nothing was started


def test_an_unknown_time_zone_is_refused(tmp_path, capsys) -> None:
    assert main(["sandbox", "--port", "0", "--data", str(tmp_path),
                 "--time-zone", "Mars/Olympus"]) == 2
    assert "unknown time zone Mars/Olympus" in capsys.readouterr().err


@pytest.fixture
def spooled(monkeypatch) -> list:
    """Every value the server starts keeping from a request body."""
    made: list = []
    original = forms._spool

    def spy(tmp_dir):
        made.append(original(tmp_dir))
        return made[-1]

    monkeypatch.setattr(forms, "_spool", spy)
    return made


def test_a_bad_session_in_the_url_keeps_nothing_of_the_body(sandbox, spooled) -> None:
    resp = requests.post(sandbox.url + "webservice.php",
                         params={"operation": "create", "sessionName": "0badc0ffee"},
                         files={"filename": ("big.bin", b"x" * BIG)}, timeout=30)
    assert error(resp.json())[0] == "INVALID_SESSIONID"
    assert spooled == []


def test_a_body_without_session_is_dropped_before_it_grows(sandbox, spooled) -> None:
    resp = requests.post(sandbox.url + "webservice.php", params={"operation": "create"},
                         files={"filename": ("big.bin", b"x" * BIG)}, timeout=30)
    assert error(resp.json()) == ("AUTHENTICATION_REQUIRED", "Authencation required")
    assert all(value.tell() <= forms.MEMORY_LIMIT + forms.CHUNK for value in spooled)


def test_a_session_in_the_body_before_the_file_is_enough(ws: Plain) -> None:
    fields = [("operation", (None, "create")), ("sessionName", (None, ws.session)),
              ("elementType", (None, "Documents")),
              ("element", (None, '{"notes_title": "Gros", "assigned_user_id": "19x1", '
                                 '"filelocationtype": "I"}')),
              ("filename", ("big.raw", b"x" * BIG, "application/octet-stream"))]
    record = ws.ok(ws.http.post(ws.endpoint, files=fields, timeout=30).json())
    assert record["filesize"] == str(BIG)


def raw_request(sandbox, head: bytes) -> bytes:
    host, port = sandbox.server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(head)
        return s.recv(4096)


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e9"])
def test_a_bad_content_length_is_a_400(sandbox, length: bytes) -> None:
    answer = raw_request(sandbox, b"POST /webservice.php HTTP/1.1\r\nHost: x\r\n"
                                  b"Content-Length: " + length + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400")


def test_endless_multipart_headers_are_a_400(sandbox) -> None:
    body = (b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: "
            + b"p" * 40_000 + b"\r\n\r\nvalue\r\n--B--\r\n")
    resp = requests.post(sandbox.url + "webservice.php", data=body, timeout=10,
                         headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert resp.status_code == 400


def test_a_silent_client_is_dropped(make_sandbox) -> None:
    box = make_sandbox(request_timeout=0.2)
    host, port = box.server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(b"POST /webservice.php HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
        assert s.recv(4096) == b""  # the server gave up and closed


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York", "UTC"])
def test_record_times_are_local_to_the_servers_zone(make_sandbox, zone: str) -> None:
    ws = Plain(make_sandbox(time_zone=zone).url)
    user = ws.login("admin", ACCESS_KEY)
    record = ws.ok(ws.create("Documents", {"notes_title": "Heure", "assigned_user_id": "19x1"}))
    stored = datetime.strptime(record["createdtime"], "%Y-%m-%d %H:%M:%S")
    local = datetime.now(ZoneInfo(zone)).replace(tzinfo=None)
    assert abs(local - stored) < timedelta(minutes=1)
    assert record["modifiedtime"] == record["createdtime"]
    assert user["time_zone"] == "Europe/Paris"  # the user's preference, not applied
