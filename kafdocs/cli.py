"""The ``kafdocs`` command: the desktop app by default, plus scriptable sub-commands."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import __version__
from .i18n import N_, _, ngettext


def _default_sandbox_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("kafdocs")) / "sandbox"


def add_sandbox_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sandbox", help=_("run the Kafinea-compatible sandbox server"))
    p.add_argument("--host", default="127.0.0.1", help=_("address to bind (default 127.0.0.1)"))
    p.add_argument("--port", type=int, default=28088,
                   help=_("port (default 28088; 0 picks a free one)"))
    p.add_argument("--data", type=Path, default=None, help=_("data directory (SQLite + blobs)"))
    p.add_argument("--user", default="admin", help=_("user name to create or update"))
    p.add_argument("--access-key", default=None, help=_("that user's access key (random if unset)"))
    p.add_argument("--demo-data", action="store_true", help=_("fill an empty CRM with demo data"))
    p.add_argument("--row-cap", type=int, default=100, help=_("query row cap (default 100)"))
    p.add_argument("--max-post-size", type=int, default=64 * 1024 * 1024,
                   help=_("PHP post_max_size in bytes (default 64 MiB)"))
    p.add_argument("--latency-ms", type=float, default=0.0,
                   help=_("simulated network latency added to each request"))
    p.add_argument("--bandwidth-kbps", type=float, default=0,
                   help=_("simulated link speed for request and file bodies, in kB/s"))
    p.add_argument("--flavour", choices=("kafinea", "vendor-doc", "vtiger"), default="kafinea",
                   help=_("kafinea: FileUpload + vtiger login keys; vendor-doc: login answers "
                        "sessionId/kafineaVersion; vtiger: stock vtiger 8 without FileUpload"))
    p.add_argument("--session-idle", type=float, default=1800, help=_("idle timeout, seconds"))
    p.add_argument("--session-life", type=float, default=86400, help=_("session life, seconds"))
    p.add_argument("--time-zone", default=None,
                   help=_("the server's time zone for record times, e.g. Asia/Tokyo "
                        "(default: this computer's)"))
    p.add_argument("--php-warnings", action=argparse.BooleanOptionalAction, default=None,
                   help=_("print PHP's start-up warning before the answer to an over-size POST "
                        "(default: yes, except for the vtiger flavour)"))
    p.add_argument("--allow-remote", action="store_true",
                   help=_("accept a --host other computers can reach (the sandbox is for tests "
                        "and demos: plain HTTP, one known access key)"))
    p.set_defaults(func=run_sandbox)


def run_sandbox(args: argparse.Namespace) -> int:
    import secrets

    from .sandbox.app import SandboxSettings, is_loopback, serve_foreground
    from .sandbox.operations import Config

    refusal = _sandbox_refusal(args)
    if refusal:
        print("kafdocs sandbox: " + refusal, file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print("kafdocs sandbox: " + _("warning: other computers can reach this sandbox on "
                                      "{host}").format(host=args.host), file=sys.stderr)
    settings = SandboxSettings(
        data_dir=args.data or _default_sandbox_dir(), host=args.host, port=args.port,
        user=args.user, access_key=args.access_key or secrets.token_urlsafe(12),
        demo_data=args.demo_data,
        config=Config(row_cap=args.row_cap, max_post=args.max_post_size,
                      flavour=args.flavour, latency=args.latency_ms / 1000,
                      bandwidth=int(args.bandwidth_kbps * 1000), time_zone=args.time_zone,
                      startup_warnings=args.php_warnings),
        session_idle=args.session_idle, session_life=args.session_life,
    )
    try:
        return serve_foreground(settings, out=lambda line: print(line, flush=True))
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        print("kafdocs sandbox: " + _cannot_listen(exc.errno, args.host, args.port),
              file=sys.stderr)
        return 2


def _sandbox_refusal(args: argparse.Namespace) -> str:
    """Why the sandbox will not start with these options ("" when it will).

    It speaks plain HTTP with one known access key: other computers may reach it only
    when asked for explicitly.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .sandbox.app import is_loopback

    if not is_loopback(args.host) and not args.allow_remote:
        return _("other computers could reach it on {host}, and it is made for tests and "
                 "demos (plain HTTP, one known access key); add --allow-remote if that is "
                 "really what you want").format(host=args.host)
    if args.time_zone:
        try:
            ZoneInfo(args.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return _("unknown time zone {zone}: give a name such as Europe/Paris or "
                     "Asia/Tokyo").format(zone=args.time_zone)
    return ""


def _cannot_listen(code: int | None, host: str, port: int) -> str:
    if code == errno.EADDRINUSE:
        return _("the port {port} is already in use on {host}; choose another one with "
                 "--port (--port 0 picks a free one)").format(port=port, host=host)
    if code == errno.EACCES:
        return _("not allowed to listen on the port {port}; ports below 1024 need "
                 "administrator rights: choose another one with --port").format(port=port)
    return _("{host} is not an address of this computer; give another one with --host")\
        .format(host=host)


# argparse says "usage:", "options" and its error messages through the gettext names of
# its own module; pointed at kafdocs's catalogue, --help and usage errors speak the
# user's language. Its words are listed here so that the catalogue keeps them.
ARGPARSE_WORDS = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"), N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("expected one argument"), N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"), N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"), N_("one of the arguments %s is required"),
)


def _argparse_speaks_our_language() -> None:
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    _argparse_speaks_our_language()
    parser = argparse.ArgumentParser(
        prog="kafdocs",
        description=_("Browse, upload and download the documents of a Kafinea CRM."))
    parser.add_argument("--version", action="version", version=f"kafdocs {__version__}",
                        help=_("show the version of kafdocs and quit"))
    parser.add_argument("--demo", action="store_true",
                        help=_("start on the embedded sandbox with demo data, no account needed"))
    parser.add_argument("--url", help=_("instance address (or $KAFDOCS_URL)"))
    parser.add_argument("--user", help=_("CRM user name (or $KAFDOCS_USER)"))
    parser.add_argument("--language", choices=("system", "en", "fr"),
                        help=_("language of the window (remembered); default: the system's"))
    parser.add_argument("--quit-after", type=float, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--smoke-test", action="store_true",
                        help=_("start, sign in, list the folders, print what was seen and quit"))
    from .commands import add_commands, add_key_options
    from .desk_cli import add_desk_commands
    from .records_cli import add_records_commands
    from .watch_cli import add_watch_command

    add_key_options(parser)
    sub = parser.add_subparsers(dest="command")
    add_sandbox_parser(sub)
    add_commands(sub)
    add_records_commands(sub)
    add_desk_commands(sub)
    add_watch_command(sub)
    return parser


def no_display() -> bool:
    """On Linux and the BSDs a window needs an X11 or Wayland session; without one, Qt
    aborts with a message about missing libraries that sends people the wrong way."""
    return (sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
            and not any(os.environ.get(name)
                        for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is run_sandbox:
        return run_sandbox(args)
    from .commands import read_key_options, run_command

    if getattr(args, "func", None):
        return run_command(args)
    if status := read_key_options(args):
        return status
    if no_display():
        print(_("kafdocs cannot show its window: no desktop session was found here (no "
                "display). Start kafdocs from your desktop, or use its commands in this "
                "terminal: kafdocs --help"), file=sys.stderr)
        return 2
    demo = None
    if getattr(args, "demo", False):  # its process starts while the window's modules load
        from .demo import DemoCRM

        demo = DemoCRM()
    from .gui.app import run_gui

    return run_gui(args, demo)


if __name__ == "__main__":
    sys.exit(main())
