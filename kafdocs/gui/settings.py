"""Typed settings over QSettings: every option declared once, with its type and default.

Secrets never come here: access keys live in the OS keyring (kafdocs.credentials).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from kafdocs.api import KafdocsError, endpoint_url

MIB = 1024 * 1024

T = TypeVar("T", QByteArray, str, bool, int)


@dataclass(frozen=True)
class Option(Generic[T]):
    """One setting: its key in QSettings, its type (that of its default), what it is for."""

    key: str
    default: T
    about: str

    def read(self, stored: object) -> T:
        """The stored value as this option's type; the default when it cannot be."""
        default = self.default
        if isinstance(default, QByteArray):
            return stored if isinstance(stored, QByteArray) else default
        if isinstance(default, bool):  # an INI file stores "true" / "false"
            return stored in (True, "true") if stored in (True, False, "true", "false") \
                else default
        if isinstance(default, int):
            try:
                return int(str(stored))
            except ValueError:
                return default
        return str(stored) if isinstance(stored, str) else default


# The registry: every setting of the app, nowhere else. A test fails for an option
# that no code reads, so a dead one cannot stay unnoticed.
WINDOW_GEOMETRY = Option("window/geometry", QByteArray(), "size and place of the window")
WINDOW_STATE = Option("window/state", QByteArray(), "toolbars and transfer panel")
WINDOW_SPLITTER = Option("window/splitter", QByteArray(), "folders beside documents")
TRANSFERS_FOLDED = Option("window/transfers_folded", False, "the transfer panel folded")
LAST_FOLDERS = Option("browse/last_folders", "{}",
                      "the folder shown at the next start, by connection (JSON)")
RECORD_FOLDER = Option("records/last_folder", "", "where files dropped on a record were filed")
PROFILES = Option("profiles", "[]", "saved connections, as JSON (keys in the keyring)")
LAST_PROFILE = Option("profiles/last", "", "the connection the sign-in dialog offers")
LANGUAGE = Option("language", "", "the window's language; empty: the system's")
TRANSFER_WORKERS = Option("transfer/workers", 4, "transfers that run at once")
DOWNLOAD_DIR = Option("transfer/last_dir", "", "where the last download went")
UPLOAD_DIR = Option("upload/last_dir", "", "where the last upload came from")
DOWNLOAD_FOLDERS = Option("transfer/download_folders", "[]",
                          "where downloads ran, cleaned at the next start (JSON)")
WATCHED_FOLDERS = Option("watch/folders", "[]", "watched folders, as JSON (watched.py)")
UPLOAD_SAVED = Option("open/upload_saved", False,
                      "an opened copy, once saved, goes up as a new version without asking")
MIRRORED_FOLDERS = Option("download/mirrored", "[]",
                          "folders downloaded with Mirror, as JSON (CRM key:folder id)")
CONTENT_SPLITTER = Option("window/content_splitter", QByteArray(),
                          "documents beside the preview and details")
SHOW_PREVIEW = Option("view/preview", True, "the preview and details beside the documents")
PREVIEW_MAX_MB = Option("preview/max_mb", 50,
                        "larger files are previewed only on request (Preview anyway)")
COLUMN_WIDTHS = Option("view/column_widths", "{}",
                       "document columns the user resized: width by field (JSON)")
OPTIONS: dict[str, Option[Any]] = {option.key: option for option in (
    WINDOW_GEOMETRY, WINDOW_STATE, WINDOW_SPLITTER, TRANSFERS_FOLDED, LAST_FOLDERS,
    RECORD_FOLDER, PROFILES, LAST_PROFILE, LANGUAGE, TRANSFER_WORKERS, DOWNLOAD_DIR,
    UPLOAD_DIR, DOWNLOAD_FOLDERS, WATCHED_FOLDERS, UPLOAD_SAVED, MIRRORED_FOLDERS,
    CONTENT_SPLITTER, SHOW_PREVIEW, PREVIEW_MAX_MB, COLUMN_WIDTHS)}


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
    """The app's settings, each read as its option's type; unknown keys are refused."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store or QSettings("kafdocs", "kafdocs")

    @overload
    def get(self, option: Option[T]) -> T: ...
    @overload
    def get(self, option: str) -> Any: ...
    def get(self, option: Option[Any] | str) -> Any:
        """Pass an ``Option`` (typed); a key string is looked up in the registry."""
        found = OPTIONS[option] if isinstance(option, str) else option
        return found.read(self.store.value(found.key, found.default))

    @overload
    def set(self, option: Option[T], value: T) -> None: ...
    @overload
    def set(self, option: str, value: Any) -> None: ...
    def set(self, option: Option[Any] | str, value: Any) -> None:
        found = OPTIONS[option] if isinstance(option, str) else option
        self.store.setValue(found.key, value)

    def _json(self, option: Option[str], kind: type) -> Any:
        try:
            value = json.loads(self.get(option))
        except (TypeError, ValueError):
            return kind()
        return value if isinstance(value, kind) else kind()

    def start_folder(self, option: Option[str]) -> str:
        """Where a file dialog opens: the folder last used for it, else Documents
        (never the process's working directory)."""
        saved = self.get(option)
        return saved if saved and Path(saved).is_dir() else documents_folder()

    def last_folder(self, endpoint: str, user: str) -> str:
        """The CRM folder last shown for this connection: a folder id means nothing
        on another server."""
        return str(self._json(LAST_FOLDERS, dict).get(f"{user}@{endpoint}", ""))

    def remember_folder(self, endpoint: str, user: str, folder_id: str) -> None:
        folders = self._json(LAST_FOLDERS, dict)
        folders[f"{user}@{endpoint}"] = folder_id
        self.set(LAST_FOLDERS, json.dumps(folders))

    def download_folders(self) -> list[str]:
        return [str(f) for f in self._json(DOWNLOAD_FOLDERS, list)]

    def set_download_folders(self, folders: list[str]) -> None:
        self.set(DOWNLOAD_FOLDERS, json.dumps(folders))

    def profiles(self) -> list[Profile]:
        try:
            return [Profile(**p) for p in json.loads(self.get(PROFILES))]
        except (TypeError, ValueError):
            return []

    def save_profile(self, profile: Profile) -> None:
        others = [p for p in self.profiles() if p.name != profile.name]
        self.set(PROFILES, json.dumps([asdict(p) for p in [*others, profile]]))
        self.set(LAST_PROFILE, profile.name)

    def remember_upload_limit(self, endpoint: str, user: str, limit: int) -> None:
        """Store a learned upload limit (bytes of request) with the saved connection."""
        profiles = self.profiles()
        for n, profile in enumerate(profiles):
            if profile.user == user and _endpoint(profile.url) == endpoint:
                profiles[n] = replace(profile, max_upload_mb=limit / MIB)
        self.set(PROFILES, json.dumps([asdict(p) for p in profiles]))

    def remove_profile(self, name: str) -> None:
        self.set(PROFILES, json.dumps([asdict(p) for p in self.profiles() if p.name != name]))


def _endpoint(url: str) -> str:
    try:
        return endpoint_url(url)
    except KafdocsError:
        return url


def documents_folder() -> str:
    """The user's Documents folder, else their home (a dialog opened on a folder that
    does not exist leaves its buttons greyed)."""
    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())
