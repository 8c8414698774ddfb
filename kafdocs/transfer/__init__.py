"""The transfer engine, shared by the GUI and the CLI; no Qt here.

Jobs (upload chain, document download, folder download) run on a bounded pool of
worker threads, report events, retry what the retry policy says and can be
cancelled; what is known of them is one table of records (records.py).
"""

from .engine import Inbox, Job, JobContext, Skipped, TransferQueue
from .records import (
    FINAL_EVENTS,
    FINAL_STATES,
    JobEvent,
    JobRecord,
    JobState,
    JobTable,
    Summary,
)
from .service import FolderQueued, Transfers, TransferService

__all__ = ["FINAL_EVENTS", "FINAL_STATES", "FolderQueued", "Inbox", "Job", "JobContext", "JobEvent",
           "JobRecord", "JobState", "JobTable", "Skipped", "Summary", "TransferQueue",
           "TransferService", "Transfers"]
