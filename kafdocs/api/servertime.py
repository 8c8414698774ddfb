"""The server's clock: record datetimes are local times of the server's own zone, with no
zone marker (protocol.md, "Datetimes").

Which zone is a belief, learned in steps, each one trusted more than the one before:

1. the login answer's ``time_zone`` — but it is the *user's* preference, which the
   server does not apply to record times: the install's own zone may differ (stock
   vtiger ships UTC, F-RevoCRM Asia/Tokyo);
2. observed: the ``createdtime`` of the first record created in the session (or the
   ``modifiedtime`` of the first one changed), against this computer's clock when it
   was written — the offset the server really uses, rounded to a quarter of an hour
   (server clocks drift by minutes, zones do not);
3. a setting the user chose (per sign-in profile in the app, ``--server-time-zone``).

With nothing known, times are read as this computer's local time (what kafdocs always
did: right when the server and the user share a zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FORMAT = "%Y-%m-%d %H:%M:%S"
QUARTER = 15 * 60
MAX_OFFSET = 14 * 3600  # no zone is further from UTC
LOGIN, OBSERVED, SETTING = "login", "observed", "setting"
_FIXED = re.compile(r"^UTC([+-])(\d{1,2}):?(\d{2})?$")


@dataclass(frozen=True)
class ServerZone:
    """Where the server's record times are local (picklable, hashable).

    ``name``: an IANA zone (``Asia/Tokyo``), a fixed offset (``UTC+09:00``), or ``""``
    for this computer's own zone; ``source``: how it was learned (``login``,
    ``observed``, ``setting``, or ``""`` when nothing is known).
    """

    name: str = ""
    source: str = ""

    @property
    def tz(self) -> tzinfo | None:
        return zone_named(self.name)

    def moment(self, text: object) -> datetime | None:
        """A record's datetime as an aware moment; None when it is not one."""
        try:
            naive = datetime.strptime(str(text), FORMAT)
        except ValueError:
            return None
        zone = self.tz
        if zone is None:  # this computer's zone, with its daylight-saving rules
            return naive.astimezone()
        return naive.replace(tzinfo=zone)

    def timestamp(self, text: object) -> float | None:
        """Seconds since the epoch of a record's datetime (a file's modification time)."""
        moment = self.moment(text)
        try:
            return moment.timestamp() if moment is not None else None
        except (OverflowError, OSError, ValueError):
            return None

    def local_text(self, text: object) -> str:
        """A record's datetime as this computer's local time, written as the server
        writes them: what every command shows (the window goes through ``timestamp``
        too). A text that is no datetime is shown as it came."""
        moment = self.moment(text)
        return moment.astimezone().strftime(FORMAT) if moment is not None else str(text or "")

    def offset_at(self, when: float) -> int:
        """The zone's offset from UTC, in seconds, at the instant ``when``."""
        moment = datetime.fromtimestamp(when, UTC)
        local = moment.astimezone(self.tz) if self.tz else moment.astimezone()
        offset = local.utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0


UNKNOWN = ServerZone()  # nothing learned yet: this computer's zone


def zone_named(name: str) -> tzinfo | None:
    """The zone a name means: IANA, ``UTC``, ``UTC+09:00``; None for "" or unknown."""
    name = (name or "").strip()
    if not name:
        return None
    fixed = _FIXED.match(name)
    if fixed:
        sign = -1 if fixed.group(1) == "-" else 1
        minutes = int(fixed.group(2)) * 60 + int(fixed.group(3) or 0)
        if minutes * 60 > MAX_OFFSET:
            return None
        return timezone(sign * timedelta(minutes=minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def is_zone(name: str) -> bool:
    return zone_named(name) is not None


def from_login(result: dict[str, object]) -> ServerZone:
    """The first belief: the login answer's ``time_zone``, if it names a zone."""
    name = str(result.get("time_zone") or "")
    return ServerZone(name, LOGIN) if is_zone(name) else ServerZone()


def observed(written: object, sent: float, answered: float,
             believed: ServerZone) -> ServerZone | None:
    """What a record written between ``sent`` and ``answered`` (this computer's clock)
    says of the server's zone: ``believed`` confirmed, or a better guess; None when
    its time (``written``) tells nothing usable."""
    try:
        naive = datetime.strptime(str(written), FORMAT)
    except ValueError:
        return None
    now = (sent + answered) / 2
    as_utc = naive.replace(tzinfo=UTC).timestamp()
    offset = round((as_utc - now) / QUARTER) * QUARTER
    if abs(offset) > MAX_OFFSET:
        return None  # a server clock this wrong says nothing about its zone
    if offset == believed.offset_at(now):
        return ServerZone(believed.name, OBSERVED)
    if offset == ServerZone().offset_at(now):
        return ServerZone("", OBSERVED)  # this computer's zone, with its DST rules
    return ServerZone(fixed_offset(offset), OBSERVED)


def fixed_offset(seconds: int) -> str:
    if seconds == 0:
        return "UTC"
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
