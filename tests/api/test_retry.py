"""One retry policy, applied at one level: what is repeated, how often, and what is not."""

from __future__ import annotations

import inspect
import pickle
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3.util.connection

import kafdocs.commands
import kafdocs.transfer.helper
from kafdocs.api import Client, HttpError, KafdocsError, Query, TooLarge, Unreachable
from kafdocs.api.retry import Failure, RetryPolicy, classify
from kafdocs.transfer import Job, JobEvent, JobState, TransferQueue
from kafdocs.transfer.upload import UploadRequest, upload_job
from tests.conftest import ACCESS_KEY, FAST_RETRY, KAFINEA_ONLY
from tests.faults.proxy import FaultProxy


@pytest.fixture
def connections(monkeypatch) -> list[tuple[str, int]]:
    """Every TCP connection the client tries to open."""
    tried: list[tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def counting(address, *args, **kwargs):
        tried.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting)
    return tried


@pytest.fixture
def refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def proxy(sandbox) -> Iterator[FaultProxy]:
    server = FaultProxy(sandbox.url)
    yield server
    server.stop()


def test_signing_in_against_a_refused_port_tries_one_connection(
        connections, refused_url: str) -> None:
    with pytest.raises(Unreachable) as error:
        Client(refused_url, "admin", "k").login()
    assert len(connections) == 1  # 12 before: three layers each repeated it
    assert "refused" in str(error.value)
    assert classify(error.value) is Failure.UNREACHABLE


def test_a_lost_answer_to_a_get_is_asked_again_as_the_policy_says(proxy: FaultProxy) -> None:
    client = Client(proxy.url, "admin", ACCESS_KEY, retry=FAST_RETRY)
    client.login()
    proxy.add("query", "status_503", times=99)
    with pytest.raises(HttpError) as error:
        client.query(Query("DocumentFolders"))
    assert proxy.faults_used().count("status_503") == FAST_RETRY.attempts
    assert error.value.retried  # the engine will not repeat it again
    proxy.faults.clear()
    assert client.query(Query("DocumentFolders"))  # a lost answer, not a broken client
    client.close()


def test_a_job_does_not_repeat_what_the_client_already_repeated(proxy: FaultProxy) -> None:
    client = Client(proxy.url, "admin", ACCESS_KEY, retry=FAST_RETRY)
    client.login()
    proxy.add("query", "status_502", times=99)
    queue = TransferQueue(1, retry=FAST_RETRY)
    job = queue.submit(Job("listing", lambda ctx: str(client.query(Query("Documents")))))
    assert queue.wait(10)
    assert job.state is JobState.FAILED
    assert proxy.faults_used().count("status_502") == FAST_RETRY.attempts  # not 3 x 4 x 4
    queue.shutdown()
    client.close()


@KAFINEA_ONLY
def test_a_job_repeats_a_lost_upload_as_the_policy_says(proxy: FaultProxy, tmp_path: Path,
                                                         connections) -> None:
    client = Client(proxy.url, "admin", ACCESS_KEY, retry=FAST_RETRY)
    client.login()
    path = tmp_path / "scan.bin"
    path.write_bytes(b"x" * 200_000)
    proxy.add("FileUpload", "reset_request", times=99, min_body=100_000)
    queue = TransferQueue(1, retry=FAST_RETRY)
    job = queue.submit(upload_job(client, UploadRequest(path, "22x1")))
    assert queue.wait(10)
    assert job.state is JobState.FAILED, job.message
    assert proxy.faults_used().count("reset_request") == FAST_RETRY.attempts
    queue.shutdown()
    client.close()


def test_an_upload_to_a_server_that_is_down_tries_one_connection(
        sandbox, tmp_path: Path, connections, monkeypatch) -> None:
    client = Client(sandbox.url, "admin", ACCESS_KEY)
    client.login()
    sandbox.stop()
    client.http.close()  # no kept-alive connection to the stopped server's threads
    connections.clear()
    path = tmp_path / "a.txt"
    path.write_text("a")
    queue = TransferQueue(1)  # the default policy: a wait would show as a long test
    job = queue.submit(upload_job(client, UploadRequest(path, "22x1")))
    assert queue.wait(10)
    assert job.state is JobState.FAILED and "refused" in job.message
    assert len(connections) == 1  # 48 before


def test_a_login_answer_holding_only_the_session_is_used_at_once(sandbox) -> None:
    client = Client(sandbox.url, "admin", ACCESS_KEY)
    real = client._challenge_and_login
    logins: list[dict] = []

    def only_the_session() -> dict:
        answer = real()
        logins.append(answer)
        return {"sessionName": answer["sessionName"]}

    client._challenge_and_login = only_the_session  # type: ignore[method-assign]
    assert client.listtypes()["types"]
    assert len(logins) == 1  # before: a first call without a session, then a second login


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def _sample(cls: type[KafdocsError]) -> KafdocsError:
    """An instance made as the code makes it, whatever the constructor's arguments."""
    values = []
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or parameter.kind is parameter.VAR_POSITIONAL:
            continue
        if parameter.kind is parameter.VAR_KEYWORD:
            continue
        values.append(3_000_000 if "int" in str(parameter.annotation) else f"{name} text")
    return cls(*values) if values else cls("a message")


def test_every_kafdocs_error_crosses_to_another_process_intact() -> None:
    classes = [KafdocsError, *_all_subclasses(KafdocsError)]
    assert TooLarge in classes and kafdocs.transfer.helper.HelperStopped in classes
    assert kafdocs.commands.UsageError in classes
    for cls in classes:
        error = _sample(cls)
        error.retried = True
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is cls
        assert str(copy) == str(error) and copy.__dict__ == error.__dict__, cls


def test_too_large_keeps_its_numbers_across_processes() -> None:
    copy = pickle.loads(pickle.dumps(TooLarge(3_000_000, 2_000_000)))
    assert (copy.size, copy.limit) == (3_000_000, 2_000_000)
    assert "limit 1.9 MiB" in str(copy)


def test_a_job_submitted_after_shutdown_says_it_was_cancelled() -> None:
    events: list[JobEvent] = []
    queue = TransferQueue(1, listener=events.append)
    queue.shutdown()
    job = queue.submit(Job("late", lambda ctx: "never"))
    assert job.state is JobState.CANCELLED
    assert [e.kind for e in events] == ["queued", "cancelled"]


def test_the_policy_waits_longer_each_time_and_not_at_all_when_it_gives_up() -> None:
    policy = RetryPolicy(attempts=3, first_delay=0.2, factor=3)
    assert 0.1 <= policy.delay(1) <= 0.3 and 0.3 <= policy.delay(2) <= 0.9
    lost = HttpError(503, "busy")
    assert policy.should_retry(lost, 1) and policy.should_retry(lost, 2)
    assert not policy.should_retry(lost, 3)
    assert not policy.should_retry(HttpError(404, "no"), 1)
    assert not policy.should_retry(Unreachable("refused"), 1)
