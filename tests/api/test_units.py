"""Pure functions of the api layer: URLs, quoting, envelopes."""

from __future__ import annotations

import pytest

from kafdocs.api import (
    AccessDenied,
    InvalidUrl,
    NotKafinea,
    Query,
    QueryValueError,
    ServerFault,
    TooLarge,
    UnknownOperation,
    endpoint_url,
    is_insecure,
    quote,
)
from kafdocs.api.envelope import parse_body

EP = "https://apps.kafinea.com/Acme/webservice.php"


@pytest.mark.parametrize("pasted", [
    "https://apps.kafinea.com/Acme", "https://apps.kafinea.com/Acme/",
    "https://apps.kafinea.com/Acme/webservice.php", "apps.kafinea.com/Acme",
    "  https://apps.kafinea.com/Acme/index.php  ", "HTTPS://apps.kafinea.com/Acme//",
])
def test_pasted_urls_become_the_endpoint(pasted: str) -> None:
    assert endpoint_url(pasted) == EP


@pytest.mark.parametrize("bad", ["", "   ", "ftp://x/y", "https://exa mple.com/", "https://"])
def test_unusable_urls_are_refused(bad: str) -> None:
    with pytest.raises(InvalidUrl):
        endpoint_url(bad)


def test_plain_http_to_another_host_is_insecure() -> None:
    assert is_insecure(endpoint_url("http://crm.example.com"))
    assert not is_insecure(endpoint_url("http://127.0.0.1:8088/"))
    assert not is_insecure(EP)


def test_quote_doubles_quotes_and_refuses_what_vtql_cannot_say() -> None:
    assert quote("l'été") == "'l''été'"
    assert quote(42) == "'42'"
    assert quote("50% off_") == "'50% off_'"
    for bad in ("", "a\\'b", "ends with\\"):
        with pytest.raises(QueryValueError):
            quote(bad)


def test_query_builder_writes_vtql() -> None:
    q = (Query("Documents").select("id", "notes_title").where("folderid", "=", "22x1")
         .or_where("notes_title", "LIKE", "Fact%").where("id", "IN", ["15x1", "15x2"])
         .order_by("modifiedtime", descending=True).limit(100, 200))
    assert str(q) == ("SELECT id, notes_title FROM Documents WHERE folderid = '22x1' OR "
                      "notes_title LIKE 'Fact%' AND id IN ('15x1','15x2') ORDER BY "
                      "modifiedtime DESC LIMIT 200, 100;")
    assert q.count().vtql(related=True) == (
        "SELECT count(*) FROM Documents WHERE folderid = '22x1' OR notes_title LIKE 'Fact%' "
        "AND id IN ('15x1','15x2')")
    with pytest.raises(QueryValueError):
        Query("Documents; DROP")
    with pytest.raises(QueryValueError):
        Query("Documents").where("notes_title = 'x' OR 1", "=", "y")
    with pytest.raises(QueryValueError):
        Query("Documents").where("notes_title", "=", "")


def test_php_warnings_before_the_envelope_are_skipped() -> None:
    noise = b"<br />\n<b>Deprecated</b>: Creation of dynamic property {x} <br />\n" * 4500
    assert parse_body(noise + b'{"success":true,"result":{"a":"\\/"}}', "op") == {"a": "/"}


def test_error_envelope_raises_the_typed_error() -> None:
    with pytest.raises(AccessDenied) as exc:
        parse_body(b'{"success":false,"error":{"message":"no","code":"ACCESS_DENIED"}}', "q")
    assert exc.value.code == "ACCESS_DENIED" and exc.value.message == "no"


@pytest.mark.parametrize(("body", "error"), [
    (b"", ServerFault),
    (b'{"success":true,"res', ServerFault),
    (b'{"foo": 1}', ServerFault),
    (b'{"success":"yes","result":1}', ServerFault),
    (b"<html><body>Login</body></html>", NotKafinea),
    (b"<br />\n<b>Fatal error</b>:  Uncaught WebServiceException: Unknown operation requested",
     UnknownOperation),
    (b"<br />\n<b>Fatal error</b>: Allowed memory size exhausted", ServerFault),
])
def test_bodies_without_an_envelope_are_clear_errors(body: bytes, error: type) -> None:
    with pytest.raises(error):
        parse_body(body, "query")


def test_post_max_size_warning_means_too_large() -> None:
    body = (b"<b>Warning</b>:  PHP Request Startup: POST Content-Length of 9000000 bytes "
            b"exceeds the limit of 8388608 bytes in <b>Unknown</b> on line <b>0</b><br />\n"
            b'{"success":false,"error":{"message":"Permission to perform the operation is '
            b'denied for parentId","code":"ACCESS_DENIED"}}')
    with pytest.raises(TooLarge) as exc:
        parse_body(body, "FileUpload")
    assert exc.value.limit == 8388608
