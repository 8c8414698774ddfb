"""A typed client for the Kafinea webservice, with no Qt: usable from any script.

>>> from kafdocs.api import Client, Query
>>> with Client("https://apps.kafinea.com/Acme", "jdupont", "ACCESSKEY") as crm:
...     folders = crm.query(Query("DocumentFolders"))
"""

from .client import Client, ClientFacts, ClientSpec, FileInfo, QueryPager, decode_label
from .errors import (
    AccessDenied,
    ApiError,
    AuthError,
    BadAnswer,
    Cancelled,
    CertificateError,
    ConnectionFailed,
    CorruptFile,
    FileChanged,
    HttpError,
    InvalidId,
    InvalidUrl,
    KafdocsError,
    NoHttps,
    NotFound,
    NotKafinea,
    NoWebservice,
    ProxyAuthRequired,
    QuerySyntaxError,
    QueryValueError,
    Redirected,
    RequestTimeout,
    ServerFault,
    SessionExpired,
    TooLarge,
    TransportError,
    UnknownOperation,
    Unreachable,
)
from .query import Query, quote
from .url import endpoint_url, instance_url, is_insecure

__all__ = [
    "AccessDenied", "ApiError", "AuthError", "BadAnswer", "Cancelled", "CertificateError",
    "Client", "ClientFacts", "ClientSpec", "ConnectionFailed", "CorruptFile", "FileChanged",
    "FileInfo", "HttpError", "InvalidId", "InvalidUrl",
    "KafdocsError", "NoHttps", "NoWebservice", "NotFound", "NotKafinea", "ProxyAuthRequired",
    "Query", "QueryPager", "QuerySyntaxError", "QueryValueError", "Redirected", "RequestTimeout",
    "ServerFault", "SessionExpired", "TooLarge", "TransportError", "UnknownOperation",
    "Unreachable", "decode_label", "endpoint_url", "instance_url", "is_insecure", "quote",
]
