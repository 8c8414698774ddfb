"""Where a list of documents comes from: a folder, a search, (later) a record's documents.

The document table of the window shows one source at a time and pages through it on
the server; the command line lists a source to the end. A source knows how to count
its documents and fetch one page in a given order — nothing about views.
A new kind of list (the documents linked to an account, say) is one more subclass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from kafdocs.api import Client, Query

from .crmrecords import count_record_documents, record_documents_page
from .folders import documents_query
from .search import search_query

Order = tuple[str, bool]  # (field, descending): vtiger sorts by one column only


class DocumentSource(ABC):
    """A list of documents on the server, read a page at a time."""

    @property
    def across_folders(self) -> bool:
        """Rows may come from several folders: a view shows which one each is in."""
        return False

    @abstractmethod
    def count(self, client: Client) -> int:
        """How many documents the list holds now."""

    @abstractmethod
    def page(self, client: Client, order: Order, offset: int, size: int) -> list[dict[str, Any]]:
        """``size`` documents from ``offset`` in ``order`` (fewer past the server's cap)."""


@dataclass(frozen=True)
class QuerySource(DocumentSource):
    """The documents a VTQL query selects."""

    query: Query

    def count(self, client: Client) -> int:
        return client.count(self.query)

    def page(self, client: Client, order: Order, offset: int, size: int) -> list[dict[str, Any]]:
        field, descending = order
        return client.query(self.query.order_by(field, descending).limit(size, offset))


@dataclass(frozen=True)
class FolderDocuments(QuerySource):
    folder_id: str = ""

    @classmethod
    def of(cls, folder_id: str) -> FolderDocuments:
        return cls(documents_query(folder_id), folder_id)


@dataclass(frozen=True)
class SearchResults(QuerySource):
    """A search in every folder (``folder_id`` empty) or in one."""

    text: str = ""
    folder_id: str = ""

    @classmethod
    def of(cls, text: str, folder_id: str = "") -> SearchResults:
        return cls(search_query(text, folder_id or None), text.strip(), folder_id)

    @property
    def across_folders(self) -> bool:
        return not self.folder_id


@dataclass(frozen=True)
class RecordDocuments(DocumentSource):
    """The documents linked to an account, a contact or a product (its related list:
    active documents only; an account's holds its contacts' too)."""

    record_id: str

    @property
    def across_folders(self) -> bool:
        return True

    def count(self, client: Client) -> int:
        return count_record_documents(client, self.record_id)

    def page(self, client: Client, order: Order, offset: int, size: int) -> list[dict[str, Any]]:
        return record_documents_page(client, self.record_id, order, offset, size)
