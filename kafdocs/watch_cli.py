"""``kafdocs watch DIR --folder F``: a hot folder in the foreground, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kafdocs.commands import UsageError, add_connection_options, connect
from kafdocs.i18n import _, ngettext
from kafdocs.termprogress import terminal_text
from kafdocs.transfer import TransferQueue
from kafdocs.transfer.folders import resolve_folder
from kafdocs.transfer.typed_ids import check_link_target
from kafdocs.transfer.upload import OnDuplicate
from kafdocs.transfer.watch import FAILED, AfterFiling, Watcher, WatchEvent, WatchSettings

STOP_SECONDS = 8.0  # to finish or roll back the uploads in flight; the issue allows 10


def add_watch_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("watch", help=_("file what lands in a directory (a hot folder)"))
    p.add_argument("directory", type=Path, help=_("the directory to watch"))
    p.add_argument("--folder", required=True, help=_("target folder name or id"))
    p.add_argument("--link", metavar="RECORD_ID",
                   help=_("also relate each document to this record"))
    p.add_argument("--after", choices=[a.value for a in AfterFiling], default="move",
                   help=_("after filing: move into DIR/Filed/ (default), delete, or keep "
                        "(left in place and remembered)"))
    p.add_argument("--recursive", action="store_true", help=_("also watch sub-directories"))
    p.add_argument("--settle", type=float, default=2.0, metavar="SECONDS",
                   help=_("a file is complete once unchanged this long (default 2)"))
    p.add_argument("--on-duplicate", choices=[o.value for o in OnDuplicate], default="keep",
                   help=_("when the folder already has that file name (default: keep both)"))
    p.add_argument("--jobs", type=int, default=4, help=_("parallel uploads (default 4)"))
    p.add_argument("--json", action="store_true", help=_("one JSON object per line"))
    add_connection_options(p)
    p.set_defaults(func=cmd_watch)


def cmd_watch(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    if not directory.is_dir():
        raise UsageError(_("{directory} is not a folder").format(directory=directory))
    if args.settle < 0:
        raise UsageError(_("--settle must be zero or more seconds"))
    with connect(args) as client:
        folder = resolve_folder(client, args.folder)
        if args.link:
            check_link_target(client, args.link)
        settings = WatchSettings(directory, folder.id, args.link, AfterFiling(args.after),
                                 args.recursive, args.settle, OnDuplicate(args.on_duplicate))
        queue = TransferQueue(args.jobs)
        report = Report(args.json)
        watcher = Watcher(client, queue, settings, report)
        stop = threading.Event()
        with stop_on_signals(stop):
            watcher.start()
            report.started(directory, folder.name)
            while not stop.wait(3600):  # a signal sets it; the timeout only bounds the wait
                pass
            report.stopping()
            watcher.stop(STOP_SECONDS)
            queue.shutdown(cancel=True, timeout=1)
        report.stopped()
    return 0


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM ask for a clean stop; a second Ctrl-C interrupts at once."""

    def on_signal(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # set from another thread: the main thread may hold the event's lock right now
        threading.Thread(target=stop.set, daemon=True).start()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Report:
    """One line per filed file on stdout; failures and waits on stderr (or all as JSON)."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.filed = self.failed = 0
        self._lock = threading.Lock()

    def __call__(self, event: WatchEvent) -> None:  # worker threads
        with self._lock:
            if event.kind == "filed":
                self.filed += 1
            elif event.kind == "failed":
                self.failed += 1
            if self.as_json:
                self._json({"event": event.kind, "path": event.path,
                            "document": event.doc_id, "number": event.number,
                            "reason": event.reason, "retry_in": event.retry_in})
            elif event.kind == "filed":
                print(terminal_text(f"{event.path} → {event.number or event.doc_id}"),
                      flush=True)
            elif event.kind == "failed":
                self._err(_("failed: {name}: {reason}").format(name=event.path,
                                                              reason=event.reason)
                          + " " + _("(moved to {folder})").format(folder=FAILED + "/"))
            elif event.kind == "problem":
                self._err(_("cannot read the watched folder: {reason} — still trying")
                          .format(reason=event.reason))
            elif event.kind == "resumed":
                self._err(_("the watched folder can be read again"))
            else:
                self._err(_("{name}: {reason} — trying again in {seconds:.0f} s").format(
                    name=event.path, reason=event.reason, seconds=event.retry_in))

    def started(self, directory: Path, folder: str) -> None:
        if self.as_json:
            self._json({"event": "watching", "directory": str(directory), "folder": folder})
        else:
            self._err(_("watching {directory} → {folder} (Ctrl-C to stop)").format(
                directory=directory, folder=folder))

    def stopping(self) -> None:
        if not self.as_json:
            self._err(_("stopping…"))

    def stopped(self) -> None:
        with self._lock:
            if self.as_json:
                self._json({"event": "stopped", "filed": self.filed, "failed": self.failed})
            else:
                filed = ngettext("{count} filed", "{count} filed", self.filed)
                failed = ngettext("{count} failed", "{count} failed", self.failed)
                self._err(_("stopped: {filed}, {failed}").format(
                    filed=filed.format(count=self.filed), failed=failed.format(count=self.failed)))

    @staticmethod
    def _json(data: dict[str, object]) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    @staticmethod
    def _err(line: str) -> None:
        print("kafdocs: " + terminal_text(line), file=sys.stderr, flush=True)
