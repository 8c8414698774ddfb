"""The demo CRM of ``kafdocs --demo``: the sandbox with demo data, in a process of its own.

In the window's process its server threads took the GIL from the GUI thread (the app
shortened the interpreter's switch interval to make up for it); in a process of its
own they cannot, like the transfers in their helper. Started with ``multiprocessing``
(spawn), so a frozen bundle runs it too; it ends when the app closes its pipe.
"""

from __future__ import annotations

import multiprocessing
import secrets
import shutil
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path

USER = "demo"
START_SECONDS = 60.0


class DemoCRM:
    def __init__(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="kafdocs-demo-"))
        self.access_key = secrets.token_urlsafe(12)
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_serve, name="kafdocs-demo-crm", daemon=True,
                                        args=(theirs, self.data_dir, self.access_key))
        self._process.start()
        theirs.close()
        self._url = ""

    @property
    def url(self) -> str:
        """The demo CRM's address, once it listens. The process starts at once and the
        caller asks for this as late as it can: the CRM's start (a second interpreter,
        the demo data) runs while the window's modules load, not before."""
        if not self._url:
            if not self._conn.poll(START_SECONDS):
                self.stop()
                raise RuntimeError("the demo CRM did not start")
            self._url = self._conn.recv()
        return self._url

    @property
    def user(self) -> str:
        return USER

    def stop(self) -> None:
        self._conn.close()  # the child sees the pipe close, stops its server and ends
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _serve(conn: Connection, data_dir: Path, access_key: str) -> None:
    from kafdocs.sandbox.app import Sandbox, SandboxSettings
    from kafdocs.sandbox.operations import Config

    # a CRM in Paris, whose users say so at login: times read right from the start
    sandbox = Sandbox(SandboxSettings(data_dir=data_dir, user=USER, access_key=access_key,
                                      demo_data=True,
                                      config=Config(time_zone="Europe/Paris"))).start()
    try:
        conn.send(sandbox.url)
        conn.recv()  # until the app closes the pipe
    except (EOFError, OSError):
        pass
    finally:
        sandbox.stop()
