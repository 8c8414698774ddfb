"""A deliberately plain HTTP client for the sandbox tests: requests and nothing of kafdocs."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import requests


class Plain:
    def __init__(self, url: str) -> None:
        self.endpoint = url.rstrip("/") + "/webservice.php"
        self.http = requests.Session()
        self.session = ""
        self.flavour = "kafinea"
        self.box: Any = None  # the sandbox, when a test needs to set data up behind the API

    def get(self, operation: str, **params: str) -> dict[str, Any]:
        query = {"operation": operation, **params}
        if self.session:
            query.setdefault("sessionName", self.session)
        return self.http.get(self.endpoint, params=query, timeout=10).json()

    def post(self, operation: str, files: dict | None = None, **params: str) -> dict[str, Any]:
        body = {"operation": operation, **params}
        if self.session:
            body.setdefault("sessionName", self.session)
        return self.http.post(self.endpoint, data=body, files=files, timeout=30).json()

    def login(self, user: str, key: str) -> dict[str, Any]:
        token = self.get("getchallenge", username=user)["result"]["token"]
        digest = hashlib.md5((token + key).encode()).hexdigest()
        answer = self.post("login", username=user, accessKey=digest)
        self.session = answer["result"].get("sessionName") or answer["result"]["sessionId"]
        return answer["result"]

    def ok(self, answer: dict[str, Any]) -> Any:
        assert answer["success"] is True, answer
        return answer["result"]

    def query(self, text: str) -> Any:
        return self.get("query", query=text)

    def create(self, module: str, element: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return self.post("create", elementType=module, element=json.dumps(element), **kw)

    def revise(self, element: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return self.post("revise", element=json.dumps(element), **kw)

    def update(self, element: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return self.post("update", element=json.dumps(element), **kw)

    def retrieve(self, record_id: str) -> Any:
        return self.ok(self.get("retrieve", id=record_id))

    def file(self, file_id: str) -> tuple[dict[str, Any], bytes]:
        """files_retrieve: the file's metadata and its bytes."""
        meta = self.ok(self.get("files_retrieve", id=file_id))
        assert isinstance(meta, list) and len(meta) == 1
        return meta[0], base64.b64decode(meta[0]["filecontents"])


def error(answer: dict[str, Any]) -> tuple[str, str]:
    assert answer["success"] is False, answer
    assert "result" not in answer
    return answer["error"]["code"], answer["error"]["message"]
