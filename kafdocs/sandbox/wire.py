"""How PHP's json_encode and htmlentities write things, byte for byte."""

from __future__ import annotations

import json
from html.entities import codepoint2name

_SPECIAL = {"&": "&amp;", '"': "&quot;", "'": "&#039;", "<": "&lt;", ">": "&gt;"}


def dumps(obj: object) -> bytes:
    """Compact JSON with ``/`` escaped and non-ASCII as \\uXXXX, as json_encode does."""
    text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode("ascii")


def success(result: object) -> bytes:
    return dumps({"success": True, "result": result})


def failure(code: str, message: str) -> bytes:
    return dumps({"success": False, "error": {"message": message, "code": code}})


def htmlentities(text: str) -> str:
    """PHP's htmlentities(ENT_QUOTES, HTML 4.01 table): named entities where one exists."""
    out = []
    for ch in text:
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ord(ch) > 127 and ord(ch) in codepoint2name:
            out.append(f"&{codepoint2name[ord(ch)]};")
        else:
            out.append(ch)
    return "".join(out)


def php_fatal(uncaught: str) -> bytes:
    """The HTML page PHP prints for an uncaught exception, still with status 200."""
    return (
        f"<br />\n<b>Fatal error</b>:  {uncaught}"
        " in /var/www/html/include/Webservices/OperationManager.php:125\n"
        "Stack trace:\n#0 /var/www/html/webservice.php(76): "
        "OperationManager->__construct()\n#1 {main}\n  thrown in "
        "<b>/var/www/html/include/Webservices/OperationManager.php</b> on line <b>125</b>"
        "<br />\n"
    ).encode()


def post_too_large_warning(length: int, limit: int) -> bytes:
    return (
        f"<br />\n<b>Warning</b>:  PHP Request Startup: POST Content-Length of {length} bytes "
        f"exceeds the limit of {limit} bytes in <b>Unknown</b> on line <b>0</b><br />\n"
    ).encode()
