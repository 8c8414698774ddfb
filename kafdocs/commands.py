"""The scriptable sub-commands: folders, ls, upload, download — on the transfer engine."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kafdocs import credentials
from kafdocs.api import Client, KafdocsError, is_insecure
from kafdocs.api.servertime import is_zone
from kafdocs.api.values import number
from kafdocs.i18n import _
from kafdocs.termprogress import TerminalProgress, human_size, terminal_text
from kafdocs.transfer import JobState, TransferService
from kafdocs.transfer.crmrecords import record_documents
from kafdocs.transfer.download import writable_destination
from kafdocs.transfer.engine import describe_os_error
from kafdocs.transfer.folders import (
    FolderNotFound,
    list_documents,
    list_folders,
    resolve_folder,
)
from kafdocs.transfer.paths import expand_paths
from kafdocs.transfer.product_images import ImageRequest
from kafdocs.transfer.records import JobRecord
from kafdocs.transfer.sync import SyncOutcome, SyncReport
from kafdocs.transfer.typed_ids import check_link_target, crm_record, documents
from kafdocs.transfer.upload import (
    OnDuplicate,
    UploadRequest,
    find_duplicates,
    keep_both_names,
)

EXIT_FAILED, EXIT_USAGE = 1, 2


class UsageError(KafdocsError):
    pass


def key_help() -> str:
    return _("access key; '-' reads it from standard input. Do not write the key itself "
             "here: while kafdocs runs, every user of this computer can read its command "
             "line (ps, /proc/PID/cmdline). Safer: ${variable}, --access-key-file, "
             "the keyring (the app's \"remember me\") or the prompt").format(
        variable=credentials.ENV_KEY)


def add_key_options(g: argparse._ActionsContainer) -> None:
    """``--access-key`` and ``--access-key-file``, for the sub-commands and the app."""
    keys = g.add_mutually_exclusive_group()
    keys.add_argument("--access-key", metavar="KEY|-", help=key_help())
    keys.add_argument("--access-key-file", type=Path, metavar="FILE",
                      help=_("read the access key from the first line of FILE "
                           "(keep it private: chmod 600)"))


def take_key_options(args: argparse.Namespace) -> None:
    """Read the key the options point to, once, before anything else reads stdin; warn
    about a key written in the command itself."""
    if getattr(args, "access_key_file", None):
        if credentials.readable_by_others(args.access_key_file):
            warn(_("WARNING: other users of this computer can read {path}; make it "
                   "private (chmod 600 {path})").format(path=args.access_key_file))
        args.access_key = credentials.read_key_file(args.access_key_file)
    elif getattr(args, "access_key", None) == "-":
        args.access_key = (getpass.getpass(_("Access key: ")) if sys.stdin.isatty()
                           else credentials.read_key_stream(sys.stdin))
    elif getattr(args, "access_key", None):
        warn(_("WARNING: an access key written in the command can be read by every user "
               "of this computer while kafdocs runs. Use the {variable} variable, "
               "--access-key-file FILE or --access-key - (standard input) instead.")
             .format(variable=credentials.ENV_KEY))


def warn(text: str) -> None:
    print("kafdocs: " + text, file=sys.stderr)


def add_connection_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(_("connection"))
    g.add_argument("--url", help=_("instance address (or ${variable})").format(
        variable=credentials.ENV_URL))
    g.add_argument("--user", help=_("CRM user name (or ${variable})").format(
        variable=credentials.ENV_USER))
    add_key_options(g)
    g.add_argument("--ca-bundle", help=_("certificate authority bundle for TLS verification"))
    g.add_argument("--insecure", action="store_true",
                   help=_("do NOT verify TLS certificates (dangerous; prints a warning)"))
    g.add_argument("--server-time-zone", metavar="ZONE", type=time_zone_option,
                   help=_("the zone the CRM's times are in (Europe/Paris, UTC+09:00), when "
                          "the one its sign-in gives is wrong"))


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("folders", help=_("list the document folders"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    add_connection_options(p)
    p.set_defaults(func=cmd_folders)

    p = sub.add_parser("ls", help=_("list the documents of a folder or of a record"))
    p.add_argument("folder", nargs="?", help=_("folder name or id (22x5)"))
    p.add_argument("--record", metavar="RECORD_ID",
                   help=_("instead of a folder: the documents of this account, contact or "
                          "product (11x42; find it with `kafdocs records NAME`)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    add_connection_options(p)
    p.set_defaults(func=cmd_ls)

    p = sub.add_parser("upload", help=_("file documents into a folder, or add pictures "
                                        "to a product"))
    p.add_argument("files", nargs="+", type=Path, help=_("files or directories (recursive)"))
    p.add_argument("--folder", help=_("target folder name or id"))
    p.add_argument("--link", "--record", dest="link", metavar="RECORD_ID",
                   help=_("also relate each document to this record (an account, a contact, "
                          "a product…)"))
    p.add_argument("--image", action="store_true",
                   help=_("add the files to the pictures of the product given with --record "
                          "(JPEG, PNG, GIF or BMP), instead of filing them"))
    p.add_argument("--title", help=_("document title (default: the file name without extension)"))
    p.add_argument("--on-duplicate", choices=[o.value for o in OnDuplicate], default="keep",
                   help=_("when the folder already has that file name: skip, keep both, "
                          "or replace (a new version of that document: same id, number and "
                          "links)"))
    p.add_argument("--jobs", type=int, default=2, help=_("parallel uploads (default 2)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    add_connection_options(p)
    p.set_defaults(func=cmd_upload)

    p = sub.add_parser("replace", help=_("upload a file as a new version of a document "
                                         "(same id, number, folder, title and links)"))
    p.add_argument("document", help=_("document id (15x42)"))
    p.add_argument("file", type=Path, help=_("the new file (any name)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    add_connection_options(p)
    p.set_defaults(func=cmd_replace)

    p = sub.add_parser("download", help=_("download documents or whole folders"))
    p.add_argument("documents", nargs="*", help=_("document ids (15x42)"))
    p.add_argument("--folder", action="append", default=[],
                   help=_("folder name or id (repeatable)"))
    p.add_argument("--dest", type=Path, required=True, help=_("destination directory"))
    p.add_argument("--mirror", action="store_true",
                   help=_("with --folder: move to the trash the local copies of documents "
                          "that left the folder, if unchanged since kafdocs wrote them"))
    p.add_argument("--jobs", type=int, default=4, help=_("parallel downloads (default 4)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    add_connection_options(p)
    p.set_defaults(func=cmd_download)


def run_command(args: argparse.Namespace) -> int:
    def run() -> int:
        take_key_options(args)
        return int(args.func(args))

    return reporting_errors(run)


def read_key_options(args: argparse.Namespace) -> int:
    """The app's start options: the key read as the sub-commands read it; the exit
    status when that fails (0 when it worked)."""
    def read() -> int:
        take_key_options(args)
        return 0

    return reporting_errors(read)


def reporting_errors(work: Callable[[], int]) -> int:
    """Run ``work``; errors become one line on stderr and an exit status."""
    try:
        return work()
    except KeyboardInterrupt:
        print("kafdocs: " + _("interrupted"), file=sys.stderr)
        return 130
    except FolderNotFound as exc:
        print(f"kafdocs: {terminal_text(exc)} — " + _("List the folders with `kafdocs folders`."),
              file=sys.stderr)
        return EXIT_USAGE
    except KafdocsError as exc:
        print(f"kafdocs: {terminal_text(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # the destination cannot be created or written
        print(f"kafdocs: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE


def connect(args: argparse.Namespace) -> Client:
    url, user, key = credentials.resolve(args.url, args.user, args.access_key)
    if not url or not user:
        raise UsageError(_("Give --url and --user (or set KAFDOCS_URL and KAFDOCS_USER)"))
    if not key:
        if not sys.stdin.isatty():
            raise UsageError(_("No access key: set KAFDOCS_ACCESS_KEY, or give "
                               "--access-key-file FILE or --access-key - (standard input)"))
        key = getpass.getpass(_("Access key for {user}: ").format(user=user))
    verify: bool | str = args.ca_bundle or True
    if args.insecure:
        print("kafdocs: " + _("WARNING: TLS certificates are NOT verified (--insecure)"),
              file=sys.stderr)
        verify = False
    client = Client(url, user, key, verify=verify)
    if is_insecure(client.endpoint):
        print("kafdocs: " + _("WARNING: plain http — your data travels unencrypted"),
              file=sys.stderr)
    client.login()
    if getattr(args, "server_time_zone", None):
        client.set_server_zone(args.server_time_zone)
    return client


def time_zone_option(text: str) -> str:
    if not is_zone(text):
        raise argparse.ArgumentTypeError(_("{zone} is not a time zone: give a name such as "
                                           "Europe/Paris or an offset such as UTC+09:00")
                                         .format(zone=text))
    return text


def emit_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # a lone surrogate from the server cannot be written as UTF-8: as a JSON escape, it can
    sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")


def cmd_folders(args: argparse.Namespace) -> int:
    with connect(args) as client:
        folders = list_folders(client, with_counts=True)
    if args.json:
        emit_json([{"id": f.id, "name": f.name, "description": f.description,
                    "documents": f.count} for f in folders])
    else:
        for f in folders:
            print(f"{terminal_text(f.id):>8}  {f.count:>6}  {terminal_text(f.name)}")
    return 0


def cmd_ls(args: argparse.Namespace) -> int:
    if bool(args.folder) == bool(args.record):
        raise UsageError(_("Give a folder, or --record RECORD_ID for the documents of an "
                           "account, a contact or a product"))
    with connect(args) as client:
        if args.record:
            rows = record_documents(client, crm_record(client, args.record).id)
        else:
            rows = list_documents(client, resolve_folder(client, args.folder).id)
    if args.json:
        emit_json(rows)
        return 0
    for r in rows:
        size = number(r.get("filesize"))
        shown = human_size(size) if size is not None else "-"
        r = {**r, "modifiedtime": client.server_zone.local_text(r.get("modifiedtime"))}
        fields = [terminal_text(r.get(k) or "") for k in
                  ("id", "modifiedtime", "filename", "notes_title")]
        print(f"{fields[0]:>10}  {shown:>9}  {fields[1]:19}  {fields[2] or '-'}  ({fields[3]})")
    return 0


Report = Callable[[list[JobRecord]], tuple[dict[str, Any], list[str], bool]]


def run_transfers(client: Client, workers: int, as_json: bool,
                  submit: Callable[[TransferService], dict[str, Any]],
                  rejected: list[tuple[str, str]] | None = None, per_file: bool = False,
                  report: Report | None = None) -> int:
    """Queue transfers with ``submit`` on the engine the app uses, show progress on a
    terminal, then one line per failure and a summary.

    ``submit`` returns what the JSON output adds. ``rejected`` are files refused before
    any job (not found, unreadable): they count as failed. ``per_file`` prints what
    became of each file that went through (uploads). ``report`` tells, from the jobs'
    records, what else to say (JSON keys, lines for people) and whether it all went well.
    """
    service = TransferService(client, workers)
    progress = TerminalProgress(service.table, enabled=None if not as_json else False)
    service.subscribe(progress)
    try:
        extra = submit(service)
        service.wait()
    except BaseException:
        service.shutdown(cancel=True)
        raise
    finally:
        progress.close()
    summary = service.summary()
    summary.failed += len(rejected or [])
    summary.failures[:0] = rejected or []
    for label, reason in summary.failures:
        print("kafdocs: " + _("failed: {name}: {reason}").format(
            name=terminal_text(label), reason=terminal_text(reason)), file=sys.stderr)
    more, lines, fine = report(list(service.table)) if report else ({}, [], True)
    if as_json:
        emit_json({**extra, **more, "summary": {
            "finished": summary.finished, "failed": summary.failed, "skipped": summary.skipped,
            "cancelled": summary.cancelled, "bytes": summary.bytes,
            "seconds": round(summary.seconds, 3)},
            "jobs": [{"name": j.label, "state": j.state.value, "message": j.message, **j.meta}
                     for j in service.table]})
    else:
        for job in service.table:
            if per_file and job.state is JobState.DONE:
                print(_("{name}: {outcome}").format(name=terminal_text(job.label),
                                                    outcome=terminal_text(job.message)))
            if job.state is JobState.SKIPPED:
                print(_("skipped: {name}: {reason}").format(
                    name=terminal_text(job.label), reason=terminal_text(job.message)),
                      file=sys.stderr)
        for line in lines:
            print(line, file=sys.stderr)
        print(summary.line(), file=sys.stderr)
    service.shutdown(cancel=False)
    return 0 if summary.ok and fine else EXIT_FAILED


def cmd_upload(args: argparse.Namespace) -> int:
    if args.image:
        return upload_images(args)
    if not args.folder:
        raise UsageError(_("Give the folder to file into with --folder (or --image to add "
                           "pictures to a product)"))
    found = expand_paths(args.files)
    for path, reason in found.left_out:  # hidden files, links out of a folder given
        warn(_("not sent: {name} ({reason})").format(name=terminal_text(str(path)),
                                                     reason=reason))
    with connect(args) as client:
        folder = resolve_folder(client, args.folder)
        if args.link:
            check_link_target(client, args.link)
        policy = OnDuplicate(args.on_duplicate)
        same_name = find_duplicates(client, folder.id, [path.name for path in found.files])
        keep_as = keep_both_names(client, folder.id, same_name) \
            if same_name and policy is OnDuplicate.KEEP else {}
        requests = [UploadRequest(path, folder.id, args.title or found.title(path),
                                  args.link, policy,
                                  duplicates=tuple(same_name.get(path.name, [])),
                                  file_name=keep_as.get(path.name))
                    for path in found.files]

        def submit(service: TransferService) -> dict[str, Any]:
            service.upload(requests)
            return {"folder": folder.id}

        return run_transfers(client, args.jobs, args.json, submit,
                             rejected=[(str(path), reason) for path, reason in found.rejected],
                             per_file=True)


def upload_images(args: argparse.Namespace) -> int:
    """``upload --image --record PRODUCT FILE...``: each file one more picture of the
    product; a file the CRM does not keep is reported as failed."""
    if not args.link or args.folder:
        raise UsageError(_("--image adds pictures to a product: give --record PRODUCT_ID "
                           "(and no --folder)"))
    found = expand_paths(args.files)
    with connect(args) as client:
        product = crm_record(client, args.link, ("Products",))
        requests = [ImageRequest(path, product.id) for path in found.files]

        def submit(service: TransferService) -> dict[str, Any]:
            service.upload(list(requests))
            return {"product": product.id}

        return run_transfers(client, args.jobs, args.json, submit,
                             rejected=[(str(path), reason) for path, reason in found.rejected],
                             per_file=True)


def cmd_replace(args: argparse.Namespace) -> int:
    with connect(args) as client:
        (record,) = documents(client, [args.document])
        request = UploadRequest(args.file, str(record.get("folderid", "")),
                                replace_id=record["id"])

        def submit(service: TransferService) -> dict[str, Any]:
            service.upload([request])
            return {"doc_id": record["id"]}

        return run_transfers(client, 1, args.json, submit)


def cmd_download(args: argparse.Namespace) -> int:
    if not args.folder and not args.documents:
        raise UsageError(_("Name documents to download, or one or more --folder"))
    if args.mirror and not args.folder:
        raise UsageError(_("--mirror works on whole folders: give --folder"))
    writable_destination(args.dest)
    with connect(args) as client:
        folders = [resolve_folder(client, name) for name in args.folder]
        records = documents(client, args.documents)
        reports: list[SyncReport] = []

        def submit(service: TransferService) -> dict[str, Any]:
            for folder in folders:
                reports.append(service.download_folder(folder, args.dest, args.mirror).report)
            service.download(records, args.dest)
            fresh = sum(report.up_to_date for report in reports)
            if fresh and not args.json:
                print(_("{count} documents already up to date").format(count=fresh),
                      file=sys.stderr)
            return {"up_to_date": fresh}

        return run_transfers(client, args.jobs, args.json, submit,
                             report=lambda jobs: folder_report(reports, jobs))


def folder_report(reports: list[SyncReport], jobs: list[JobRecord]
                  ) -> tuple[dict[str, Any], list[str], bool]:
    """Per folder: new, updated, renamed, removed, kept because changed locally, failed."""
    outcomes = [SyncOutcome.of(report, [j for j in jobs if j.meta.get("folder") == report.path])
                for report in reports]
    lines = [line for o in outcomes for line in (*o.details(fetches=False), o.line())]
    fine = not any(o.report.failures for o in outcomes)
    return {"folders": [o.as_json() for o in outcomes]} if reports else {}, lines, fine
