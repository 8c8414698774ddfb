from __future__ import annotations

from collections.abc import Iterator

import pytest

from kafdocs.api import Client
from tests.conftest import ACCESS_KEY


@pytest.fixture
def client(sandbox) -> Iterator[Client]:
    with Client(sandbox.url, "admin", ACCESS_KEY) as crm:
        yield crm
