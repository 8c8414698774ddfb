"""HTTP-level behaviour: envelopes, escaping, where parameters are read, post_max_size."""

from __future__ import annotations

import requests

from tests.conftest import ACCESS_KEY
from tests.sandbox.wsclient import Plain, error


def test_answers_escape_slashes_and_non_ascii(sandbox) -> None:
    ws = Plain(sandbox.url)
    ws.login("admin", ACCESS_KEY)
    raw = ws.http.get(ws.endpoint, params={"operation": "query", "sessionName": ws.session,
                                           "query": "SELECT * FROM Documents;"}).content
    assert b"\\/" in raw and b"\\u00e9" in raw
    assert not any(b > 127 for b in raw)
    assert b"/" not in raw.replace(b"\\/", b"")


def test_errors_are_http_200_with_no_result_key(sandbox) -> None:
    resp = requests.get(sandbox.url + "webservice.php", params={"operation": "listtypes"})
    assert resp.status_code == 200
    assert resp.headers["Content-type"] == "application/json"
    assert set(resp.json()) == {"success", "error"}


def test_unknown_operation_is_an_html_fatal_error_page(sandbox) -> None:
    resp = requests.get(sandbox.url + "webservice.php", params={"operation": "bogus"})
    assert resp.status_code == 200
    assert resp.headers["Content-type"].startswith("text/html")
    assert "Unknown operation" in resp.text and "\"success\"" not in resp.text


def test_fileupload_is_unknown_on_the_vtiger_flavour(make_sandbox) -> None:
    ws = Plain(make_sandbox(flavour="vtiger").url)
    ws.login("admin", ACCESS_KEY)
    resp = ws.http.post(ws.endpoint, data={"operation": "FileUpload",
                                           "sessionName": ws.session})
    assert "Unknown operation" in resp.text


def test_get_operation_ignores_parameters_in_the_body(sandbox) -> None:
    ws = Plain(sandbox.url)
    ws.login("admin", ACCESS_KEY)
    answer = ws.http.post(ws.endpoint, data={"operation": "query", "sessionName": ws.session,
                                             "query": "SELECT * FROM Documents;"}).json()
    assert error(answer) == ("ACCESS_DENIED",
                             "Permission to perform the operation is denied for query")


def test_get_operation_posted_with_url_parameters_works(sandbox) -> None:
    ws = Plain(sandbox.url)
    ws.login("admin", ACCESS_KEY)
    answer = ws.http.post(ws.endpoint, params={"operation": "query", "sessionName": ws.session,
                                               "query": "SELECT count(*) FROM Documents;"})
    assert answer.json()["success"] is True


def test_post_operation_sent_as_get_misses_its_parameters(sandbox) -> None:
    ws = Plain(sandbox.url)
    ws.login("admin", ACCESS_KEY)
    assert error(ws.get("delete", id="15x1")) == (
        "ACCESS_DENIED", "Permission to perform the operation is denied for id")


def test_post_operation_reads_multipart_like_urlencoded(sandbox) -> None:
    ws = Plain(sandbox.url)
    token = ws.ok(ws.get("getchallenge", username="admin"))["token"]
    import hashlib

    digest = hashlib.md5((token + ACCESS_KEY).encode()).hexdigest()
    fields = {"operation": (None, "login"), "username": (None, "admin"),
              "accessKey": (None, digest)}
    answer = ws.http.post(ws.endpoint, files=fields).json()
    assert answer["success"] is True


def test_body_over_post_max_size_drops_every_field_with_a_php_warning(make_sandbox) -> None:
    box = make_sandbox(max_post=1000, flavour="kafinea")
    ws = Plain(box.url)
    ws.login("admin", ACCESS_KEY)
    resp = ws.http.post(ws.endpoint, params={"operation": "create", "sessionName": ws.session},
                        data={"elementType": "Documents", "element": "x" * 5000})
    assert "exceeds the limit of 1000 bytes" in resp.text
    assert resp.headers["Content-type"].startswith("text/html")
    body = resp.text[resp.text.index('{"success"'):]
    assert body == ('{"success":false,"error":{"message":"Permission to perform the operation '
                    'is denied","code":"ACCESS_DENIED"}}')


def test_stock_vtiger_prints_no_warning_for_an_oversized_body(make_sandbox) -> None:
    ws = Plain(make_sandbox(max_post=1000, flavour="vtiger").url)
    ws.login("admin", ACCESS_KEY)
    resp = ws.http.post(ws.endpoint, params={"operation": "create", "sessionName": ws.session},
                        data={"elementType": "Documents", "element": "x" * 5000})
    assert resp.headers["Content-type"] == "application/json"
    assert error(resp.json()) == ("ACCESS_DENIED", "Permission to perform the operation is denied")
    resp = ws.http.post(ws.endpoint, data={"operation": "create", "sessionName": ws.session,
                                           "element": "x" * 5000})
    assert resp.text.startswith("<br />\n<b>Fatal error</b>") and "Unknown operation" in resp.text


def test_the_startup_warning_is_an_option(make_sandbox) -> None:
    ws = Plain(make_sandbox(max_post=1000, flavour="vtiger", startup_warnings=True).url)
    ws.login("admin", ACCESS_KEY)
    resp = ws.http.post(ws.endpoint, params={"operation": "create", "sessionName": ws.session},
                        data={"element": "x" * 5000})
    assert "exceeds the limit of 1000 bytes" in resp.text


def test_session_in_an_oversized_body_is_lost(make_sandbox) -> None:
    ws = Plain(make_sandbox(max_post=100).url)
    ws.login("admin", ACCESS_KEY)
    resp = ws.http.post(ws.endpoint, data={"operation": "logout", "sessionName": ws.session,
                                           "pad": "x" * 500})
    assert "Unknown operation" in resp.text  # operation itself was dropped


def test_other_paths_are_not_found(sandbox) -> None:
    assert requests.get(sandbox.url + "index.php").status_code == 404
