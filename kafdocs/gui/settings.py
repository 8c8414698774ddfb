"""Typed settings over QSettings, with every default in one registry.

Secrets never come here: access keys live in the OS keyring (kafdocs.credentials).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from kafdocs.api import KafdocsError, endpoint_url

MIB = 1024 * 1024

DEFAULTS: dict[str, Any] = {
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
    "window/splitter": QByteArray(),
    "window/transfers_folded": False,
    "browse/last_folder": "",
    "profiles": "[]",
    "profiles/last": "",
    "language": "",  # empty: follow the system
    "transfer/workers": 4,
    "transfer/last_dir": "",
    "upload/last_dir": "",
    "watch/folders": "[]",  # JSON list of gui.watched.WatchedFolder
}


@dataclass(frozen=True)
class Profile:
    """A connection the user saved; the access key is in the keyring, not here."""

    name: str
    url: str
    user: str
    max_upload_mb: float = 0.0  # 0: unknown; learned from a refused upload otherwise
    server_time_zone: str = ""  # the zone of the CRM's times, if the user set it

    @property
    def max_upload(self) -> int | None:
        """The learned limit in bytes of request, for ``Client(max_upload=...)``."""
        return int(self.max_upload_mb * MIB) or None


class Settings:
    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store or QSettings("kafdocs", "kafdocs")

    def get(self, key: str) -> Any:
        default = DEFAULTS[key]
        value = self.store.value(key, default)
        if isinstance(default, bool):  # an INI file gives back "true" / "false"
            return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
        if isinstance(default, int) and not isinstance(value, int):
            try:
                return int(value)
            except (TypeError, ValueError):
                return default
        if isinstance(default, QByteArray) and not isinstance(value, QByteArray):
            return default
        return value

    def set(self, key: str, value: Any) -> None:
        assert key in DEFAULTS, key
        self.store.setValue(key, value)

    def profiles(self) -> list[Profile]:
        try:
            return [Profile(**p) for p in json.loads(self.get("profiles"))]
        except (TypeError, ValueError):
            return []

    def save_profile(self, profile: Profile) -> None:
        others = [p for p in self.profiles() if p.name != profile.name]
        self.set("profiles", json.dumps([asdict(p) for p in [*others, profile]]))
        self.set("profiles/last", profile.name)

    def remember_upload_limit(self, endpoint: str, user: str, limit: int) -> None:
        """Store a learned upload limit (bytes of request) with the saved connection."""
        profiles = self.profiles()
        for n, profile in enumerate(profiles):
            if profile.user == user and _endpoint(profile.url) == endpoint:
                profiles[n] = replace(profile, max_upload_mb=limit / MIB)
        self.set("profiles", json.dumps([asdict(p) for p in profiles]))

    def remove_profile(self, name: str) -> None:
        self.set("profiles", json.dumps([asdict(p) for p in self.profiles() if p.name != name]))


def _endpoint(url: str) -> str:
    try:
        return endpoint_url(url)
    except KafdocsError:
        return url
