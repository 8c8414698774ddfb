"""Shared fixtures: a real sandbox server on 127.0.0.1 for every test that needs a peer."""

from __future__ import annotations

import os
import shutil
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["KAFDOCS_LANG"] = "en"  # tests read English messages

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kafdocs.api import Client
from kafdocs.api.retry import RetryPolicy
from kafdocs.sandbox.app import Sandbox, SandboxSettings
from kafdocs.sandbox.operations import Config
from kafdocs.transfer import trash

ACCESS_KEY = "test-access-key-0123"
FAST_RETRY = RetryPolicy(first_delay=0.005)  # the default policy's tries, without the waits
# The sandbox flavour of tests that do not choose one: KAFDOCS_TEST_FLAVOUR=vtiger runs
# them against stock vtiger's behaviour (no FileUpload, no folder creation...).
FLAVOUR = os.environ.get("KAFDOCS_TEST_FLAVOUR", "kafinea")
# Tests of what only Kafinea has (FileUpload, folders that can be created): skipped when
# the whole suite runs on stock vtiger, whose own way has tests of its own.
KAFINEA_ONLY = pytest.mark.skipif(FLAVOUR == "vtiger", reason="Kafinea only: FileUpload, "
                                  "folder creation")


class FakeClock:
    """A clock for session ages that a test moves forward instead of sleeping; with a
    ``step``, each reading is that much later (time passes with requests, not seconds)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str | None], None]:
    """Lay the demo CRM's data in a new data directory: written once per time zone, then
    copied for each sandbox (writing it costs about ten times a copy). Every test still
    has its own data to change."""
    written: dict[str | None, Path] = {}

    def copy(data_dir: Path, zone: str | None) -> None:
        if zone not in written:
            template = tmp_path_factory.mktemp("demo-data")
            Sandbox(SandboxSettings(data_dir=template, access_key=ACCESS_KEY, demo_data=True,
                                    config=Config(time_zone=zone))).stop()
            written[zone] = template
        shutil.copytree(written[zone], data_dir)

    return copy


@pytest.fixture(scope="session")
def sandbox_data_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where test sandboxes keep their data: in memory where the system has a RAM file
    system (Linux's /dev/shm), else under the session's temporary directory. Each sandbox
    writes, syncs and deletes a database: on a disk, that was a good part of a short
    test's time. The client's files (downloads, uploads) stay on the disk."""
    ram = Path("/dev/shm")
    if ram.is_dir() and os.access(ram, os.W_OK):
        root = Path(tempfile.mkdtemp(prefix="kafdocs-tests-", dir=ram))
        yield root
        shutil.rmtree(root, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("sandboxes")


@pytest.fixture
def make_sandbox(sandbox_data_root: Path, demo_copy: Callable[[Path, str | None], None],
                 ) -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with chosen settings; all are stopped at the end of the test, and
    the data of those given no ``data_dir`` is removed."""
    started: list[Sandbox] = []
    own = Path(tempfile.mkdtemp(dir=sandbox_data_root))

    def make(demo_data: bool = False, data_dir: Path | None = None, **config: object) -> Sandbox:
        idle = float(config.pop("session_idle", 1800))  # type: ignore[arg-type]
        life = float(config.pop("session_life", 86400))  # type: ignore[arg-type]
        clock = config.pop("clock", time.monotonic)
        config.setdefault("flavour", FLAVOUR)
        if data_dir is None:
            data_dir = own / f"sandbox{len(started)}"
            if demo_data:  # populate() finds the copy filled and leaves it
                demo_copy(data_dir, config.get("time_zone"))  # type: ignore[arg-type]
        settings = SandboxSettings(
            data_dir=data_dir, access_key=ACCESS_KEY,
            demo_data=demo_data, config=Config(**config),  # type: ignore[arg-type]
            session_idle=idle, session_life=life, clock=clock)  # type: ignore[arg-type]
        box = Sandbox(settings).start()
        started.append(box)
        return box

    yield make
    for box in started:
        box.stop()
    shutil.rmtree(own, ignore_errors=True)


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(demo_data=True)


@pytest.fixture(params=["kafinea", "vtiger"])
def box(request: pytest.FixtureRequest, make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """An empty sandbox of each flavour: the test runs on Kafinea and on stock vtiger."""
    return make_sandbox(flavour=request.param)


@pytest.fixture
def crm(box: Sandbox) -> Iterator[Client]:
    with Client(box.url, "admin", ACCESS_KEY, retry=FAST_RETRY) as client:
        yield client


@pytest.fixture
def trashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The system trash, as a list of what it received (the real one is the user's)."""
    taken: list[str] = []

    def system(path: str) -> None:
        taken.append(Path(path).name)
        os.unlink(path)

    monkeypatch.setattr(trash, "system_trash", system)
    return taken
