"""A new user's walk through the vendor text with curl, against `kafdocs sandbox`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def curl(*args: str) -> dict:
    out = subprocess.run(["curl", "-sS", "--max-time", "30", *args], capture_output=True,
                         check=True)
    return json.loads(out.stdout)


def test_vendor_walkthrough_with_curl_gives_back_the_same_bytes(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "kafdocs", "sandbox", "--port", "0", "--data",
         str(tmp_path / "crm"), "--user", "admin", "--access-key", "s3cret", "--demo-data"],
        stdout=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()  # "kafdocs sandbox: http://127.0.0.1:PORT/ ..."
        base = first.split()[2]
        u = base + "webservice.php"
        token = curl(f"{u}?operation=getchallenge&username=admin")["result"]["token"]
        key = hashlib.md5((token + "s3cret").encode()).hexdigest()
        login = curl("-d", "operation=login", "-d", "username=admin", "-d", f"accessKey={key}",
                     u)["result"]
        session = login["sessionName"]

        def get(**params: str) -> dict:
            args = ["-G", u, "--data-urlencode", f"sessionName={session}"]
            for k, v in params.items():
                args += ["--data-urlencode", f"{k}={v}"]
            return curl(*args)

        folders = get(operation="query", query="SELECT id FROM DocumentFolders WHERE "
                                               "foldername LIKE 'Contrats' LIMIT 1 ;")
        folder = folders["result"][0]["id"]
        element = json.dumps({"notes_title": "Contrat test", "folderid": folder,
                              "filename": "contrat.pdf", "filetype": "application/pdf",
                              "filesize": "70000", "filestatus": "1", "filelocationtype": "I",
                              "assigned_user_id": login["userId"]})
        doc = curl(u, "--data-urlencode", "operation=create", "--data-urlencode",
                   f"sessionName={session}", "--data-urlencode", "elementType=Documents",
                   "--data-urlencode", f"element={element}")["result"]
        content = os.urandom(70_000)
        encoded = tmp_path / "b64.txt"
        encoded.write_bytes(base64.b64encode(content))
        uploaded = curl(u, "--data-urlencode", "operation=FileUpload", "--data-urlencode",
                        f"sessionName={session}", "--data-urlencode", f"parentId={doc['id']}",
                        "--data-urlencode", "attachmentType=Attachment", "--data-urlencode",
                        "fileName=contrat.pdf", "--data-urlencode", f"fileContents@{encoded}")
        assert uploaded["success"] is True
        record = get(operation="retrieve", id=doc["id"])["result"]
        assert record["filesize"] == "70000"
        files = get(operation="files_retrieve", id=record["imageattachmentids"])["result"]
        assert base64.b64decode(files[0]["filecontents"]) == content
    finally:
        server.terminate()
        assert server.wait(10) == 0  # SIGTERM stops it cleanly
