"""The client with stock vtiger's quiet answers: no PHP warning, no FileUpload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kafdocs.api import Client, TooLarge
from kafdocs.sandbox.app import Sandbox
from tests.conftest import ACCESS_KEY


def test_a_file_over_the_described_limit_is_refused_before_sending(
        make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    box = make_sandbox(flavour="vtiger", max_post=50_000)
    path = tmp_path / "plan.pdf"
    path.write_bytes(b"%PDF" * 20_000)
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        assert crm.max_upload_file_size("Documents") == 50_000
        before = box.server.requests_served
        with pytest.raises(TooLarge, match="limit"):
            crm.create_with_file("Documents", {"notes_title": "Plan"}, path)
        assert box.server.requests_served == before


def test_a_dropped_body_without_a_php_warning_is_still_too_large(
        make_sandbox: Callable[..., Sandbox]) -> None:
    box = make_sandbox(flavour="vtiger", max_post=600_000)
    with Client(box.url, "admin", ACCESS_KEY) as crm:
        doc = crm.create("Documents", {"notes_title": "Notes", "assigned_user_id": crm.user_id})
        with pytest.raises(TooLarge):
            crm.update({**doc, "notecontent": "x" * 700_000})
        with pytest.raises(TooLarge):
            crm.create("Documents", {"notes_title": "x" * 700_000})
