"""Starting the sandbox: in a background thread (demo, tests) or in the foreground (CLI)."""

from __future__ import annotations

import ipaddress
import secrets
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import demo
from .operations import Config
from .server import SandboxServer
from .sessions import Sessions


@dataclass
class SandboxSettings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    user: str = "admin"
    access_key: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    demo_data: bool = False
    config: Config = field(default_factory=Config)
    session_idle: float = 1800
    session_life: float = 86400
    clock: Callable[[], float] = time.monotonic  # for session ages; tests advance their own


class Sandbox:
    """A running sandbox server; use as a context manager or call ``stop()``."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        sessions = Sessions(settings.session_idle, settings.session_life, settings.clock)
        self.server = SandboxServer((settings.host, settings.port), settings.data_dir,
                                    settings.config, sessions)
        demo.ensure_default_folder(self.server.store)
        self.user_id = self.server.ensure_user(settings.user, settings.access_key)
        if settings.demo_data:
            demo.populate(self.server.store, self.user_id)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def user(self) -> str:
        return self.settings.user

    @property
    def access_key(self) -> str:
        return self.settings.access_key

    def start(self) -> Sandbox:
        self._thread = threading.Thread(target=self.server.serve, name="kafdocs-sandbox",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.stop()
            self._thread.join(timeout=5)
            self._thread = None
        self.server.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach an address (``localhost``, 127.x, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_foreground(settings: SandboxSettings, out=print) -> int:
    """Run until Ctrl-C or SIGTERM, after printing where and how to connect."""
    sandbox = Sandbox(settings)
    out(f"kafdocs sandbox: {sandbox.url}  (endpoint {sandbox.url}webservice.php)")
    out(f"user: {settings.user}")
    out(f"access key: {settings.access_key}")
    out(f"data: {settings.data_dir}")
    out("Press Ctrl-C to stop.")
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    sandbox.start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sandbox.stop()
    out("kafdocs sandbox stopped.")
    return 0
