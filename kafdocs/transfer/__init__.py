"""The transfer engine, shared by the GUI and the CLI; no Qt here.

Jobs (upload chain, document download, folder download) run on a bounded pool of
worker threads, report events, retry transient faults and can be cancelled.
"""

from .engine import (
    FINAL_EVENTS,
    Inbox,
    Job,
    JobContext,
    JobEvent,
    JobState,
    Skipped,
    Summary,
    TransferQueue,
)
from .service import Transfers, TransferService

__all__ = ["FINAL_EVENTS", "Inbox", "Job", "JobContext", "JobEvent", "JobState", "Skipped",
           "Summary", "TransferQueue", "TransferService", "Transfers"]
