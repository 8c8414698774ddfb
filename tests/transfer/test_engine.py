"""The job queue: events, retries with backoff, cancellation, summary."""

from __future__ import annotations

from kafdocs.api import AccessDenied, ConnectionFailed
from kafdocs.api.retry import RetryPolicy
from kafdocs.transfer import Job, JobEvent, JobState, Skipped, TransferQueue
from tests.conftest import FAST_RETRY


def flaky(failures: int, error: Exception):
    calls = {"n": 0}

    def run(ctx) -> str:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise error
        ctx.set_total(10)
        ctx.progress(10)
        return "ok"

    return run, calls


def test_transient_errors_are_retried_until_success() -> None:
    run, calls = flaky(2, ConnectionFailed("reset"))
    events: list[JobEvent] = []
    queue = TransferQueue(2, retry=FAST_RETRY, listener=events.append)
    job = queue.submit(Job("a", run))
    assert queue.wait(5)
    assert job.state is JobState.DONE and calls["n"] == 3
    kinds = [e.kind for e in events]
    assert kinds[0] == "queued" and kinds.count("retrying") == 2 and kinds[-1] == "finished"


def test_retries_are_bounded() -> None:
    run, calls = flaky(10, ConnectionFailed("down"))
    queue = TransferQueue(1, retry=RetryPolicy(attempts=3, first_delay=0.005))
    job = queue.submit(Job("a", run))
    queue.wait(5)
    assert job.state is JobState.FAILED and calls["n"] == 3 and "down" in job.message


def test_permanent_errors_fail_at_once_and_the_batch_goes_on() -> None:
    bad, calls = flaky(10, AccessDenied("ACCESS_DENIED", "denied"))
    good, _ = flaky(0, ConnectionFailed("-"))
    queue = TransferQueue(1, retry=FAST_RETRY)
    a, b = queue.submit(Job("bad", bad)), queue.submit(Job("good", good))
    queue.wait(5)
    assert a.state is JobState.FAILED and calls["n"] == 1 and b.state is JobState.DONE
    summary = queue.summary()
    assert summary.failed == 1 and summary.finished == 1 and not summary.ok
    assert summary.failures == [("bad", a.message)]


def test_disk_errors_are_worded_for_people() -> None:
    def full(ctx) -> str:
        raise OSError(28, "No space left on device", "/media/usb/x.pdf")

    queue = TransferQueue(1)
    job = queue.submit(Job("x", full))
    queue.wait(5)
    assert job.message == "The disk is full (/media/usb/x.pdf)"


def test_skipped_jobs_say_why() -> None:
    def skip(ctx) -> str:
        raise Skipped("nothing to do")

    queue = TransferQueue(1)
    job = queue.submit(Job("x", skip))
    queue.wait(5)
    assert job.state is JobState.SKIPPED and job.message == "nothing to do"


def test_cancel_all_stops_running_and_queued_jobs_then_retry_runs_them() -> None:
    ran: list[int] = []

    def slow(ctx) -> str:
        if ran:  # the second time round
            return "again"
        ctx.job.cancel_event.wait(60)
        ctx.check()
        return "never"

    queue = TransferQueue(1, retry=FAST_RETRY)
    jobs = queue.submit_batch([Job(str(n), slow) for n in range(3)])
    queue.cancel_all()
    assert queue.wait(5)
    assert [j.state for j in jobs] == [JobState.CANCELLED] * 3
    ran.append(1)
    assert queue.retry(jobs[0].id)
    queue.wait(5)
    assert jobs[0].state is JobState.DONE and jobs[0].message == "again"


def test_progress_events_are_rate_limited() -> None:
    events: list[JobEvent] = []

    def chatty(ctx) -> str:
        ctx.set_total(100_000)
        for n in range(1, 100_001):
            ctx.progress(n)
        return "ok"

    queue = TransferQueue(1, listener=events.append)
    queue.submit(Job("x", chatty))
    queue.wait(10)
    progress = [e for e in events if e.kind == "progress"]
    assert len(progress) < 100 and progress[-1].done == 100_000


def test_a_broken_listener_does_not_break_the_job() -> None:
    def boom(event: JobEvent) -> None:
        raise RuntimeError("view bug")

    queue = TransferQueue(1, listener=boom)
    job = queue.submit(Job("x", lambda ctx: "fine"))
    queue.wait(5)
    assert job.state is JobState.DONE
