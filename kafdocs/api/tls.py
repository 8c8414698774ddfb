"""Which certificates the client trusts, and what a refused certificate means to a user.

By default kafdocs trusts what the computer trusts (the system's trust store, through
``truststore``): a company that installed its own certificate authority on its computers
— for its servers or for a proxy that inspects traffic — needs nothing more, as in the
browser. A bundle given with ``--ca-bundle`` or in ``REQUESTS_CA_BUNDLE``,
``CURL_CA_BUNDLE``, ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` replaces it. A Linux without
system certificates falls back to the certifi bundle that requests brings.
"""

from __future__ import annotations

import os
import ssl
import sys
from typing import Any

import certifi
import truststore
from requests.adapters import HTTPAdapter

from kafdocs.i18n import N_, _

from .errors import CertificateError


def trust_context(verify: bool | str) -> ssl.SSLContext | None:
    """The TLS context that decides which servers are genuine; None without verification."""
    if verify is False:
        return None
    if isinstance(verify, str):
        return _bundle_context(verify, None)
    env = os.environ
    bundle = env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE")
    if bundle:
        return _bundle_context(bundle, None)
    if env.get("SSL_CERT_FILE") or env.get("SSL_CERT_DIR"):
        return _bundle_context(env.get("SSL_CERT_FILE"), env.get("SSL_CERT_DIR"))
    return _system_context()


def _bundle_context(file: str | None, folder: str | None) -> ssl.SSLContext:
    if file and os.path.isdir(file):
        file, folder = None, file
    try:
        return ssl.create_default_context(cafile=file or None, capath=folder or None)
    except (OSError, ssl.SSLError) as exc:
        raise CertificateError(_("The certificate authorities in {path} cannot be read ({reason})")
                               .format(path=file or folder,
                                       reason=getattr(exc, "strerror", None) or exc)) from None


def _system_context() -> ssl.SSLContext:
    if sys.platform.startswith("linux") and not _linux_has_certificates():
        return _bundle_context(certifi.where(), None)
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _linux_has_certificates() -> bool:
    paths = ssl.get_default_verify_paths()
    return bool(paths.cafile) or any(
        os.path.isfile(p) for p in ("/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem",
                                    "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem"))


class TrustAdapter(HTTPAdapter):
    """requests' adapter with our trust context instead of its own certifi bundle."""

    def __init__(self, context: ssl.SSLContext | None, **kw: Any) -> None:
        self.context = context
        super().__init__(**kw)

    def init_poolmanager(self, *args: Any, **kw: Any) -> None:
        if self.context is not None:
            kw["ssl_context"] = self.context
        super().init_poolmanager(*args, **kw)

    def proxy_manager_for(self, proxy: str, **kw: Any) -> Any:
        if self.context is not None:
            kw.setdefault("ssl_context", self.context)
        return super().proxy_manager_for(proxy, **kw)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
        if self.context is not None and verify:
            conn.ca_certs = conn.ca_cert_dir = None  # the context holds the trust


# OpenSSL's verification codes (X509_V_ERR_*), grouped by what the user can do about them
_SELF_SIGNED = {18}
_UNKNOWN_ISSUER = {2, 19, 20, 21}
_EXPIRED = {10}
_NOT_YET_VALID = {9}
_NAME = {62, 64}
# the words of the systems' own verifiers (truststore on Windows and macOS), in order
_WORDS = (("self signed", _SELF_SIGNED), ("self-signed", _SELF_SIGNED),
          ("expired", _EXPIRED), ("not yet valid", _NOT_YET_VALID),
          ("hostname", _NAME), ("name mismatch", _NAME), ("not valid for", _NAME),
          ("cn_no_match", _NAME), ("issuer", _UNKNOWN_ISSUER),
          ("untrusted root", _UNKNOWN_ISSUER), ("not trusted", _UNKNOWN_ISSUER))


def certificate_error(cause: BaseException, host: str) -> CertificateError:
    """One message per reason a certificate was refused, with what to do about it."""
    code = getattr(cause, "verify_code", None)
    text = str(getattr(cause, "verify_message", "") or cause).lower()
    kind = next((codes for codes in (_SELF_SIGNED, _UNKNOWN_ISSUER, _EXPIRED,
                                     _NOT_YET_VALID, _NAME) if code in codes), None)
    if kind is None:
        kind = next((codes for word, codes in _WORDS if word in text), set())
    if kind is _SELF_SIGNED:
        error = CertificateError(_("The server {host} presents a certificate it signed "
                                   "itself: nobody vouches for it, so kafdocs cannot tell "
                                   "it from an impostor.").format(host=host))
        error.hint = N_("If this server belongs to your company, ask your administrator to "
                        "install its certificate on this computer (or give it with "
                        "--ca-bundle on the command line).")
    elif kind is _UNKNOWN_ISSUER:
        error = CertificateError(_("The certificate of {host} comes from an authority this "
                                   "computer does not trust.").format(host=host))
        error.hint = N_("If your company uses its own certificate authority, ask your "
                        "administrator to install it on this computer (or give it with "
                        "--ca-bundle). Otherwise someone may be intercepting the connection: "
                        "do not go on.")
    elif kind is _EXPIRED:
        error = CertificateError(_("The certificate of {host} has expired.").format(host=host))
        error.hint = N_("Check that this computer's date and time are right. If they are, "
                        "tell the administrator of the server.")
    elif kind is _NOT_YET_VALID:
        error = CertificateError(_("The certificate of {host} is not valid yet.")
                                 .format(host=host))
        error.hint = N_("Check that this computer's date and time are right. If they are, "
                        "tell the administrator of the server.")
    elif kind is _NAME:
        error = CertificateError(_("The certificate presented by {host} was made for another "
                                   "address.").format(host=host))
        error.hint = N_("Check the instance address (use the name your browser shows, not "
                        "an IP address). If it is right, someone may be intercepting the "
                        "connection, or the server is misconfigured: tell your administrator.")
    else:
        error = CertificateError(_("Secure connection to {host} failed: {reason}")
                                 .format(host=host, reason=str(cause)[:200]))
    return error
