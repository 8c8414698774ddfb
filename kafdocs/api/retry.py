"""The one retry policy: what kind of failure is worth repeating, how often, how soon.

Three layers used to repeat the same failures (urllib3's ``Retry``, the client's GET
loop and the engine's job loop): one refused connection became 12 attempts and 6 s,
and a batch against a server that was down took hours to fail. Now a failure is
classified here, once, and repeated at exactly one level:

- ``UNREACHABLE`` — no connection could be made (refused, unknown host, no answer to
  the connection). Never repeated: the server is down or the address is wrong, and
  waiting in silence helps nobody. The transfer engine stops the batch instead; its
  jobs stay, to be retried when the server is back.
- ``LOST`` — an exchange broke on the way (reset, cut-off or garbled answer, read
  timeout, a proxy's 5xx or 429). Repeated up to ``attempts`` times, with backoff, by
  the one level that can repeat it safely: the client for an idempotent request (a
  GET), the engine for a whole job otherwise (an upload chain, a streamed download).
  The client marks what it already repeated (``retried``), so the engine does not
  repeat it again.
- ``FINAL`` — the server answered (an API error, a 4xx, too large, a certificate
  refused): repeating changes nothing.

A session that ended is not a failure of this kind: the client signs in again once,
by itself, and repeats the call.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from .errors import KafdocsError, Unreachable


class Failure(enum.Enum):
    UNREACHABLE = "unreachable"
    LOST = "lost"
    FINAL = "final"


def classify(exc: BaseException) -> Failure:
    if isinstance(exc, Unreachable):
        return Failure.UNREACHABLE
    if isinstance(exc, KafdocsError) and exc.transient:
        return Failure.LOST
    return Failure.FINAL


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a ``LOST`` exchange is repeated (picklable)."""

    attempts: int = 3  # tries of one exchange, the first one included
    first_delay: float = 0.2  # seconds before the second try, then times ``factor``
    factor: float = 3.0

    def should_retry(self, exc: BaseException, attempt: int) -> bool:
        """After failed try number ``attempt`` (1-based): is another one worth it?"""
        return (attempt < self.attempts and classify(exc) is Failure.LOST
                and not getattr(exc, "retried", False))

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed try number ``attempt``, with jitter."""
        return float(self.first_delay * self.factor ** (attempt - 1) * (0.5 + random.random()))


DEFAULT_RETRY = RetryPolicy()
