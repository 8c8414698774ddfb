"""When a file is complete: its size and mtime have stayed put for the settle time.

A scanner or an export writes a file over seconds, sometimes in bursts with pauses;
nothing in the file system says "finished". A file is taken once an unchanged
``(size, mtime)`` has been seen for ``settle`` seconds (the caller also checks that it
can be opened). The clock is injected so the rule can be tested without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .journal import Identity


class Settler:
    """Files being watched for completeness, keyed by their path in the directory."""

    def __init__(self, settle: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.settle = settle
        self.clock = clock
        self._seen: dict[str, tuple[Identity, float]] = {}  # path → (identity, since)

    def observe(self, path: str, identity: Identity) -> None:
        """A look at the file: a changed identity starts the settle time again."""
        seen = self._seen.get(path)
        if seen is None or seen[0] != identity:
            self._seen[path] = (identity, self.clock())

    def restart(self, path: str) -> None:
        """Not ready after all (it could not be opened): wait a settle time more."""
        if path in self._seen:
            self._seen[path] = (self._seen[path][0], self.clock())

    def forget(self, path: str) -> None:
        self._seen.pop(path, None)

    def ready(self) -> list[tuple[str, Identity]]:
        """The files unchanged for the settle time, oldest first; they stay until forgotten."""
        now = self.clock()
        done = [(since, path, identity) for path, (identity, since) in self._seen.items()
                if now - since >= self.settle]
        return [(path, identity) for _since, path, identity in sorted(done)]

    def next_due(self) -> float | None:
        """When the next file may become ready (a clock value), or None with none waiting."""
        if not self._seen:
            return None
        return min(since for _identity, since in self._seen.values()) + self.settle

    def seen(self, path: str) -> Identity | None:
        """The identity last seen for ``path`` (safe to call from another thread)."""
        seen = self._seen.get(path)
        return seen[0] if seen else None

    def paths(self) -> list[str]:
        return list(self._seen)

    def __contains__(self, path: object) -> bool:
        return path in self._seen

    def __len__(self) -> int:
        return len(self._seen)
