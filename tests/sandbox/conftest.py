from __future__ import annotations

import pytest

from tests.conftest import ACCESS_KEY
from tests.sandbox.wsclient import Plain


@pytest.fixture
def ws(sandbox) -> Plain:
    """A plain HTTP client signed in to the demo sandbox."""
    client = Plain(sandbox.url)
    client.login("admin", ACCESS_KEY)
    return client
