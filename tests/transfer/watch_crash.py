"""``kafdocs watch`` that kills itself (SIGKILL, as ``kill -9``) right after one step of a chain.

    python -m tests.transfer.watch_crash STEP watch DIR --folder F ...

Deterministic fault points for the restart tests: no timing, no luck. Each step names
the last thing that happened before the process died.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from kafdocs.api import Client
from kafdocs.cli import main
from kafdocs.transfer import upload
from kafdocs.transfer.watch.journal import Journal


def die_after(owner: Any, name: str, when: Callable[..., bool] = lambda *a, **k: True) -> None:
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, wrapper)


def journaled(op: str) -> Callable[..., bool]:
    return lambda journal, entry: entry["op"] == op


STEPS: dict[str, Callable[[], None]] = {
    # the journal says the file is about to be sent; nothing on the server yet
    "begun": lambda: die_after(Journal, "write", journaled("begin")),
    # Kafinea: a document without its file exists
    "created": lambda: die_after(Client, "create", lambda self, module, element:
                                 module == "Documents"),
    # the whole file reached the server, not yet checked
    "sent": lambda: (die_after(Client, "file_upload"), die_after(Client, "create_with_file")),
    # the document is confirmed whole; the journal does not know it
    "confirmed": lambda: die_after(upload, "_confirm"),
    # linked to the record too; the journal still does not know
    "linked": lambda: die_after(Client, "add_related"),
    # the journal knows the document; the file has not moved
    "journaled": lambda: die_after(Journal, "write", journaled("confirmed")),
    # the journal chose the file's place in Filed/; not moved yet
    "moving": lambda: die_after(Journal, "write", journaled("moving")),
    # moved into Filed/ (or Failed/); the journal does not say "done"
    "moved": lambda: die_after(os, "rename"),
    # a permanent failure: the journal chose the place in Failed/, nothing moved
    "failing": lambda: die_after(Journal, "write", journaled("failing")),
}


def sign_in_one_at_a_time(lock_path: str) -> None:
    """Children started together sign in in turn: a user's new login challenge spoils the
    one another process is answering, as on a real server."""
    original = Client.login

    def login(self: Client) -> dict[str, Any]:
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return original(self)

    Client.login = login  # type: ignore[method-assign]


if __name__ == "__main__":
    sign_in_one_at_a_time(os.environ["KAFDOCS_TEST_LOGIN_LOCK"])
    STEPS[sys.argv[1]]()
    sys.exit(main(sys.argv[2:]))
