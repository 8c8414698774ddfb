from __future__ import annotations

from collections.abc import Iterator

import pytest

from kafdocs.api import Client
from tests.conftest import ACCESS_KEY, FAST_RETRY
from tests.faults.proxy import FaultProxy


@pytest.fixture
def proxy(sandbox) -> Iterator[FaultProxy]:
    server = FaultProxy(sandbox.url)
    yield server
    server.stop()


@pytest.fixture
def client(proxy) -> Iterator[Client]:
    crm = Client(proxy.url, "admin", ACCESS_KEY, timeout=(2.0, 1.0), retry=FAST_RETRY)
    crm.login()
    yield crm
    crm.close()
