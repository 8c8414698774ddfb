"""The hot folder: file what lands in a directory into a CRM folder, once and complete.

No Qt here: the CLI (``kafdocs watch``) and the app run the same watcher.
"""

from .chain import AfterFiling, WatchSettings
from .journal import JOURNAL, AlreadyWatched
from .rules import FAILED, FILED
from .watcher import Watcher, WatchError, WatchEvent, WatchListener

__all__ = ["FAILED", "FILED", "JOURNAL", "AfterFiling", "AlreadyWatched", "WatchError",
           "WatchEvent", "WatchListener", "WatchSettings", "Watcher"]
