"""The streaming encoder and decoder at awkward chunk boundaries (property-based)."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kafdocs.api import CorruptFile
from kafdocs.api.streams import FilesRetrieveScanner, MultipartFileBody


def php_json(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).replace("/", "\\/").encode()


def answer(files: list[bytes], prefix: bytes = b"") -> bytes:
    return prefix + php_json({"success": True, "result": [
        {"fileid": str(i), "filename": f"f{i}/é.bin", "filetype": "application/octet-stream",
         "filesize": len(data), "filecontents": base64.b64encode(data).decode()}
        for i, data in enumerate(files)]})


def scan(body: bytes, cuts: list[int]) -> tuple[object, list[bytes]]:
    outs: list[io.BytesIO] = []

    def sink(index: int) -> io.BytesIO:
        outs.append(io.BytesIO())
        return outs[-1]

    scanner = FilesRetrieveScanner(sink)
    last = 0
    for cut in [*sorted(set(c % (len(body) + 1) for c in cuts)), len(body)]:
        scanner.feed(body[last:cut])
        last = cut
    return scanner.result(), [o.getvalue() for o in outs]


@settings(max_examples=300, deadline=None)
@given(files=st.lists(st.binary(max_size=300), min_size=1, max_size=3),
       cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=12),
       warning=st.sampled_from([b"", b"<br />\n<b>Warning</b>: x {oops} \"q\"<br />\n"]))
def test_scanner_decodes_every_file_whatever_the_chunking(files, cuts, warning) -> None:
    result, outs = scan(answer(files, warning), cuts)
    assert outs == files
    assert [r["filecontents"] for r in result["result"]] == [f"#{i}" for i in range(len(files))]
    assert result["result"][0]["filename"] == "f0/é.bin"


@settings(max_examples=100, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=20))
def test_scanner_handles_cuts_inside_escapes(cuts) -> None:
    data = b"\xff\xfe\xfd" * 40  # base64 full of '/', escaped as '\/'
    _result, outs = scan(answer([data]), cuts)
    assert outs == [data]


def test_scanner_keeps_error_envelopes() -> None:
    body = php_json({"success": False, "error": {"message": "nope", "code": "RECORD_NOT_FOUND"}})
    result, outs = scan(body, [5, 17])
    assert result["error"]["code"] == "RECORD_NOT_FOUND" and outs == []


@pytest.mark.parametrize("contents", ["QUJD*EFG", "QUJDRA", "QQ==QUJD", "QU\\\"JD"])
def test_scanner_rejects_invalid_base64(contents: str) -> None:
    body = ('{"success":true,"result":[{"fileid":"1","filename":"a","filetype":"b",'
            '"filesize":3,"filecontents":"' + contents + '"}]}').encode()
    with pytest.raises(CorruptFile):
        scan(body, [])


def test_scanner_reports_a_cut_off_answer() -> None:
    body = answer([b"hello world"])
    scanner = FilesRetrieveScanner(lambda i: io.BytesIO())
    scanner.feed(body[:-3])
    assert not scanner.done
    with pytest.raises(EOFError):
        scanner.result()


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=5000), chunk=st.integers(min_value=3, max_value=999))
def test_multipart_body_length_matches_what_it_sends(tmp_path_factory, data, chunk) -> None:
    import kafdocs.api.streams as streams

    path: Path = tmp_path_factory.mktemp("mp") / "f.bin"
    path.write_bytes(data)
    old = streams.READ_CHUNK
    streams.READ_CHUNK = chunk - chunk % 3 or 3
    try:
        for b64 in (True, False):
            body = MultipartFileBody({"parentId": "15x1"}, "fileContents", path,
                                     file_name="f.bin", base64=b64)
            sent = b"".join(body)
            assert len(sent) == len(body)
            part = sent[len(body.head):len(sent) - len(body.tail)]
            assert (base64.b64decode(part) if b64 else part) == data
    finally:
        streams.READ_CHUNK = old
