"""The background-task helper: results and errors come back on the GUI thread."""

from __future__ import annotations

import gc
import sys
import threading

from kafdocs.gui.tasks import TaskRunner


def test_result_arrives_on_the_gui_thread(qtbot, qapp) -> None:
    runner = TaskRunner()
    seen: list[tuple[object, bool]] = []
    main = threading.current_thread()
    runner.run(lambda: threading.current_thread() is main,
               lambda r: seen.append((r, threading.current_thread() is main)))
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(False, True)]  # worked elsewhere, answered here


def test_errors_go_to_the_error_callback(qtbot, qapp) -> None:
    runner = TaskRunner()
    errors: list[BaseException] = []

    def fail() -> None:
        raise ValueError("boom")

    runner.run(fail, lambda r: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert str(errors[0]) == "boom" and runner.active == 0


def test_many_tasks_leave_reference_counts_intact(qtbot, qapp) -> None:
    """PySide6 6.12.0 lost a reference to None per pool task on Python 3.11 (a crash at
    exit); this guards the pinned range."""
    runner = TaskRunner()
    done: list[object] = []
    gc.collect()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1000):
        runner.run(lambda: True, done.append)
    qtbot.waitUntil(lambda: len(done) == 1000, timeout=20_000)
    runner.wait()
    done.clear()
    gc.collect()
    after = sys.getrefcount(None), sys.getrefcount(True)
    # the bug loses one reference per task; other objects coming and going move a few
    assert after[0] > before[0] - 500 and after[1] > before[1] - 500


def test_a_result_for_a_deleted_owner_is_dropped(qtbot, qapp) -> None:
    import shiboken6
    from PySide6.QtCore import QObject

    runner = TaskRunner()
    owner = QObject()
    gate = threading.Event()
    got: list[object] = []
    runner.run(lambda: gate.wait(5), got.append, got.append, owner=owner)
    shiboken6.delete(owner)  # a window closed while its task ran
    gate.set()
    assert runner.wait(5000)
    qtbot.waitUntil(lambda: runner.active == 0)
    assert got == []
