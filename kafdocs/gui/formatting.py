"""Sizes, dates and durations written for the user's locale."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QDateTime, QLocale

from kafdocs.api.servertime import ServerZone
from kafdocs.api.values import number
from kafdocs.i18n import _, ngettext


@lru_cache(maxsize=4096)
def size_text(value: object) -> str:
    size = number(value)
    return "" if size is None else bytes_text(size)


def bytes_text(n: float) -> str:
    """A size in the user's locale ("2.0 MB", "2,0 Mo"). Under a kilobyte the word agrees
    with the number: Qt writes "1 bytes" and "1 octets"."""
    size = int(n)
    if -1000 < size < 1000:
        return ngettext("{count} byte", "{count} bytes", size).format(
            count=QLocale().toString(size))
    return QLocale().formattedDataSize(size, 1, QLocale.DataSizeFormat.DataSizeSIFormat)


@lru_cache(maxsize=4096)
def date_text(value: object, zone: ServerZone) -> str:
    """A record's time (local to the server's ``zone``: always the client's
    ``server_zone``, as every command and download uses) in the user's zone and locale.
    Cached: views repaint often, and the same few timestamps recur."""
    stamp = zone.timestamp(value)
    if stamp is None:
        return str(value or "")
    moment = QDateTime.fromSecsSinceEpoch(int(stamp))  # in this computer's zone
    return QLocale().toString(moment, QLocale.FormatType.ShortFormat)


def duration_text(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return _("{seconds} s").format(seconds=seconds)
    if seconds < 3600:
        return _("{minutes} min {seconds} s").format(minutes=seconds // 60,
                                                     seconds=f"{seconds % 60:02d}")
    return _("{hours} h {minutes} min").format(hours=seconds // 3600,
                                               minutes=f"{seconds % 3600 // 60:02d}")


def names_list(names: list[str], shown: int = 5) -> str:
    """The first few names, one a line, and how many more: a prompt names what it acts on."""
    lines = [f"• {name}" for name in names[:shown]]
    if len(names) > shown:
        more = len(names) - shown
        lines.append(ngettext("… and {count} more", "… and {count} more", more)
                     .format(count=more))
    return "\n".join(lines)
