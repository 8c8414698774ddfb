from __future__ import annotations

import pytest

from tests.conftest import ACCESS_KEY
from tests.sandbox.wsclient import Plain

FLAVOURS = ("kafinea", "vtiger")


@pytest.fixture
def ws(sandbox) -> Plain:
    """A plain HTTP client signed in to the demo sandbox."""
    client = Plain(sandbox.url)
    client.login("admin", ACCESS_KEY)
    return client


@pytest.fixture(params=FLAVOURS)
def both(request, make_sandbox) -> Plain:
    """A plain client signed in to an empty sandbox, once per flavour: what vtiger does,
    Kafinea (built on it) does too."""
    box = make_sandbox(flavour=request.param)
    client = Plain(box.url)
    client.login("admin", ACCESS_KEY)
    client.flavour = request.param
    client.box = box
    return client
